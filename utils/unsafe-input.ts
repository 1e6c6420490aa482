import { AppError } from './app-error.js';

// What every door refuses in what a client sends (HTTP bodies, queries and path parameters;
// socket payloads), before any check or query reads it.

/** What a door refuses in a body, a query, the params or a socket payload. */
type Unsafe = { key: string } | { illFormed: true };

// A lone surrogate (JSON's "\ud800") or a NUL: no text of ours holds either. validator's checks
// that encode their input (isEmail's byte length) throw on the first, a 500 for a client's
// mistake; the second ends a bcrypt password early and is refused by FerretDB's storage.
const BROKEN_TEXT = /\p{Cs}|\0/u;
const ILL_FORMED: Unsafe = { illFormed: true };

/**
 * The first key, at any depth, that could become a MongoDB operator or path, or the first
 * key or text that is not well-formed Unicode (or holds a NUL).
 */
function findUnsafeInput(value: unknown, depth = 0): Unsafe | null {
  if (typeof value === 'string') return BROKEN_TEXT.test(value) ? ILL_FORMED : null;
  if (value === null || typeof value !== 'object') return null;
  // Binary (a socket event may carry a Buffer): no keys or text, and walking it would visit every byte.
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return null;
  if (depth > 20) return { key: '(too deep)' };
  for (const [key, child] of Object.entries(value)) {
    if (key.startsWith('$') || key.includes('.')) return { key };
    if (BROKEN_TEXT.test(key)) return ILL_FORMED;
    const found = findUnsafeInput(child, depth + 1);
    if (found) return found;
  }
  return null;
}

/** Throws what `findUnsafeInput` found in one part of the request, if anything. */
export function refuseUnsafeInput(value: unknown, location: 'body' | 'query' | 'params' | 'payload'): void {
  const found = findUnsafeInput(value);
  if (!found) return;
  if ('key' in found) {
    throw new AppError('INVALID_INPUT_KEY', 'Keys may not start with "$" or contain "."', { location, key: found.key });
  }
  throw new AppError('MALFORMED_TEXT', 'The request holds a NUL or text that is not valid Unicode', { location });
}
