import { expect } from 'chai';
import { runPostJobs } from '../jobs/posts.job.js';
import { FeedEntry } from '../models/feed-entry.model.js';
import { Post } from '../models/post.model.js';
import { Report } from '../models/report.model.js';
import { User } from '../models/user.model.js';
import { clearCandidateCaches } from '../services/feeds/candidates.js';
import { api } from './support/app.js';
import { connect } from './support/connections.js';
import { expectDocumented } from './support/openapi.js';
import { block, POSTS, readyPost } from './support/posts.js';
import { bearer, signupUser, staffUser, trustedUser, type SignedUp } from './support/users.js';
import { eventually } from './support/eventually.js';

const as = (u: SignedUp) => bearer(u.accessToken);
const FEED = '/api/v1/feed';
type Item = { id: string; authorId: string; hashtags: string[]; viral: boolean; sharedBy?: string | null };

/** Every item of a For You session, page by page (at most `pages`), and the pages themselves. */
async function forYouSession(u: SignedUp, limit = 10, pages = 30) {
  clearCandidateCaches();
  const seen: Item[][] = [];
  let cursor: string | null = null;
  for (let i = 0; i < pages; i++) {
    const res: { status: number; body: { items: Item[]; nextCursor: string | null } } = await (
      await api()
    )
      .get(`${FEED}/for-you?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`)
      .set(as(u));
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    if (i === 0) expectDocumented(res, 'get', `${FEED}/for-you`);
    seen.push(res.body.items);
    cursor = res.body.nextCursor;
    if (!cursor) break;
  }
  return { pages: seen, ids: seen.flat().map((p) => p.id), items: seen.flat() };
}

