/** A MongoDB duplicate-key error (E11000), with the index's key pattern when the server gives it. */
export const isDuplicateKey = (err: unknown): err is { code: 11000; keyPattern?: Record<string, unknown> } =>
  Boolean(err) &&
  typeof err === 'object' &&
  ((err as { code?: unknown }).code === 11000 ||
    // FerretDB answers an update that breaks a unique index with code 1 and PostgreSQL's message.
    ((err as { code?: unknown }).code === 1 &&
      /duplicate key value violates unique constraint/.test(String((err as Error).message))));

/** Runs an insert whose unique key is the rule "only once": true when it was stored, false when it was already there. */
export async function insertedOnce(insert: () => Promise<unknown>): Promise<boolean> {
  try {
    await insert();
    return true;
  } catch (err) {
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}

/** Waits for a write whose unique key may already hold it (a repeat, a race): a duplicate is no error. */
export async function ignoreDuplicate(write: Promise<unknown>): Promise<void> {
  try {
    await write;
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
  }
}
