import { parse } from 'cookie';
import type { Express } from 'express';
import { lazyRequestProperty } from './lazy-request-property.js';

/**
 * `req.cookies`, parsed from the Cookie header when a handler first reads it. Most requests
 * never do: apps send a Bearer token, probes and webhooks carry no cookies, and a safe
 * method skips the CSRF check; cookie-parser parsed (and allocated for) every one. Values
 * stay strings: no "j:" cookie is turned into an object, as cookie-parser did.
 */
export function lazyCookies(app: Express): void {
  lazyRequestProperty(app, 'cookies', (req) => {
    const header = req.headers.cookie;
    return header ? parse(header) : Object.create(null);
  });
}
