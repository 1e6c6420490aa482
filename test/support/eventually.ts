/**
 * Resolves once `check` holds, trying again every 25 ms; fails naming `what` after `ms`.
 * For "nothing happened" assertions, wait for a later event that proves the earlier one
 * would have arrived, never a bare sleep.
 */
export async function eventually(check: () => Promise<boolean> | boolean, ms = 5000, what = 'the condition'): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (
      await Promise.resolve()
        .then(check)
        .catch(() => false)
    )
      return;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
