import { expect } from 'chai';
import { LatestPerKeyBatches } from '../../utils/latest-per-key-batches.js';
import { eventually } from '../support/eventually.js';

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

describe('LatestPerKeyBatches retries', () => {
  /** Jobs of the keys in `failFirst` fail that many times; every job done is recorded as key=value, with when. */
  function flaky(retry: { delayMs: number; attempts: number }, failFirst: Record<string, number> = {}) {
    const done: string[] = [];
    const at: number[] = [];
    const asRetry: boolean[] = [];
    const reported: string[] = [];
    const tries = new Map<string, number>();
    const queue = new LatestPerKeyBatches<number>(
      10,
      async (batch, _signal, retried) => {
        const failed: string[] = [];
        for (const [key, value] of batch) {
          done.push(`${key}=${value}`);
          asRetry.push(retried(key));
          at.push(performance.now());
          tries.set(key, (tries.get(key) ?? 0) + 1);
          if (tries.get(key)! <= (failFirst[key] ?? 0)) failed.push(key);
        }
        return failed;
      },
      (err, batch) => reported.push(`${[...batch.keys()].join()}: ${(err as Error).message}`),
      retry,
    );
    return { queue, done, at, asRetry, reported };
  }
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('a failed job is done again, waiting longer each time, until it succeeds; the others are not', async () => {
    const { queue, done, at, asRetry } = flaky({ delayMs: 20, attempts: 5 }, { a: 2 });
    queue.push('a', 1);
    queue.push('b', 1);
    await eventually(() => done.length === 4, 2000, 'two retries of a');
    expect(done).to.deep.equal(['a=1', 'b=1', 'a=1', 'a=1']);
    // The work is told which jobs are retries.
    expect(asRetry).to.deep.equal([false, false, true, true]);
    // Timers never fire early: 20 ms before the first retry, 40 before the second.
    expect(at[2]! - at[0]!).to.be.at.least(19);
    expect(at[3]! - at[2]!).to.be.at.least(39);
    await sleep(200);
    expect(done).to.have.length(4);
  });

  it('gives up after its attempts, and says so; a batch that throws has all its jobs retried', async () => {
    const done: string[] = [];
    const reported: string[] = [];
    const queue = new LatestPerKeyBatches<number>(
      10,
      async (batch) => {
        done.push(...batch.keys());
        throw new Error('the database is away');
      },
      (err, batch) => reported.push(`${[...batch.keys()].join()}: ${(err as Error).message}`),
      { delayMs: 10, maxDelayMs: 15, attempts: 4 },
    );
    queue.push('a', 1);
    await eventually(() => done.length === 4, 2000, 'four tries in all');
    await sleep(150);
    expect(done).to.deep.equal(['a', 'a', 'a', 'a']);
    expect(reported).to.deep.equal([...Array(4).fill('a: the database is away'), 'a: given up after 4 attempts']);
  });

  it('a newer job for the key replaces the retry: the old value is never done again', async () => {
    const { queue, done } = flaky({ delayMs: 400, attempts: 5 }, { a: 1 });
    queue.push('a', 1);
    await eventually(() => done.length === 1, 2000, 'the first try');
    queue.push('a', 2); // long before the retry of a=1 is due
    await sleep(600);
    expect(done).to.deep.equal(['a=1', 'a=2']);
  });

  it('a newer job that came while the failed one ran is done instead of a retry', async () => {
    const done: string[] = [];
    let release!: () => void;
    const queue = new LatestPerKeyBatches<number>(
      10,
      async (batch) => {
        done.push(...[...batch].map(([key, value]) => `${key}=${value}`));
        if (batch.get('a') !== 1) return [];
        await new Promise<void>((resolve) => (release = resolve));
        return ['a'];
      },
      () => undefined,
      { delayMs: 10, attempts: 5 },
    );
    queue.push('a', 1);
    await eventually(() => done.length === 1, 2000, 'the first job to run');
    queue.push('a', 2);
    release();
    await eventually(() => done.length === 2, 2000, 'the newer job');
    await sleep(100);
    expect(done).to.deep.equal(['a=1', 'a=2']);
  });

  it('close cancels the retries not yet due', async () => {
    const { queue, done, reported } = flaky({ delayMs: 200, attempts: 5 }, { a: 1 });
    queue.push('a', 1);
    await eventually(() => done.length === 1, 2000, 'the first try');
    queue.close();
    await sleep(350);
    expect(done).to.deep.equal(['a=1']);
    // Dropped, and said.
    expect(reported).to.deep.equal(['a: closed before its retry']);
  });

  it('submit resolves once its own job was tried, not once everything after it is done too', async () => {
    const done: string[] = [];
    const queue: LatestPerKeyBatches<number> = new LatestPerKeyBatches<number>(
      10,
      async (batch) => {
        done.push(...[...batch].map(([key, value]) => `${key}=${value}`));
        // c arrives while b's batch runs (the next batch), and takes long.
        if (batch.has('b')) queue.push('c', 1);
        await sleep(batch.has('c') ? 300 : 10);
      },
      () => undefined,
    );
    let idle = false;
    const tried = queue.submit('b', 1);
    void queue.drained().then(() => (idle = true));
    await tried;
    expect(done).to.deep.equal(['b=1', 'c=1']);
    expect(idle, "c's batch still running").to.equal(false);
    await queue.drained();
  });
});
