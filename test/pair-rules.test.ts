import { expect } from 'chai';
import { Block } from '../models/block.model.js';
import { PairRules } from '../services/match/pair-rules.js';
import { MemoryQueueStore, QueueUnavailableError, type QueueStore, type Ticket } from '../services/match/queue.store.js';
import { eventually } from './support/eventually.js';
import { signupUser } from './support/users.js';

/**
 * The queue's pair rules when their first write fails (Redis away): retried, and a block's or an
 * unblock's retry writes what the database says by then, since another process may have heard
 * the opposite word meanwhile and written it first.
 */
describe('pair rules through a queue that was away', () => {
  /** A memory queue whose pair writes fail while `away`, each recorded. */
  function flakyQueue() {
    const queue = new MemoryQueueStore();
    const state = { away: true, writes: [] as string[] };
    const store: QueueStore = Object.assign(Object.create(queue) as QueueStore, {
      avoid: async (a: string, b: string, until: number) => {
        state.writes.push('avoid');
        if (state.away) throw new QueueUnavailableError();
        await queue.avoid(a, b, until);
      },
      forgive: async (a: string, b: string) => {
        state.writes.push('forgive');
        if (state.away) throw new QueueUnavailableError();
        await queue.forgive(a, b);
      },
    });
    return { store, state };
  }

  it("a block's retry lifts it if it was lifted meanwhile; an unblock's retry keeps them apart if blocked again", async () => {
    const [ana, ben, cal, dan] = await Promise.all([signupUser(), signupUser(), signupUser(), signupUser()]);
    const { store, state } = flakyQueue();
    const rules = new PairRules(store);

    // Ana blocks ben; the rule fails; another process hears ana unblock him before Redis is back.
    await Block.create({ blockerId: ana.id, blockedId: ben.id });
    await rules.separate(ana.id, ben.id);
    await Block.deleteOne({ blockerId: ana.id, blockedId: ben.id });
    // Cal unblocks dan (no block left); the rule fails; dan blocks cal meanwhile elsewhere.
    await rules.reunite(cal.id, dan.id);
    await Block.create({ blockerId: dan.id, blockedId: cal.id });
    expect(state.writes).to.deep.equal(['avoid', 'forgive']);

    state.away = false;
    await eventually(() => state.writes.length === 4, 5000, 'both rules retried');
    // What holds now: ana and ben may meet, cal and dan may not.
    for (const u of [ana, ben, cal, dan]) await store.put({ userId: u.id, mode: 'chat' } as Ticket);
    expect(
      await store.claimPairs(
        'chat',
        [
          [ana.id, ben.id],
          [cal.id, dan.id],
        ],
        Date.now(),
        'a claim',
      ),
    ).to.deep.equal(['claimed', 'avoided']);
  });
});
