/**
 * Resolves once `check` holds, trying again every 25 ms; fails naming `what` after `ms`.
 * For "nothing happened" assertions, wait for a later event that proves the earlier one
 * would have arrived, never a bare sleep.
 */
export async function eventually(check: () => Promise<boolean> | boolean, ms = 5000, what = 'the condition'): Promise<void> {
  const deadline = Date.now() + ms;
  let lastError: unknown;
  for (;;) {
    try {
      if (await check()) return;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      const cause = lastError instanceof Error ? ` (last try threw: ${lastError.message})` : '';
      throw new Error(`timed out after ${ms} ms waiting for ${what}${cause}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** `promise`'s value, or a failure naming `what` if it has not settled within `ms`. */
export async function within<T>(ms: number, promise: Promise<T>, what = 'the event'): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}
