/**
 * Runs a keyed task at most once per `everyMs`: the first call at once, any later calls in
 * the window folded into one run when it closes. Tasks read the latest state when they run,
 * so folding loses nothing; a post going viral sends its author a few events a second, not
 * thousands. Per process: each process folds what it sees.
 */
export function perKeyThrottle(everyMs: number): (key: string, task: () => void) => void {
  const open = new Map<string, { again: (() => void) | null }>();
  return (key, task) => {
    const window = open.get(key);
    if (window) {
      window.again = task;
      return;
    }
    const fresh: { again: (() => void) | null } = { again: null };
    open.set(key, fresh);
    const close = (): void => {
      const again = fresh.again;
      if (!again) {
        open.delete(key);
        return;
      }
      fresh.again = null;
      setTimeout(close, everyMs).unref();
      again();
    };
    // The window's end is set before the task runs: a task that throws cannot hold its key.
    setTimeout(close, everyMs).unref();
    task();
  };
}
