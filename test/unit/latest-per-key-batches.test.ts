import { expect } from 'chai';
import { LatestPerKeyBatches } from '../../utils/latest-per-key-batches.js';

/** Batches that wait until released by hand, recording what each held and how many ran at once. */
function gatedBatches(maxBatch: number) {
  const batches: string[][] = [];
  const gates: (() => void)[] = [];
  const failed: string[][] = [];
  const signals: AbortSignal[] = [];
  let running = 0;
  let peak = 0;
  const queue = new LatestPerKeyBatches<number>(
    maxBatch,
    async (batch, signal) => {
      signals.push(signal);
      batches.push([...batch].map(([key, value]) => `${key}=${value}`));
      peak = Math.max(peak, ++running);
      await new Promise<void>((resolve) => gates.push(resolve));
      running--;
      if ([...batch.values()].some((v) => v < 0)) throw new Error('boom');
    },
    (_err, batch) => failed.push([...batch.keys()]),
  );
  const turn = () => new Promise((resolve) => setImmediate(resolve));
  const releaseAll = async () => {
    await turn();
    while (gates.length) {
      for (const open of gates.splice(0)) open();
      await turn();
      await turn();
    }
  };
  return { queue, batches, failed, signals, releaseAll, turn, peak: () => peak };
}

describe('LatestPerKeyBatches', () => {
  it('one batch at a time, of what waited, in arrival order, at most maxBatch; a key waiting keeps only its newest job', async () => {
    const { queue, batches, releaseAll, turn, peak } = gatedBatches(2);
    queue.push('a', 1);
    await turn();
    expect(batches).to.deep.equal([['a=1']]);
    queue.push('b', 1);
    queue.push('a', 2);
    queue.push('c', 1);
    queue.push('b', 2); // replaces b=1 in its place
    const drained = queue.drained();
    await releaseAll();
    await drained;
    expect(batches).to.deep.equal([['a=1'], ['b=2', 'a=2'], ['c=1']]);
    expect(peak()).to.equal(1);
  });

  it('a failing batch is reported and later ones still run; drained resolves at once when idle', async () => {
    const { queue, batches, failed, releaseAll } = gatedBatches(1);
    queue.push('x', -1);
    queue.push('y', 1);
    await releaseAll();
    await queue.drained();
    expect(failed).to.deep.equal([['x']]);
    expect(batches).to.deep.equal([['x=-1'], ['y=1']]);
    await queue.drained();
  });

  it('close drops what waits, takes nothing more, and tells the running batch to stop', async () => {
    const { queue, batches, signals, releaseAll, turn } = gatedBatches(5);
    queue.push('a', 1);
    await turn();
    queue.push('b', 1);
    queue.close();
    queue.push('c', 1);
    expect(signals[0]!.aborted).to.equal(true);
    await releaseAll();
    await queue.drained();
    expect(batches).to.deep.equal([['a=1']]);
  });
});
