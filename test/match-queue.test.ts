import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { config } from '../config/index.js';
import { Block } from '../models/block.model.js';
import { Report } from '../models/report.model.js';
import { MemoryPresenceStore, PresenceUnavailableError } from '../services/presence/presence.store.js';
import { Matchmaker } from '../services/match/matchmaker.js';
import { Match } from '../models/match.model.js';
import { MemoryQueueStore, QueueUnavailableError, RedisQueueStore, type QueueStore } from '../services/match/queue.store.js';
import { registerRealtimeSink } from '../services/realtime.service.js';
import { closeRedis, connectRedis, type RedisClient } from '../services/redis.service.js';
import { api } from './support/app.js';
import { eventually } from './support/chat.js';
import { bearer, signupUser, type SignedUp } from './support/users.js';

const as = (u: SignedUp) => bearer(u.accessToken);
let n = 0;
const tagFor = () => `mq${Date.now().toString(36)}${++n}`;

type Step = (...args: unknown[]) => Promise<unknown>;

/**
 * The queue, but these steps run and then their answer is lost (a connection reset, a stall
 * past the wait) the first time one of them is called; `beforeFirst` runs just before that
 * call (what another process did meanwhile). `lost.calls` counts the steps that ran.
 */
function losingFirstAnswer(queue: QueueStore, steps: (keyof QueueStore)[], beforeFirst?: () => Promise<void>) {
  const lost = { calls: 0 };
  let started = 0;
  const overrides = Object.fromEntries(
    steps.map((name) => {
      const step = (queue[name] as Step).bind(queue);
      const flakyStep: Step = async (...args) => {
        const first = ++started === 1;
        if (first) await beforeFirst?.();
        const answer = await step(...args);
        lost.calls++;
        if (first) throw new QueueUnavailableError(new Error('answer lost'));
        return answer;
      };
      return [name, flakyStep];
    }),
  );
  return { flaky: Object.assign(Object.create(queue) as QueueStore, overrides), lost };
}

