import { expect } from 'chai';
import { DEFAULT_RATE_RULES } from '../../config/rate-rules.js';
import { ActionLimiter, MemoryCounterStore, RateLimitedError } from '../../services/limits/action-limiter.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const MINUTE = 60_000;

describe('the per-process counters (no Redis, or Redis failing)', () => {
  it('counts each key in its own window, and starts again when the window ends', async () => {
    const counters = new MemoryCounterStore();
    const hit = async (key: string, windowMs: number) => (await counters.hit([{ key, windowMs, limit: 1e9 }]))[0]!.count;
    expect([await hit('a', 50), await hit('a', 50), await hit('b', MINUTE)]).to.deep.equal([1, 2, 1]);
    await sleep(60);
    expect([await hit('a', 50), await hit('b', MINUTE)]).to.deep.equal([1, 2]);
  });

  it('counts the keys after one past its limit no more (an account refused spends none of its address)', async () => {
    const counters = new MemoryCounterStore();
    const take = () =>
      counters.hit([
        { key: 'user', windowMs: MINUTE, limit: 2 },
        { key: 'address', windowMs: MINUTE, limit: 5 },
      ]);
    const counts = [];
    for (let i = 0; i < 4; i++) counts.push((await take()).map((c) => c.count));
    expect(counts).to.deep.equal([
      [1, 1],
      [2, 2],
      [3, 2],
      [4, 2],
    ]);
    // A key never counted reads as none.
    const [, unseen] = await counters.hit([
      { key: 'user', windowMs: MINUTE, limit: 2 },
      { key: 'elsewhere', windowMs: MINUTE, limit: 5 },
    ]);
    expect(unseen).to.deep.equal({ count: 0, resetMs: MINUTE });
  });

  it('reads without counting: the room a take would find', async () => {
    const limiter = new ActionLimiter(new MemoryCounterStore(), {
      ...DEFAULT_RATE_RULES,
      attachment: { user: 2, ip: 3, windowMs: MINUTE },
    });
    const caller = { userId: 'u1', ip: '203.0.113.9' };
    const roomFor = (userId: string) =>
      limiter.assertRoom('attachment', { userId, ip: caller.ip }).then(
        () => true,
        (err: unknown) => (err instanceof RateLimitedError ? false : Promise.reject(err)),
      );
    // Asking counts nothing: five questions, then two takes still go.
    for (let i = 0; i < 5; i++) expect(await roomFor('u1')).to.equal(true);
    await limiter.take('attachment', caller);
    expect(await roomFor('u1')).to.equal(true);
    await limiter.take('attachment', caller);
    expect(await roomFor('u1')).to.equal(false);
    // Another account at the address: its own budget is whole, the address's has one left.
    expect(await roomFor('u2')).to.equal(true);
    await limiter.take('attachment', { userId: 'u2', ip: caller.ip });
    expect(await roomFor('u3')).to.equal(false);
  });

  it('stays bounded under a flood of new keys: ended windows go first, then those hit once, oldest first', async () => {
    const counters = new MemoryCounterStore(1000);
    // Counters an attacker's flood must not reset while there are ended ones to sweep.
    for (let i = 0; i < 10; i++) await counters.hit([{ key: `kept ${i}`, windowMs: MINUTE, limit: 1e9 }]);
    for (let i = 0; i < 600; i++) await counters.hit([{ key: `ended ${i}`, windowMs: 1, limit: 1e9 }]);
    await sleep(5);
    for (let i = 0; i < 2000; i++) await counters.hit([{ key: `flood ${i}`, windowMs: MINUTE, limit: 1e9 }]);
    // The first sweep (past 1,000) took the 600 ended windows and nothing else.
    const [kept] = await counters.hit([{ key: 'kept 0', windowMs: MINUTE, limit: 1e9 }]);
    expect(kept!.count).to.equal(2);
    // One sweep a second: past the first, the flood grows the map until the next.
    expect(counters.size).to.be.at.most(10 + 2000);
    await sleep(1000);
    await counters.hit([{ key: 'one more', windowMs: MINUTE, limit: 1e9 }]);
    expect(counters.size).to.be.at.most(901);
    // What went were keys hit once, the oldest first: the newest stays, and so does a budget
    // in use (a flood cannot reset the counter of someone it is stopping).
    const [newest] = await counters.hit([{ key: 'flood 1999', windowMs: MINUTE, limit: 1e9 }]);
    expect(newest!.count).to.equal(2);
    const [inUse] = await counters.hit([{ key: 'kept 0', windowMs: MINUTE, limit: 1e9 }]);
    expect(inUse!.count).to.equal(3);
    const [oldest] = await counters.hit([{ key: 'flood 0', windowMs: MINUTE, limit: 1e9 }]);
    expect(oldest!.count, 'made again').to.equal(1);
  });

  it('keeps a budget in use through a flood that hits each of its keys twice', async () => {
    const counters = new MemoryCounterStore(1000);
    for (let i = 0; i < 5; i++) await counters.hit([{ key: 'busy', windowMs: MINUTE, limit: 1e9 }]);
    for (let i = 0; i < 1500; i++)
      for (let twice = 0; twice < 2; twice++) await counters.hit([{ key: `flood ${i}`, windowMs: MINUTE, limit: 1e9 }]);
    // The sweep past 1,000 (once: the flood lasts under a second) took about a hundred flood
    // keys (1,501 counters without it), and the oldest of all was the busy one.
    expect(counters.size).to.be.at.most(1401);
    const [busy] = await counters.hit([{ key: 'busy', windowMs: MINUTE, limit: 1e9 }]);
    expect(busy!.count, 'the oldest key, but the most used').to.equal(6);
  });
});