describe('feeds', function () {
  this.timeout(90_000);

  it('For You never repeats an item across pages, keeps its cursor stable, and skips own, blocked and connections-only posts', async () => {
    const viewer = await signupUser({ interests: ['climbing', 'rust'] });
    const authors = await Promise.all(Array.from({ length: 4 }, () => signupUser()));
    const blocked = await signupUser();
    const made = await Promise.all(
      authors.flatMap((a, i) => [
        readyPost(a, { caption: `route setting #climbing ${i}` }),
        readyPost(a, { caption: `borrow checker #rust ${i}` }),
        readyPost(a, { caption: `sunday #bread ${i}` }),
      ]),
    );
    const own = await readyPost(viewer, { caption: 'mine #climbing' });
    const privatePost = await readyPost(authors[0]!, { caption: 'friends only #climbing', visibility: 'connections' });
    const theirs = await readyPost(blocked, { caption: 'blocked #climbing' });
    await block(viewer, blocked);

    const session = await forYouSession(viewer);
    expect(new Set(session.ids).size, 'no repeats across pages').to.equal(session.ids.length);
    expect(session.ids).to.include.members(made.map((p) => p.id));
    expect(session.ids).to.not.include.members([own.id]);
    expect(session.ids).to.not.include(privatePost.id);
    expect(session.ids).to.not.include(theirs.id);
    // Interest-matching posts come before those matching nothing the viewer follows.
    const firstPage = session.pages[0]!.map((p) => p.hashtags);
    expect(firstPage.filter((t) => t.includes('climbing') || t.includes('rust')).length).to.be.greaterThan(firstPage.length / 2);

    // The same cursor gives the same page.
    const first = await (await api()).get(`${FEED}/for-you?limit=5`).set(as(viewer));
    const again1 = await (await api()).get(`${FEED}/for-you?limit=5&cursor=${first.body.nextCursor}`).set(as(viewer));
    const again2 = await (await api()).get(`${FEED}/for-you?limit=5&cursor=${first.body.nextCursor}`).set(as(viewer));
    expect(again1.body.items.map((p: Item) => p.id)).to.deep.equal(again2.body.items.map((p: Item) => p.id));
    const foreign = await (await api()).get(`${FEED}/for-you?limit=5&cursor=${first.body.nextCursor}`).set(as(authors[0]!));
    expect(foreign.status).to.equal(404);
    const garbage = await (await api()).get(`${FEED}/for-you?cursor=${encodeURIComponent('{"$gt":""}')}`).set(as(viewer));
    expect(garbage.status).to.equal(400);
  });

  it('honours "not interested", muted hashtags and authors, and the sensitive filter', async () => {
    const viewer = await signupUser({ interests: ['chess'] });
    const [a, b] = await Promise.all([signupUser(), signupUser()]);
    const boring = await readyPost(a, { caption: 'opening theory #chess' });
    const catPost = await readyPost(a, { caption: 'my cat #cats #chess' });
    const fromB = await readyPost(b, { caption: 'endgames #chess' });
    const nsfw = await readyPost(b, { caption: 'spicy #chess', sensitive: 'true' });

    const before = await forYouSession(viewer);
    expect(before.ids).to.include.members([boring.id, catPost.id, fromB.id]);
    expect(before.ids, 'sensitive posts are filtered by default').to.not.include(nsfw.id);

    const ni = await (await api()).put(`${FEED}/not-interested/${boring.id}`).set(as(viewer));
    expect(ni.status).to.equal(204);
    expectDocumented(ni, 'put', `${FEED}/not-interested/{postId}`);
    const settings = await (
      await api()
    )
      .patch(`${FEED}/settings`)
      .set(as(viewer))
      .send({ mutedTags: ['#Cats'], mutedAuthors: [], sensitiveFilter: false });
    expect(settings.status).to.equal(200);
    expectDocumented(settings, 'patch', `${FEED}/settings`);
    expect(settings.body.settings.mutedTags).to.deep.equal(['cats']);

    const after = await forYouSession(viewer);
    expect(after.ids).to.not.include(boring.id);
    expect(after.ids).to.not.include(catPost.id);
    expect(after.ids).to.include(nsfw.id);
    await (
      await api()
    )
      .patch(`${FEED}/settings`)
      .set(as(viewer))
      .send({ mutedAuthors: [b.id] });
    const muted = await forYouSession(viewer);
    expect(muted.ids).to.not.include.members([fromB.id, nsfw.id]);
    const bad = await (
      await api()
    )
      .patch(`${FEED}/settings`)
      .set(as(viewer))
      .send({ mutedAuthors: [{ $ne: null }] });
    expect(bad.status).to.equal(400);
  });

  it('puts posts of a preferred topic first for someone with no other interests', async () => {
    const viewer = await signupUser({ interests: ['x'] });
    const author = await signupUser();
    const topic = `origami${Date.now().toString(36)}`;
    const post = await readyPost(author, { caption: `folded a crane #${topic}` });
    await (
      await api()
    )
      .patch(`${FEED}/settings`)
      .set(as(viewer))
      .send({ preferredTopics: [topic] });
    const session = await forYouSession(viewer, 10, 1);
    expect(session.ids).to.include(post.id);
  });

  it('For You after an idle spell shows what was posted meanwhile, on the first request', async () => {
    const [viewer, author] = await Promise.all([signupUser(), signupUser()]);
    const topic = `quiet${Date.now().toString(36)}`;
    await (
      await api()
    )
      .patch(`${FEED}/settings`)
      .set(as(viewer))
      .send({ preferredTopics: [topic] })
      .expect(200);
    clearCandidateCaches({ refreshMs: 200, idleMs: 200 });
    try {
      const firstPage = async () =>
        ((await (await api()).get(`${FEED}/for-you?limit=50`).set(as(viewer))).body.items as Item[]).map((p) => p.id);
      await firstPage();
      // The server goes quiet past the cache's idle time (the scenario, not a wait for an
      // outcome); a post becomes ready while nobody is reading the feed.
      await new Promise((r) => setTimeout(r, 500));
      const fresh = await readyPost(author, { caption: `posted while it was quiet #${topic}` });
      // The first read after the quiet spell rebuilds from the database: the post is there at once.
      expect(await firstPage()).to.include(fresh.id);
    } finally {
      clearCandidateCaches();
    }
  });

  it("Following shows connections' posts and shares, newest first, and nobody else's", async () => {
    const [me, friend, stranger] = await Promise.all([signupUser(), signupUser(), signupUser()]);
    const early = await readyPost(friend, { caption: 'before we met' });
    await connect(me, friend);
    const later = await readyPost(friend, { caption: 'after', visibility: 'connections' });
    const strangers = await readyPost(stranger, { caption: 'not for you' });
    await (await api()).post(`${POSTS}/${strangers.id}/shares`).set(as(friend)).send({ to: 'feed' });
    const res = await (await api()).get(`${FEED}/following`).set(as(me));
    expect(res.status).to.equal(200);
    expectDocumented(res, 'get', `${FEED}/following`);
    const ids = res.body.items.map((p: Item) => p.id);
    expect(ids).to.deep.equal([strangers.id, later.id, early.id]);
    expect(res.body.items[0].sharedBy).to.equal(friend.id);
    expect(res.body.items[1].sharedBy).to.equal(null);
    const theirs = await (await api()).get(`${FEED}/following`).set(as(stranger));
    expect(theirs.body.items.map((p: Item) => p.id)).to.not.include(later.id);
    const page = await (await api()).get(`${FEED}/following?limit=1`).set(as(me));
    const next = await (await api()).get(`${FEED}/following?limit=1&cursor=${page.body.nextCursor}`).set(as(me));
    expect(next.body.items.map((p: Item) => p.id)).to.deep.equal([later.id]);
  });

  it("a connections-only post reaches nobody outside the author's connections, and Following forgets an ended connection", async () => {
    const [author, friend, friendsFriend] = await Promise.all([signupUser(), signupUser(), signupUser()]);
    await connect(author, friend);
    await connect(friend, friendsFriend);
    const hidden = await readyPost(author, { caption: 'for my connections', visibility: 'connections' });
    const open = await readyPost(author, { caption: 'for everyone' });
    const following = async (u: SignedUp) =>
      ((await (await api()).get(`${FEED}/following`).set(as(u))).body.items as Item[]).map((p) => p.id);
    expect(await following(friend)).to.include.members([hidden.id, open.id]);

    // The friend tries to pass it on: refused, to the feed and into a chat alike.
    const share = await (await api()).post(`${POSTS}/${hidden.id}/shares`).set(as(friend)).send({ to: 'feed' });
    expect(share.status).to.equal(403);
    expect(share.body.error.code).to.equal('NOT_SHAREABLE');
    expect(await following(friendsFriend)).to.not.include(hidden.id);
    // A public post shared on reaches the friend's friend, marked as shared.
    await (await api()).post(`${POSTS}/${open.id}/shares`).set(as(friend)).send({ to: 'feed' }).expect(201);
    expect(await following(friendsFriend)).to.include(open.id);

    // An entry written for someone who is no longer a connection is never served (an old share, a race).
    await FeedEntry.create({ ownerId: friendsFriend.id, postId: hidden.id, authorId: author.id, sharedBy: friend.id });
    expect(await following(friendsFriend)).to.not.include(hidden.id);

    // The friend unfriends the author: neither post stays in their Following, nor the share downstream.
    await (await api()).delete(`/api/v1/connections/${author.id}`).set(as(friend)).expect(204);
    expect(await following(friend)).to.not.include.members([hidden.id]);
    expect(await following(friend)).to.not.include(open.id);
    expect(await FeedEntry.countDocuments({ ownerId: friend.id, authorId: author.id })).to.equal(0);

    // Cursors of pages that skip unseen posts are sealed: no post id to read, none to forge.
    const listed = await (await api()).get(`${POSTS}/author/${author.id}?limit=1`).set(as(friendsFriend));
    expect(listed.body.items.map((p: Item) => p.id)).to.deep.equal([open.id]);
    expect(listed.body.nextCursor).to.be.a('string').and.not.include(open.id.slice(0, 8));
    const forged = await (await api()).get(`${POSTS}/author/${author.id}?cursor=${hidden.id}`).set(as(friendsFriend));
    expect(forged.status).to.equal(400);
    const nearby = await (await api()).get(`${FEED}/nearby?lat=1&lng=1&cursor=${'A'.repeat(40)}`).set(as(friend));
    expect(nearby.body.error.code).to.equal('INVALID_CURSOR');

    // A block clears what the blocked person shared into the blocker's feed.
    await block(friendsFriend, friend);
    expect(await FeedEntry.countDocuments({ ownerId: friendsFriend.id, sharedBy: friend.id })).to.equal(0);
  });

  it('a post with a burst of engagement is marked viral, listed for admins and flagged in For You', async () => {
    const author = await signupUser();
    const post = await readyPost(author, { caption: 'look at this #burst' });
    const quiet = await readyPost(author, { caption: 'nobody cares' });
    const crowd = await Promise.all(Array.from({ length: 8 }, () => signupUser()));
    await Promise.all(
      crowd.map(async (u) => {
        await (await api()).post(`${POSTS}/${post.id}/views`).set(as(u));
        await (await api()).post(`${POSTS}/${post.id}/like`).set(as(u));
        await (await api()).post(`${POSTS}/${post.id}/comments`).set(as(u)).send({ text: 'wow' });
      }),
    );
    await (await api()).post(`${POSTS}/${quiet.id}/views`).set(as(crowd[0]!));
    const result = await runPostJobs();
    expect(result.viral).to.include(post.id);
    expect(result.viral).to.not.include(quiet.id);
    expect((await Post.findById(post.id).lean())!.viralAt).to.be.instanceOf(Date);
    // Counted for the analytics report, in today's top list with its score.
    const admin = await staffUser('admin');
    const today = new Date().toISOString().slice(0, 10);
    await eventually(async () => {
      const report = await (await api()).get('/api/v1/admin/analytics').set(as(admin)).query({ from: today, to: today });
      return report.body.analytics.viral.top.some((t: { postId: string; score: number }) => t.postId === post.id && t.score > 0);
    });

    const mod = await staffUser('moderator');
    const list = await (await api()).get('/api/v1/admin/content/viral-posts').set(as(mod));
    expect(list.status).to.equal(200);
    expect(list.body.posts.map((p: { id: string }) => p.id)).to.include(post.id);
    expect((await (await api()).get('/api/v1/admin/content/viral-posts').set(as(author))).status).to.equal(403);

    const viewer = await signupUser({ interests: ['gardening'] });
    const session = await forYouSession(viewer, 20, 5);
    const flagged = session.items.find((p) => p.id === post.id);
    expect(flagged?.viral).to.equal(true);
    // A viral post outranks fresher posts with no engagement, even with no interest in common.
    expect(session.ids.indexOf(post.id)).to.be.lessThan(
      session.ids.indexOf(quiet.id) === -1 ? Infinity : session.ids.indexOf(quiet.id),
    );
  });

  it('keeps sensitive posts and muted authors out of Trending, Nearby and Following as For You does; a post says it is sensitive', async () => {
    const [author, viewer] = await Promise.all([signupUser(), signupUser()]);
    await connect(author, viewer);
    const place = { placeName: 'Pont Neuf', placeConsent: 'true', placeLat: '48.857', placeLng: '2.341' };
    const spicy = await readyPost(author, { caption: 'late night #paris', sensitive: 'true', ...place });
    const plain = await readyPost(author, { caption: 'morning #paris', ...place });
    // Far above anything else in the pool: both would lead Trending.
    await Post.updateOne({ _id: spicy.id }, { $set: { 'counters.likes': 9e9 } });
    await Post.updateOne({ _id: plain.id }, { $set: { 'counters.likes': 8e9 } });
    const client = await api();
    const seen = async () => {
      clearCandidateCaches();
      const [trending, nearby, following] = await Promise.all([
        client.get(`${FEED}/trending?limit=3`).set(as(viewer)),
        client.get(`${FEED}/nearby?lat=48.857&lng=2.341&km=5`).set(as(viewer)),
        client.get(`${FEED}/following`).set(as(viewer)),
      ]);
      for (const r of [trending, nearby, following]) expect(r.status, JSON.stringify(r.body)).to.equal(200);
      const ids = (items: Item[]) => items.map((p) => p.id).filter((id) => id === spicy.id || id === plain.id);
      return {
        trending: ids(trending.body.posts),
        nearby: ids(nearby.body.items),
        following: ids(following.body.items),
      };
    };
    // The filter is on by default.
    expect(await seen()).to.deep.equal({ trending: [plain.id], nearby: [plain.id], following: [plain.id] });
    const read = await client.get(`${POSTS}/${spicy.id}`).set(as(viewer));
    expectDocumented(read, 'get', `${POSTS}/{id}`);
    expect(read.body.post.sensitive, 'so a client can blur it').to.equal(true);
    await client.patch(`${FEED}/settings`).set(as(viewer)).send({ sensitiveFilter: false }).expect(200);
    const both = [spicy.id, plain.id];
    expect(await seen()).to.deep.equal({ trending: both, nearby: [plain.id, spicy.id], following: [plain.id, spicy.id] });
    await client
      .patch(`${FEED}/settings`)
      .set(as(viewer))
      .send({ mutedAuthors: [author.id] })
      .expect(200);
    expect(await seen()).to.deep.equal({ trending: [], nearby: [], following: [] });
    // Leave Trending to the tests after this one.
    await Post.updateMany({ _id: { $in: [spicy.id, plain.id] } }, { $set: { 'counters.likes': 0 } });
    clearCandidateCaches();
  });

  it("a banned or suspended author's posts leave trending, their author page and their own URLs, as their profile does", async () => {
    const [good, suspended, banned, viewer] = await Promise.all([signupUser(), signupUser(), signupUser(), signupUser()]);
    const posts = await Promise.all([good, suspended, banned, good, good].map((a) => readyPost(a)));
    // Far above anything else in the pool, so all five would lead the list, the banned first.
    const likes = [4e6, 5e6, 6e6, 3e6, 2e6];
    await Promise.all(posts.map((p, i) => Post.updateOne({ _id: p.id }, { $set: { 'counters.likes': likes[i] } })));
    await User.updateOne({ _id: suspended.id }, { $set: { suspendedUntil: new Date(Date.now() + 3_600_000) } });
    await User.updateOne({ _id: banned.id }, { $set: { bannedAt: new Date() } });
    clearCandidateCaches();

    const client = await api();
    const trending = await client.get(`${FEED}/trending?limit=3`).set(as(viewer));
    expectDocumented(trending, 'get', `${FEED}/trending`);
    // The good author's posts, with who wrote them; the list filled on from below the other two.
    const shownIds = trending.body.posts.map((p: { id: string }) => p.id);
    expect(shownIds).to.deep.equal([posts[0]!.id, posts[3]!.id, posts[4]!.id]);
    expect(trending.body.posts[0].author).to.include({ id: good.id });
    for (const [i, author] of [suspended, banned].entries()) {
      const post = posts[i + 1]!;
      expect((await client.get(`${POSTS}/${post.id}`).set(as(viewer))).status, 'the post').to.equal(404);
      expect((await client.post(`${POSTS}/${post.id}/like`).set(as(viewer))).status, 'a like').to.equal(404);
      expect((await client.get(`${POSTS}/author/${author.id}`).set(as(viewer))).status, 'their page').to.equal(404);
      expect((await client.get(`/api/v1/users/${author.id}`).set(as(viewer))).status, 'their profile').to.equal(404);
    }
    expect((await client.get(`${POSTS}/${posts[0]!.id}`).set(as(viewer))).status).to.equal(200);
    // The suspension over, all is back.
    await User.updateOne({ _id: suspended.id }, { $set: { suspendedUntil: new Date(Date.now() - 1000) } });
    expect((await client.get(`${POSTS}/${posts[1]!.id}`).set(as(viewer))).status).to.equal(200);
    expect((await client.get(`${POSTS}/author/${suspended.id}`).set(as(viewer))).status).to.equal(200);
    const after = await client.get(`${FEED}/trending?limit=3`).set(as(viewer));
    expect(after.body.posts.map((p: { id: string }) => p.id)).to.deep.equal([posts[1]!.id, posts[0]!.id, posts[3]!.id]);
  });

  it("trending hashtags wait for a moderator's approval before they show", async () => {
    const tag = `rising${Date.now().toString(36)}`;
    const authors = await Promise.all(Array.from({ length: 3 }, () => signupUser()));
    const posts = await Promise.all(authors.map((a) => readyPost(a, { caption: `#${tag} is the thing` })));
    const fans = await Promise.all(Array.from({ length: 4 }, () => signupUser()));
    for (const f of fans) for (const p of posts) await (await api()).post(`${POSTS}/${p.id}/like`).set(as(f));
    const { trending } = await runPostJobs();
    expect(trending).to.include(tag);
    const viewer = await signupUser();
    const hidden = await (await api()).get(`${FEED}/trending`).set(as(viewer));
    expectDocumented(hidden, 'get', `${FEED}/trending`);
    expect(hidden.body.hashtags.map((h: { tag: string }) => h.tag)).to.not.include(tag);

    const mod = await staffUser('moderator');
    const pending = await (await api()).get('/api/v1/admin/content/trending?status=pending').set(as(mod));
    expect(pending.body.hashtags.map((h: { tag: string }) => h.tag)).to.include(tag);
    const approve = await (await api()).patch(`/api/v1/admin/content/trending/${tag}`).set(as(mod)).send({ status: 'approved' });
    expect(approve.status).to.equal(204);
    const shown = await (await api()).get(`${FEED}/trending`).set(as(viewer));
    expect(shown.body.hashtags.map((h: { tag: string }) => h.tag)).to.include(tag);
    const byUser = await (
      await api()
    )
      .patch(`/api/v1/admin/content/trending/${tag}`)
      .set(as(viewer))
      .send({ status: 'rejected' });
    expect(byUser.status).to.equal(403);
    // The decision is in the audit trail, with who and the status before and after.
    const trail = await (
      await api()
    )
      .get('/api/v1/admin/audit')
      .set(as(await staffUser('admin')))
      .query({ targetId: tag });
    expect(trail.status).to.equal(200);
    expect(trail.body.records[0]).to.deep.include({
      action: 'content.trending_reviewed',
      actorId: mod.id,
      before: { status: 'pending' },
      after: { status: 'approved' },
    });
  });

  it("Nearby finds posts whose place is within the band, and only with the author's consent to a location", async () => {
    const author = await signupUser();
    const near = await readyPost(author, {
      placeName: 'Cubbon Park',
      placeConsent: 'true',
      placeLat: '12.9763',
      placeLng: '77.5929',
    });
    const far = await readyPost(author, {
      placeName: 'Marina Beach',
      placeConsent: 'true',
      placeLat: '13.05',
      placeLng: '80.28',
    });
    const viewer = await signupUser();
    const res = await (await api()).get(`${FEED}/nearby?lat=12.97&lng=77.59&km=5`).set(as(viewer));
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expectDocumented(res, 'get', `${FEED}/nearby`);
    const ids = res.body.items.map((p: Item) => p.id);
    expect(ids).to.include(near.id);
    expect(ids).to.not.include(far.id);
    expect(res.body.items.find((p: Item) => p.id === near.id).place).to.deep.include({
      name: 'Cubbon Park',
      lat: 12.98,
      lng: 77.59,
    });
    // Pages: newest first, each post once, the cursor carrying on where the page stopped.
    const extra = await Promise.all(
      [0, 1, 2].map(() =>
        readyPost(author, { placeName: 'MG Road', placeConsent: 'true', placeLat: '12.975', placeLng: '77.605' }),
      ),
    );
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: Item[]; nextCursor: string | null } } = await (
        await api()
      )
        .get(`${FEED}/nearby?lat=12.97&lng=77.59&km=5&limit=2${cursor ? `&cursor=${cursor}` : ''}`)
        .set(as(viewer));
      seen.push(...page.body.items.map((p) => p.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).to.equal(seen.length);
    expect(seen).to.include.members([near.id, ...extra.map((p) => p.id)]);
    expect(seen.indexOf(extra[2]!.id)).to.be.lessThan(seen.indexOf(near.id));
    const wide = await (await api()).get(`${FEED}/nearby?lat=12.97&lng=77.59&km=500`).set(as(viewer));
    expect(wide.body.items.map((p: Item) => p.id)).to.include.members([near.id, far.id]);
  });
});