// The matchmaker without sockets, on each queue store: what reaches it from the HTTP API.
for (const kind of ['memory', 'redis'] as const) {
  describe(`matchmaking queue on ${kind}`, () => {
    let redis: RedisClient | undefined;
    let store: QueueStore;
    let matchmaker: Matchmaker;
    let unregister: () => void;
    const found = new Map<string, { partner: { id: string; username?: string } }>();
    // Presence as the socket server keeps it: everyone made matchable here has a socket open.
    const online = new MemoryPresenceStore();
    /** A queue of this kind of its own, under a prefix of its own on Redis. */
    const freshQueue = (): QueueStore =>
      redis ? new RedisQueueStore(redis, `test:mq:${randomBytes(4).toString('hex')}:`) : new MemoryQueueStore();

    before(async function () {
      if (kind === 'redis' && !config.redisUrl) this.skip();
      redis = kind === 'redis' ? await connectRedis(config.redisUrl!) : undefined;
      store = freshQueue();
      matchmaker = new Matchmaker(store, online);
      matchmaker.start();
      unregister = registerRealtimeSink({
        toUsers: (ids, event, payload) => {
          if (event === 'match:found') for (const id of ids) found.set(id, payload as { partner: { id: string } });
        },
      });
    });
    after(async () => {
      unregister?.();
      matchmaker?.stop();
      await closeRedis(redis);
    });

    /** Two strangers of their own drawn after earlier tickets: a round has looked at those tickets. */
    async function aRoundPassed(): Promise<void> {
      const tag = tagFor();
      const [x, y] = await Promise.all([matchable(tag), matchable(tag)]);
      for (const u of [x, y]) await store.put(await matchmaker.ticketFor(u.id, { mode: 'chat', interests: [tag] }));
      await eventually(() => found.has(x.id) && found.has(y.id), 5000, 'a later pair drawn');
    }

    async function matchable(tag: string) {
      const user = await signupUser({ interests: [tag] });
      await (await api()).patch('/api/v1/users/me/status').set(as(user)).send({ availableForMatching: true }).expect(200);
      await online.add(user.id, `socket-of-${user.id}`);
      return user;
    }

    it('a block made while both wait keeps them apart; an unblock lets them meet', async () => {
      const tag = tagFor();
      const [ana, ben] = await Promise.all([matchable(tag), matchable(tag)]);
      // Tickets taken before the block, as if both had joined earlier.
      const tickets = await Promise.all([ana, ben].map((u) => matchmaker.ticketFor(u.id, { mode: 'chat', interests: [tag] })));
      expect(tickets[0]!.hidden).to.deep.equal([]);
      await (await api()).post(`/api/v1/users/${ben.id}/block`).set(as(ana)).expect(204);
      for (const t of tickets) await store.put(t);
      await aRoundPassed();
      expect(found.has(ana.id) || found.has(ben.id), 'blocked pair drawn').to.equal(false);
      expect(await store.size('chat')).to.equal(2);

      await (await api()).delete(`/api/v1/users/${ben.id}/block`).set(as(ana)).expect(204);
      await eventually(() => found.has(ben.id));
      expect(found.get(ana.id)?.partner).to.include({ id: ben.id, username: ben.input.username });
      expect(found.get(ben.id)?.partner.id).to.equal(ana.id);
      expect(await store.size('chat')).to.equal(0);
    });

    it('never offers a pair the database keeps apart when the queue never heard of it (a block, a report)', async () => {
      const [tag, other] = [tagFor(), tagFor()];
      const [ana, ben, cal, dan] = await Promise.all([matchable(tag), matchable(tag), matchable(other), matchable(other)]);
      // Tickets taken first, as if all four had joined earlier; then a block and a report whose
      // pair rules are lost on the way to the queue (Redis away when they were made).
      const tickets = await Promise.all(
        [ana, ben, cal, dan].map((u) =>
          matchmaker.ticketFor(u.id, { mode: 'chat', interests: [u === ana || u === ben ? tag : other] }),
        ),
      );
      await Block.create({ blockerId: ben.id, blockedId: ana.id });
      await Report.create({ reporterId: cal.id, targetType: 'user', targetId: dan.id, reason: 'harassment' });
      for (const t of tickets) await store.put(t);
      await aRoundPassed();
      const ids = [ana, ben, cal, dan].map((u) => u.id);
      expect(
        ids.filter((id) => found.has(id)),
        'a pair kept apart was offered',
      ).to.deep.equal([]);
      // All four wait on, for someone else.
      const allWaiting = async () => {
        const waiting = (await store.all('chat')).map((t) => t.userId);
        return ids.every((id) => waiting.includes(id));
      };
      await eventually(allWaiting, 3000, 'all four back in the queue');
      for (const id of ids) await store.remove(id);
    });

    it('puts nobody back who left the queue while their match waited for answers', async () => {
      const tag = tagFor();
      const [ana, ben] = await Promise.all([matchable(tag), matchable(tag)]);
      for (const u of [ana, ben]) await matchmaker.join(u.id, { mode: 'chat', interests: [tag] });
      await eventually(() => found.has(ana.id) && found.has(ben.id));
      const matchId = (found.get(ana.id) as unknown as { matchId: string }).matchId;
      // Ana leaves matchmaking while the offer waits (her ticket is out already), then ben says
      // no, which puts the other one back in the queue: not ana, who left.
      expect(await matchmaker.leave(ana.id)).to.equal(false);
      await matchmaker.respond(ben.id, matchId, false);
      const waiting = async () => (await store.all('chat')).map((t) => t.userId);
      expect(await waiting()).to.not.include(ana.id);
      // Joining again is up to her, and works.
      await matchmaker.join(ana.id, { mode: 'chat', interests: [tag] });
      expect(await waiting()).to.include(ana.id);
      await store.remove(ana.id);
    });

    it('puts a ticket back only if its user has neither left nor joined again since', async () => {
      const tag = tagFor();
      // A queue no matchmaker rounds over: the shared one's rounds would pair ana and cal once back.
      const queue = freshQueue();
      const [ana, ben, cal] = await Promise.all([matchable(tag), matchable(tag), matchable(tag)]);
      const ticketOf = (u: SignedUp, mode: 'chat' | 'video') => matchmaker.ticketFor(u.id, { mode, interests: [tag] });
      const waiting = async (mode: 'chat' | 'video') =>
        (await queue.all(mode)).filter((t) => [ana.id, ben.id, cal.id].includes(t.userId));
      // Ana and ben claimed into a match (their tickets out of the queue), as a round does.
      const first = await Promise.all([ticketOf(ana, 'video'), ticketOf(ben, 'video')]);
      for (const t of first) await queue.put(t);
      expect(await queue.claimPairs('video', [[ana.id, ben.id]], Date.now(), 'first claim')).to.deep.equal(['claimed']);
      // Meanwhile ana joins again (her client reconnected) and that ticket is claimed with cal's
      // too; ben leaves.
      await new Promise((r) => setTimeout(r, 5));
      const [again, cals] = await Promise.all([ticketOf(ana, 'chat'), ticketOf(cal, 'chat')]);
      for (const t of [again, cals]) await queue.put(t);
      expect(await queue.claimPairs('chat', [[ana.id, cal.id]], Date.now(), 'second claim')).to.deep.equal(['claimed']);
      await queue.remove(ben.id);
      // Neither first ticket comes back: ana joined since, ben left.
      expect(await queue.putBack(first[0]!)).to.equal(false);
      expect(await queue.putBack(first[1]!)).to.equal(false);
      // The tickets of ana's latest join and of cal do.
      expect(await queue.putBack(again)).to.equal(true);
      expect(await queue.putBack(cals)).to.equal(true);
      expect(await queue.putBack(cals), 'held already').to.equal(false);
      expect(await waiting('video')).to.deep.equal([]);
      expect((await waiting('chat')).map((t) => `${t.userId}:${t.joinedAt}`).sort()).to.deep.equal(
        [`${ana.id}:${again.joinedAt}`, `${cal.id}:${cals.joinedAt}`].sort(),
      );
      for (const u of [ana, cal]) await queue.remove(u.id);
    });

    it("puts back a lost claim's tickets only if that claim took them, never a withdrawn join's", async () => {
      const tag = tagFor();
      const queue = freshQueue();
      const [ana, ben, cal] = await Promise.all([matchable(tag), matchable(tag), matchable(tag)]);
      const ticketOf = (u: SignedUp) => matchmaker.ticketFor(u.id, { mode: 'video', interests: [tag] });
      const [anas, bens, cals] = await Promise.all([ticketOf(ana), ticketOf(ben), ticketOf(cal)]);
      for (const t of [anas, bens]) await queue.put(t);
      expect(await queue.claimPairs('video', [[ana.id, ben.id]], Date.now(), 'ours')).to.deep.equal(['claimed']);
      // Another claim's id (another process took them first): not put back; this claim's: once.
      expect(await queue.putBackClaimed(anas, 'theirs')).to.equal(false);
      expect(await queue.putBackClaimed(anas, 'ours')).to.equal(true);
      expect(await queue.putBackClaimed(anas, 'ours'), 'held already').to.equal(false);
      // A join told it failed (its ticket withdrawn) whose ticket a lost claim took meanwhile.
      await queue.put(cals);
      expect(await queue.claimPairs('video', [[cal.id, ana.id]], Date.now(), 'lost')).to.deep.equal(['claimed']);
      await queue.withdraw(cals);
      expect(await queue.putBackClaimed(cals, 'lost')).to.equal(false);
      expect(await queue.putBack(cals)).to.equal(false);
      expect(await queue.putBackClaimed(bens, 'ours')).to.equal(true);
      expect(
        (await queue.all('video')).map((t) => t.userId).filter((id) => [ana.id, ben.id, cal.id].includes(id)),
      ).to.have.members([ben.id]);
      await queue.remove(ben.id);
    });

    it("owes nothing back that another process's claim took before a lost one", async () => {
      const tag = tagFor();
      const [ana, ben, cal] = await Promise.all([matchable(tag), matchable(tag), matchable(tag)]);
      const queue = freshQueue();
      // This process proposes ana with ben; another process's claim takes ana (with cal) just
      // before; then this claim runs (ana taken: nothing claimed) and its answer is lost.
      const { flaky, lost } = losingFirstAnswer(queue, ['claimPairs'], async () => {
        expect(await queue.claimPairs('chat', [[ana.id, cal.id]], Date.now(), 'another process')).to.deep.equal(['claimed']);
      });
      const own = new Matchmaker(flaky, online);
      for (const u of [ana, ben, cal]) {
        await own.store.put(await own.ticketFor(u.id, { mode: 'chat', interests: [tag] }));
        await new Promise((r) => setTimeout(r, 2));
      }
      await own.round();
      expect(lost.calls).to.equal(1);
      // The next round settles what is owed: ana (matched elsewhere) stays out; ben waits on.
      await own.round();
      expect((await queue.all('chat')).map((t) => t.userId)).to.deep.equal([ben.id]);
      expect(found.has(ana.id)).to.equal(false);
    });

    it('retries a lost put-back only through the claim that took the ticket', async () => {
      const tag = tagFor();
      const [ana, ben, cal] = await Promise.all([matchable(tag), matchable(tag), matchable(tag)]);
      const queue = freshQueue();
      // A put-back (either kind) that runs, then its answer is lost, once.
      const { flaky, lost } = losingFirstAnswer(queue, ['putBack', 'putBackClaimed']);
      const own = new Matchmaker(flaky, online);
      for (const u of [ana, ben]) await own.store.put(await own.ticketFor(u.id, { mode: 'chat', interests: [tag] }));
      await own.round();
      await eventually(() => found.has(ana.id) && found.has(ben.id), 5000, 'ana and ben offered');
      // Ben says no: ana goes back (the put-back runs, its answer is lost: owed).
      const matchId = (found.get(ben.id) as unknown as { matchId: string }).matchId;
      await own.respond(ben.id, matchId, false);
      expect(lost.calls).to.equal(1);
      // Another process's round takes ana (with cal) meanwhile and offers them.
      await queue.put(await own.ticketFor(cal.id, { mode: 'chat', interests: [tag] }));
      expect(await queue.claimPairs('chat', [[ana.id, cal.id]], Date.now(), 'another process')).to.deep.equal(['claimed']);
      // This process settles what it owes: ana, claimed elsewhere, stays out of the queue.
      await own.round();
      expect(lost.calls, 'the owed put-back was tried again').to.equal(2);
      expect((await queue.all('chat')).map((t) => t.userId)).to.not.include(ana.id);
    });

    it('puts back what a claim or a taking of cards took when its answer was lost, and matches them after', async () => {
      for (const lost of ['claimPairs', 'takeCards'] as const) {
        const tag = tagFor();
        const [ana, ben] = await Promise.all([matchable(tag), matchable(tag)]);
        // A queue whose step runs, then its answer is lost (a connection reset, a stall past the wait), once.
        const queue = freshQueue();
        const { flaky, lost: ran } = losingFirstAnswer(queue, [lost]);
        // A matchmaker of its own that runs no rounds by itself.
        const own = new Matchmaker(flaky, online);
        for (const u of [ana, ben]) await own.store.put(await own.ticketFor(u.id, { mode: 'chat', interests: [tag] }));
        await own.round();
        await eventually(() => ran.calls === 1, 3000, `the ${lost} run`);
        // Taken out of the queue, and nobody told.
        expect(await queue.size('chat'), lost).to.equal(0);
        expect(found.has(ana.id) || found.has(ben.id), lost).to.equal(false);

        // The next round puts them back first, and pairs them; a card taken by the lost step is made again.
        await own.round();
        await eventually(() => found.has(ana.id) && found.has(ben.id), 5000, `the pair found after a lost ${lost}`);
        expect(found.get(ana.id)?.partner, lost).to.include({ id: ben.id, username: ben.input.username });
        expect(found.get(ben.id)?.partner, lost).to.include({ id: ana.id, username: ana.input.username });
        expect(await Match.countDocuments({ userIds: ana.id, status: 'pending' }), lost).to.equal(1);
        expect(await queue.size('chat'), lost).to.equal(0);
      }
    });

    it('joins and offers while presence cannot tell who is online (Redis in doubt): taken as live', async () => {
      const tag = tagFor();
      const [ana, ben] = await Promise.all([matchable(tag), matchable(tag)]);
      // Presence refusing every count, as the Redis store does while Redis is away or in doubt.
      const unknown = {
        count: () => Promise.reject(new PresenceUnavailableError()),
      };
      const own = new Matchmaker(freshQueue(), unknown);
      for (const u of [ana, ben]) await own.join(u.id, { mode: 'chat', interests: [tag] });
      await own.round();
      await eventually(() => found.has(ana.id) && found.has(ben.id), 5000, 'the pair offered');
      expect(found.get(ana.id)?.partner).to.include({ id: ben.id });
      expect(await Match.countDocuments({ userIds: ana.id, status: 'pending' })).to.equal(1);
    });

    it('ends the matches an insert stored though it failed, puts both back, and matches them after', async () => {
      const tag = tagFor();
      const [ana, ben] = await Promise.all([matchable(tag), matchable(tag)]);
      const own = new Matchmaker(freshQueue(), online);
      // The insert runs, then its answer is lost (the connection dropped after the write), once.
      const insertMany = Match.insertMany.bind(Match) as (...args: unknown[]) => Promise<unknown>;
      let inserts = 0;
      // The database is real; only the answer of its first insert is lost (its own property on the model, removed after).
      const restore = () => delete (Match as { insertMany?: unknown }).insertMany;
      Object.assign(Match, {
        insertMany: async (...args: unknown[]) => {
          const stored = await insertMany(...args);
          if (++inserts === 1) throw new Error('connection lost after the write');
          return stored;
        },
      });
      try {
        for (const u of [ana, ben]) await own.store.put(await own.ticketFor(u.id, { mode: 'chat', interests: [tag] }));
        await own.round();
        await eventually(async () => (await own.store.size('chat')) === 2, 3000, 'both back in the queue');
        // The stored match ended unseen: nothing pending refuses their next join, nobody was told.
        const first = await Match.find({ userIds: ana.id }, { status: 1 }).lean();
        expect(first.map((m) => m.status)).to.deep.equal(['disconnected']);
        expect(found.has(ana.id) || found.has(ben.id)).to.equal(false);

        await own.round();
        await eventually(() => found.has(ana.id) && found.has(ben.id), 5000, 'the pair found after');
        expect(await Match.countDocuments({ userIds: ana.id, status: 'pending' })).to.equal(1);
      } finally {
        restore();
      }
    });

    it('ranks the partner sharing profile interests above one who does not', async () => {
      const [tag, other] = [tagFor(), tagFor()];
      const [ana, ben, cara] = await Promise.all([matchable(tag), matchable(other), matchable(tag)]);
      // A matchmaker of its own that runs no rounds by itself: all three wait, then one round.
      const own = new Matchmaker(freshQueue(), online);
      for (const u of [ana, ben, cara]) await own.store.put(await own.ticketFor(u.id, { mode: 'chat' }));
      await own.round();
      await eventually(() => found.has(cara.id));
      expect(found.get(ana.id)?.partner.id, 'the longest waiting picks the best fit').to.equal(cara.id);
      expect(found.has(ben.id)).to.equal(false);
      await own.store.remove(ben.id);
    });

    it('interests from the profile rank partners; only the ones asked for when joining filter', async () => {
      const [tag, other] = [tagFor(), tagFor()];
      const [ana, ben, cara] = await Promise.all([matchable(tag), matchable(other), matchable(tag)]);
      const joinAs = async (u: SignedUp, interests?: string[]) =>
        store.put(await matchmaker.ticketFor(u.id, { mode: 'video', ...(interests && { interests }) }));
      // Ana asks for her tag: Ben (another tag) is not for her, Cara (same tag) is.
      await joinAs(ana, [tag]);
      await joinAs(ben);
      // Video tickets: a chat round passing is not proof, so a video pair of their own.
      const [x, y] = await Promise.all([matchable(other + 'x'), matchable(other + 'x')]);
      for (const u of [x, y]) await joinAs(u, [other + 'x']);
      await eventually(() => found.has(x.id) && found.has(y.id), 5000, 'a later pair drawn');
      expect(found.has(ana.id)).to.equal(false);
      await joinAs(cara);
      await eventually(() => found.has(cara.id));
      expect(found.get(ana.id)?.partner.id).to.equal(cara.id);
      await store.remove(ben.id);
    });

    it('puts nobody back in the queue when both of a pending match are gone, whichever handling runs first', async () => {
      const tag = tagFor();
      const [ana, ben, cara] = await Promise.all([matchable(tag), matchable(tag), matchable(tag)]);
      for (const u of [ana, ben]) await matchmaker.join(u.id, { mode: 'chat', interests: [tag] });
      await eventually(() => found.has(ana.id) && found.has(ben.id));
      const waiting = async () => (await store.all('chat')).map((t) => t.userId);
      // Both sockets close; presence drops them first, as the socket server does. Ben's
      // handling takes his (absent) ticket out before Ana's ends the match, which offers
      // him the queue again: the interleaving that left a ghost behind.
      await online.remove(ana.id, `socket-of-${ana.id}`);
      await online.remove(ben.id, `socket-of-${ben.id}`);
      await store.remove(ben.id);
      await matchmaker.userGone(ana.id);
      await matchmaker.userGone(ben.id);
      const left = await waiting();
      expect(left).to.not.include(ana.id);
      expect(left).to.not.include(ben.id);

      // Someone rejecting a live partner whose socket just closed does not bring them back either.
      await matchmaker.join(cara.id, { mode: 'chat', interests: [tag] });
      await online.add(ana.id, `socket-of-${ana.id}`);
      found.delete(ana.id);
      await matchmaker.join(ana.id, { mode: 'chat', interests: [tag] });
      await eventually(() => found.has(ana.id));
      await online.remove(cara.id, `socket-of-${cara.id}`);
      const matchId = (found.get(ana.id) as unknown as { matchId: string }).matchId;
      await matchmaker.respond(ana.id, matchId, false);
      expect(await waiting()).to.not.include(cara.id);
      await online.remove(ana.id, `socket-of-${ana.id}`);
    });
  });
}
