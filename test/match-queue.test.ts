import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { config } from '../config/index.js';
import { Matchmaker } from '../services/match/match.service.js';
import { MemoryQueueStore, RedisQueueStore, type QueueStore } from '../services/match/queue.store.js';
import { registerRealtimeSink } from '../services/realtime.service.js';
import { closeRedis, connectRedis, type RedisClient } from '../services/redis.service.js';
import { api } from './support/app.js';
import { wait } from './support/chat.js';
import { bearer, signupUser, type SignedUp } from './support/users.js';

const as = (u: SignedUp) => bearer(u.accessToken);
let n = 0;
const tagFor = () => `mq${Date.now().toString(36)}${++n}`;

// The matchmaker without sockets, on each queue store: what reaches it from the HTTP API.
for (const kind of ['memory', 'redis'] as const) {
  describe(`matchmaking queue on ${kind}`, () => {
    let redis: RedisClient | undefined;
    let store: QueueStore;
    let matchmaker: Matchmaker;
    let unregister: () => void;
    const found = new Map<string, { partner: { id: string; username?: string } }>();

    before(async function () {
      if (kind === 'redis' && !config.redisUrl) this.skip();
      redis = kind === 'redis' ? await connectRedis(config.redisUrl!) : undefined;
      store = redis ? new RedisQueueStore(redis, `test:mq:${randomBytes(4).toString('hex')}:`) : new MemoryQueueStore();
      matchmaker = new Matchmaker(store);
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

    async function matchable(tag: string) {
      const user = await signupUser({ interests: [tag] });
      await (await api()).patch('/api/v1/users/me/status').set(as(user)).send({ availableForMatching: true }).expect(200);
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
      await wait(400); // several rounds
      expect(found.has(ana.id) || found.has(ben.id), 'blocked pair drawn').to.equal(false);
      expect(await store.size('chat')).to.equal(2);

      await (await api()).delete(`/api/v1/users/${ben.id}/block`).set(as(ana)).expect(204);
      for (let i = 0; i < 60 && !found.has(ben.id); i++) await wait(50);
      expect(found.get(ana.id)?.partner).to.include({ id: ben.id, username: ben.input.username });
      expect(found.get(ben.id)?.partner.id).to.equal(ana.id);
      expect(await store.size('chat')).to.equal(0);
    });

    it('ranks the partner sharing profile interests above one who does not', async () => {
      const [tag, other] = [tagFor(), tagFor()];
      const [ana, ben, cara] = await Promise.all([matchable(tag), matchable(other), matchable(tag)]);
      // A matchmaker of its own that runs no rounds by itself: all three wait, then one round.
      const own = new Matchmaker(
        kind === 'redis' ? new RedisQueueStore(redis!, `test:mq:${randomBytes(4).toString('hex')}:`) : new MemoryQueueStore(),
      );
      for (const u of [ana, ben, cara]) await own.store.put(await own.ticketFor(u.id, { mode: 'chat' }));
      await own.round();
      for (let i = 0; i < 60 && !found.has(cara.id); i++) await wait(50);
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
      await wait(300);
      expect(found.has(ana.id)).to.equal(false);
      await joinAs(cara);
      for (let i = 0; i < 60 && !found.has(cara.id); i++) await wait(50);
      expect(found.get(ana.id)?.partner.id).to.equal(cara.id);
      await store.remove(ben.id);
    });
  });
}