describe('post moderation', function () {
  this.timeout(30_000);

  it('masks configured terms and profanity in captions and comments', async () => {
    const author = await signupUser();
    const post = await readyPost(author, { caption: 'Join my Crypto Scam today, shit deal' });
    const stored = (await Post.findById(post.id).lean())!.caption;
    expect(stored).to.not.match(/crypto scam/i);
    expect(stored).to.not.include('shit');
    expect(stored).to.include('Join my');
    const comment = await (
      await api()
    )
      .post(`${POSTS}/${post.id}/comments`)
      .set(as(author))
      .send({ text: 'a forbiddenword here' });
    expect(comment.body.comment.text).to.equal('a ************* here');
  });

  it('hides a post past the configured number of distinct reporters until a moderator restores it', async () => {
    const author = await signupUser();
    const post = await readyPost(author, { caption: 'controversial' });
    const [r1, r2, reader] = await Promise.all([trustedUser(), trustedUser(), signupUser()]);
    const report = (u: SignedUp) =>
      api().then((a) => a.post('/api/v1/reports').set(as(u)).send({ targetType: 'post', targetId: post.id, reason: 'spam' }));
    expect((await report(r1)).status).to.equal(201);
    expect((await report(r1)).status, 'the same reporter twice counts once').to.equal(200);
    expect((await (await api()).get(`${POSTS}/${post.id}`).set(as(reader))).status).to.equal(200);
    expect((await report(r2)).status).to.equal(201);
    expect((await (await api()).get(`${POSTS}/${post.id}`).set(as(reader))).status).to.equal(404);
    expect((await (await api()).get(`${POSTS}/${post.id}`).set(as(author))).status, 'the author still sees it').to.equal(200);

    const mod = await staffUser('moderator');
    const restore = await (await api()).patch(`/api/v1/admin/content/posts/${post.id}`).set(as(mod)).send({ action: 'restore' });
    expect(restore.status).to.equal(204);
    expectDocumented(restore, 'patch', '/api/v1/admin/content/posts/{id}');
    expect((await (await api()).get(`${POSTS}/${post.id}`).set(as(reader))).status).to.equal(200);

    // A comment, reported by two, disappears from the thread.
    const c = await (await api()).post(`${POSTS}/${post.id}/comments`).set(as(reader)).send({ text: 'rude' });
    for (const u of [r1, r2]) {
      await (
        await api()
      )
        .post('/api/v1/reports')
        .set(as(u))
        .send({ targetType: 'comment', targetId: c.body.comment.id, reason: 'harassment' });
    }
    const thread = await (await api()).get(`${POSTS}/${post.id}/comments`).set(as(author));
    expect(thread.body.items.map((x: { id: string }) => x.id)).to.not.include(c.body.comment.id);
    const cannotSee = await (
      await api()
    )
      .post('/api/v1/reports')
      .set(as(r1))
      .send({ targetType: 'post', targetId: (await readyPost(author, { visibility: 'connections' })).id, reason: 'spam' });
    expect(cannotSee.status).to.equal(404);
  });

  it('throwaway, new, reported and self reporters cannot hide a post by reporting it', async () => {
    const author = await signupUser();
    const post = await readyPost(author, { caption: 'an honest post' });
    const reader = await signupUser();
    const report = async (u: SignedUp) =>
      (await api()).post('/api/v1/reports').set(as(u)).send({ targetType: 'post', targetId: post.id, reason: 'spam' });
    const visible = async () => (await (await api()).get(`${POSTS}/${post.id}`).set(as(reader))).status === 200;

    expect((await report(author)).body.error.code, 'nobody reports their own post').to.equal('CANNOT_REPORT_SELF');
    // Five fresh, unverified accounts: every report is filed, none hides anything.
    for (const u of await Promise.all(Array.from({ length: 5 }, () => signupUser())))
      expect((await report(u)).status).to.equal(201);
    expect(await visible()).to.equal(true);
    // Verified but days old: still not trusted.
    const fresh = await signupUser();
    await User.updateOne({ _id: fresh.id }, { $set: { emailVerified: true } });
    expect((await report(fresh)).status).to.equal(201);
    expect(await visible()).to.equal(true);
    // An old, verified account whose own behaviour a moderator found reportable: not trusted either.
    // (An open report against someone does not count: anyone could file one to silence a reporter.)
    const suspect = await trustedUser();
    const accuser = await signupUser();
    const against = await (
      await api()
    )
      .post('/api/v1/reports')
      .set(as(accuser))
      .send({ targetType: 'user', targetId: suspect.id, reason: 'spam' });
    const moderator = await staffUser('moderator');
    await (
      await api()
    )
      .patch(`/api/v1/admin/reports/${against.body.report.id}`)
      .set(as(moderator))
      .send({ status: 'reviewed' })
      .expect(204);
    expect((await report(suspect)).status).to.equal(201);
    expect(await visible()).to.equal(true);
    expect(await Report.countDocuments({ targetId: post.id, trusted: true })).to.equal(0);

    // Two trusted reporters (the test threshold) hide it.
    for (const u of [await trustedUser(), await trustedUser()]) expect((await report(u)).status).to.equal(201);
    expect(await visible()).to.equal(false);
  });
});
