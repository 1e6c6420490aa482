import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import { Comment } from '../models/comment.model.js';
import { Post } from '../models/post.model.js';
import { PostLike } from '../models/post-like.model.js';
import { User } from '../models/user.model.js';
import { WebhookEvent } from '../models/webhook-event.model.js';
import { storedLocation } from '../services/people/profile.service.js';
import { coarsePoint, hiddenRegionCellOf } from '../utils/geo.js';
import { migrationStatus, runMigrations, type Migration } from '../scripts/migrate-runner.js';
import { migrations } from '../scripts/migrations/index.js';
import { runTs } from './support/process.js';

const { ObjectId } = mongoose.Types;

describe('migrations (npm run migrate)', function () {
  this.timeout(120_000);

  it('backfills search keys, geo cells and post counters once, and records what it applied', async () => {
    const tag = randomBytes(3).toString('hex');
    // People stored before name search and geo cells existed, and a post whose counter drifted.
    const old = {
      _id: new ObjectId(),
      firstName: 'Zoë',
      lastName: "O'Brien",
      username: `zoe_${tag}`,
      email: `zoe_${tag}@x.test`,
    };
    const person = (name: string, extra: object) => ({
      _id: new ObjectId(),
      firstName: name,
      lastName: 'Kumar',
      username: `${name.toLowerCase()}_${tag}`,
      email: `${name.toLowerCase()}_${tag}@x.test`,
      ...extra,
    });
    const point = { lat: 19.07, lng: 72.87 };
    const placed = person('Ravi', { location: point, locationConsent: true });
    // Hiding their distance: the backfill must keep the cell that keeps them out of distance searches.
    const hidden = person('Asha', { location: point, locationConsent: true, settings: { privacy: { showDistance: false } } });
    // A location without consent (never stored so today) gets no cells.
    const unconsented = person('Kiran', { location: point });
    // An address stored decomposed (before sign-up composed it): it could not sign in by address.
    const decomposed = { ...person('Renee', {}), email: `rene\u0301e.${tag}@example.com`.normalize('NFD') };
    await User.collection.insertMany([old, placed, hidden, unconsented, decomposed]);
    const postId = new ObjectId();
    await Post.collection.insertOne({
      _id: postId,
      authorId: old._id,
      counters: { likes: 7, comments: 0, shares: 0, views: 0, bookmarks: 0 },
    });
    await PostLike.collection.insertOne({ postId, userId: placed._id, createdAt: new Date() });
    // Reply counts from before removed replies were uncounted: a thread of
    // top (said 3) <- live, gone (no replies), goneWithReply (said 0) <- its reply;
    // and a removed comment (said 1) whose only reply was removed.
    const comment = (parent: { _id: mongoose.Types.ObjectId; depth: number } | null, replies: number, deleted = false) => ({
      _id: new ObjectId(),
      postId,
      authorId: old._id,
      parentId: parent?._id ?? null,
      depth: parent ? parent.depth + 1 : 0,
      text: deleted ? '' : 'hi',
      replies,
      ...(deleted && { deletedAt: new Date() }),
    });
    const top = comment(null, 3);
    const [live, gone, goneWithReply] = [comment(top, 0), comment(top, 0, true), comment(top, 0, true)];
    // Hidden by staff before hiding uncounted: still in its post's and its parent's counts until the backfill.
    const hiddenBefore = { ...comment(top, 0), hiddenAt: new Date(0), hiddenReason: 'hidden_by_moderator' };
    const reply = comment(goneWithReply, 0);
    const removed = comment(null, 1, true);
    const removedReply = comment(removed, 0, true);
    // A removal the live code is in the middle of (its reply blanked just now, not yet
    // uncounted from the placeholder above it): that thread is left to the live code.
    const busy = comment(null, 2, true);
    const busyLive = comment(busy, 0);
    const busyGone = { ...comment(busy, 0, true), updatedAt: new Date() };
    await Comment.collection.insertMany([
      top,
      live,
      gone,
      goneWithReply,
      reply,
      removed,
      removedReply,
      busy,
      busyLive,
      busyGone,
      hiddenBefore,
    ]);
    // A payment event left unprocessed before failed tries were timed.
    const eventId = `evt_old_${tag}`;
    await WebhookEvent.collection.insertOne({
      _id: eventId as never,
      event: 'payment.dispute.created',
      body: JSON.stringify({ event: 'payment.dispute.created', payload: {} }),
      receivedAt: new Date(0),
    });

    expect(await runMigrations(migrations)).to.deep.equal(migrations.map((m) => m.name));

    const zoe = await User.collection.findOne({ _id: old._id });
    expect(zoe!.searchPrefixes).to.include.members(['zo', 'zoe', "o'", 'zoe_']);
    expect(zoe!.searchNames).to.include("zoe o'brien");
    const cellsOf = async (u: { _id: mongoose.Types.ObjectId }) => (await User.collection.findOne({ _id: u._id }))!.geoCells;
    expect(await cellsOf(placed)).to.deep.equal(storedLocation(point, true).geoCells);
    expect(await cellsOf(hidden)).to.deep.equal(storedLocation(point, false).geoCells);
    expect(await cellsOf(hidden)).to.include(hiddenRegionCellOf(coarsePoint(point)));
    expect(await cellsOf(unconsented)).to.equal(undefined);
    expect(zoe!.geoCells).to.equal(undefined);
    expect((await User.collection.findOne({ _id: decomposed._id }))!.email).to.equal(`ren\u00e9e.${tag}@example.com`);
    // Comments shown: top, live, the reply, busyLive (the hidden one counted out).
    expect((await Post.collection.findOne({ _id: postId }))!.counters).to.include({ likes: 1, comments: 4 });
    expect((await Comment.findById(hiddenBefore._id).lean())!.countedOut).to.equal(true);
    const repliesOf = async (c: { _id: mongoose.Types.ObjectId }) => (await Comment.findById(c._id).lean())!.replies;
    expect(await Promise.all([top, live, goneWithReply, removed, busy].map(repliesOf))).to.deep.equal([2, 0, 1, 0, 2]);
    expect((await WebhookEvent.findById(eventId).lean())!.nextTryAt!.getTime()).to.be.closeTo(Date.now(), 60_000);

    // Applied once: a second run (the next deploy) finds nothing to do.
    expect(await runMigrations(migrations)).to.deep.equal([]);
    expect(await migrationStatus(migrations)).to.deep.equal({ applied: migrations.map((m) => m.name), pending: [] });
  });

  it('runs each migration once when two deploys start at the same moment', async () => {
    const runs = new Map<string, number>();
    const slow = (name: string): Migration => ({
      name: `${name}-${randomBytes(3).toString('hex')}`,
      up: async () => {
        runs.set(name, (runs.get(name) ?? 0) + 1);
        await new Promise((r) => setTimeout(r, 300));
        return 0;
      },
    });
    const list = [slow('a'), slow('b')];
    const [first, second] = await Promise.all([runMigrations(list), runMigrations(list)]);
    expect([...first, ...second].sort()).to.deep.equal(list.map((m) => m.name).sort());
    expect(Object.fromEntries(runs)).to.deep.equal({ a: 1, b: 1 });
  });

  it('the command tells what is applied and pending, against the configured database', async () => {
    await runMigrations(migrations);
    const cli = runTs('scripts/migrate.ts', ['--status'], { MONGODB_URI: process.env.MONGODB_URI!, LOG_LEVEL: 'warn' });
    expect(await cli.exited, cli.output()).to.equal(0);
    for (const m of migrations) expect(cli.output()).to.include(`applied  ${m.name}`);
  });
});
