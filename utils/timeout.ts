/**
 * The promise's result, or a rejection once `ms` have passed without one. A timer that fires
 * late, after the event loop was held up, runs before the I/O that came in meanwhile is read:
 * the verdict waits one turn (setImmediate runs after the poll phase), so an answer already
 * here wins over a timeout that only measured our own stall.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  if (!Number.isFinite(ms)) throw new RangeError(`withTimeout: ${ms} ms is no wait`);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => setImmediate(() => reject(new Error(`no answer within ${ms} ms`))), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
