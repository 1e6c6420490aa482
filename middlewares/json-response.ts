import type { Express, Response } from 'express';

/**
 * res.json for `app` that writes the common answer directly: a body of JSON text with its
 * type and length, sent as a string. Express's own res.json parses and re-formats the type it
 * has just set to add a charset, asks for an ETag, turns the text into a Buffer for it, and
 * works out freshness, for every response; with no body ETag (createApp) none of that changes
 * a byte of a plain answer. Anything else goes on as Express's res.json goes on after its
 * stringify (res.send), which stays the reference: a type a route set, an ETag one set (by
 * caution: without a conditional request the bytes would be the same), a conditional request
 * (If-None-Match, If-Modified-Since: Express may answer 304), a status that carries no body
 * (204, 205, 304), a Transfer-Encoding, or a value JSON has no text for.
 * Call it once the app's settings are made: it refuses an app whose settings it would ignore.
 */
export function directJsonResponses(app: Express): void {
  const etag = app.get('etag fn') as ((body: string, encoding: string) => unknown) | undefined;
  if (typeof etag === 'function' && etag('{}', 'utf8') !== undefined) throw new Error('direct JSON answers carry no ETag');
  for (const setting of ['json escape', 'json replacer', 'json spaces']) {
    if (app.get(setting) !== undefined) throw new Error(`direct JSON answers do not apply "${setting}"`);
  }
  app.response.json = function json(this: Response, value: unknown) {
    // Once, before any header: a value JSON refuses (a cycle, a BigInt) throws as it does in Express.
    const text = JSON.stringify(value) as string | undefined;
    if (text === undefined || !isPlainAnswer(this)) {
      if (!this.get('Content-Type')) this.set('Content-Type', 'application/json');
      return this.send(text);
    }
    this.setHeader('Content-Type', 'application/json; charset=utf-8');
    this.setHeader('Content-Length', String(Buffer.byteLength(text)));
    // Node leaves out the body of an answer to HEAD; Express does the same by sending none.
    if (this.req.method === 'HEAD') this.end();
    else this.end(text, 'utf8');
    return this;
  };
}

function isPlainAnswer(res: Response): boolean {
  const status = res.statusCode;
  if (status === 204 || status === 205 || status === 304) return false;
  const { headers } = res.req;
  if (headers['if-none-match'] !== undefined || headers['if-modified-since'] !== undefined) return false;
  return (
    res.getHeader('content-type') === undefined &&
    res.getHeader('etag') === undefined &&
    res.getHeader('transfer-encoding') === undefined
  );
}
