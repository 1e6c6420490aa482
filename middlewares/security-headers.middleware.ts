import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * Helmet's headers with its defaults, worked out once: helmet builds the same static set
 * for every response through a dozen nested middlewares; here each response gets the
 * recorded set in one pass. Helmet stays the source of what they are.
 */
export function securityHeaders(): RequestHandler {
  const headers: [string, string][] = [];
  const removed: string[] = [];
  const recorder = {
    setHeader: (name: string, value: string | number) => void headers.push([name, String(value)]),
    removeHeader: (name: string) => void removed.push(name),
  };
  let done = false;
  helmet()({} as IncomingMessage, recorder as unknown as ServerResponse, () => (done = true));
  // Helmet's defaults are synchronous and need nothing of the request; anything else is a bug here.
  if (!done) throw new Error('helmet did not finish synchronously');
  return (_req, res, next) => {
    for (const [name, value] of headers) res.setHeader(name, value);
    for (const name of removed) res.removeHeader(name);
    next();
  };
}

/**
 * API responses carry personal data and, from sign-in and refresh, tokens: no cache, the
 * browser's included, may keep one (RFC 6749 5.1 asks this of token responses, and a page
 * of someone's chats left in a shared computer's disk cache is the same leak). A route that
 * serves something cacheable (a media file) sets its own Cache-Control after this.
 */
export const notStored: RequestHandler = (_req, res, next) => {
  res.setHeader('Cache-Control', 'no-store');
  next();
};
