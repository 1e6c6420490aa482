import { expect } from 'chai';
import { Semaphore, SemaphoreFullError } from '../../utils/semaphore.js';

describe('Semaphore', () => {
  it('never runs more than its limit when slots free up in the same tick as a newcomer arrives', async () => {
    const gate = new Semaphore(2);
    let running = 0;
    let peak = 0;
    let open!: () => void;
    const opened = new Promise<void>((resolve) => (open = resolve));
    const task = async () => {
      running++;
      peak = Math.max(peak, running);
      await opened;
      running--;
    };
    // Two holders finish together; two waiters queue behind them; a holder's caller
    // comes straight back for another slot while those waiters are being woken.
    const first = gate.run(task).then(() => gate.run(task));
    const second = gate.run(task);
    const waiters = [gate.run(task), gate.run(task)];
    open();
    await Promise.all([first, second, ...waiters]);
    expect(peak).to.equal(2);
    expect(running).to.equal(0);
  });

  it('refuses a newcomer at once when its wait, at the average task, would pass maxWaitMs', async () => {
    const gate = new Semaphore(2, { maxWaitMs: 100 });
    const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
    // Tasks of about 40 ms: two at once, so a line of n waits about (n + 1) * 20 ms.
    await Promise.all([gate.run(() => sleep(40)), gate.run(() => sleep(40))]);
    let open!: () => void;
    const opened = new Promise<void>((resolve) => (open = resolve));
    const holders = [gate.run(() => opened), gate.run(() => opened)];
    // Newcomers join until the one whose wait would pass 100 ms: about 100 / 20 - 1 of them.
    const waiters: Promise<string>[] = [];
    let refused = false;
    while (!refused && waiters.length < 20) {
      const joined = gate.run(async () => 'waited');
      joined.catch((err: unknown) => (refused = err instanceof SemaphoreFullError));
      // A refusal settles at once; a newcomer in line stays pending.
      await new Promise((resolve) => setImmediate(resolve));
      if (!refused) waiters.push(joined);
    }
    expect(refused).to.equal(true);
    expect(waiters.length).to.be.within(3, 5);
    open();
    expect(new Set(await Promise.all(waiters))).to.deep.equal(new Set(['waited']));
    await Promise.all(holders);
    expect(await gate.run(async () => 'ran')).to.equal('ran');
  });

  it('takes a kept-lane task into a full line, serves the lanes in turn, and bounds the kept lane apart', async () => {
    const gate = new Semaphore(1, { maxWaitMs: 100, estimateMs: 30 });
    let open!: () => void;
    const opened = new Promise<void>((resolve) => (open = resolve));
    const order: string[] = [];
    const holder = gate.run(() => opened);
    // The shared line fills (30, 60, 90 ms), and refuses the next.
    const shared = [1, 2, 3].map((n) => gate.run(async () => void order.push(`shared ${n}`)));
    const refused = (joined: Promise<unknown>) =>
      joined.then(
        () => 'ran',
        (err: unknown) => err instanceof SemaphoreFullError,
      );
    expect(await refused(gate.run(async () => 'late'))).to.equal(true);
    expect(gate.wouldRefuse()).to.equal(true);
    // The kept lane is bounded apart: its own ahead, and as many of the rest served in turn
    // (30, then 30 + 30 + 30 ms): two join it, the third would wait 150 ms.
    expect(gate.wouldRefuse('kept')).to.equal(false);
    const kept = [1, 2].map((n) => gate.run(async () => void order.push(`kept ${n}`), 'kept'));
    expect(await refused(gate.run(async () => 'late', 'kept'))).to.equal(true);
    open();
    await Promise.all([holder, ...shared, ...kept]);
    // In turn while both wait: the rest wait at most about twice what they were told.
    expect(order).to.deep.equal(['kept 1', 'shared 1', 'kept 2', 'shared 2', 'shared 3']);
  });

  it('bounds the line by its estimate before any task has been timed', async () => {
    const gate = new Semaphore(1, { maxWaitMs: 100, estimateMs: 30 });
    let open!: () => void;
    const opened = new Promise<void>((resolve) => (open = resolve));
    const holder = gate.run(() => opened);
    // With n ahead, a wait of (n + 1) * 30 ms: three join (30, 60, 90 ms), a fourth would wait 120.
    const waiters = [1, 2, 3].map(() => gate.run(async () => 'waited'));
    let fourth = 'joined';
    gate.run(async () => 'joined').catch((err: unknown) => (fourth = err instanceof SemaphoreFullError ? 'refused' : 'failed'));
    await new Promise((resolve) => setImmediate(resolve));
    open();
    expect([fourth, ...(await Promise.all(waiters))]).to.deep.equal(['refused', 'waited', 'waited', 'waited']);
    await holder;
  });

  it('releases the slot when a task fails', async () => {
    const gate = new Semaphore(1);
    await gate.run(() => Promise.reject(new Error('boom'))).catch(() => undefined);
    expect(await gate.run(async () => 'ran')).to.equal('ran');
  });
});
