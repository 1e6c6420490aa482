import { expect } from 'chai';
import { Semaphore } from '../../utils/semaphore.js';

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

  it('releases the slot when a task fails', async () => {
    const gate = new Semaphore(1);
    await gate.run(() => Promise.reject(new Error('boom'))).catch(() => undefined);
    expect(await gate.run(async () => 'ran')).to.equal('ran');
  });
});
