/** A MongoDB duplicate-key error (E11000), with the index's key pattern when the server gives it. */
export const isDuplicateKey = (err: unknown): err is { code: 11000; keyPattern?: Record<string, unknown> } =>
  Boolean(err) && typeof err === 'object' && (err as { code?: unknown }).code === 11000;
