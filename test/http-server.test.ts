import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import express from 'express';
import { createAppServer, REQUEST_FIELDS, RESPONSE_FIELDS } from '../http-server.js';
import { testApp } from './support/app.js';

describe('the HTTP server an app is served on', () => {
  it("gives requests and responses no field that would hide a getter or a default of Express's or the app's", async () => {
    const app = await testApp();
    // app.request holds the app's lazy fields (req.log, req.cookies) and Express's getters
    // (req.query, req.ip...), and leads on to IncomingMessage's; app.response to ServerResponse's.
    expect(REQUEST_FIELDS.filter((name) => name in app.request)).to.deep.equal([]);
    expect(RESPONSE_FIELDS.filter((name) => name in app.response)).to.deep.equal([]);
    // The check itself sees what it is for: Express's getter and the app's lazy field.
    expect(['query', 'log'].filter((name) => name in app.request)).to.deep.equal(['query', 'log']);
  });

  it('hands the app requests and responses born with those fields, unset', async () => {
    let seen: { request: [string, unknown][]; response: [string, unknown][] } | undefined;
    const server = createAppServer((req: IncomingMessage, res: ServerResponse) => {
      const own = (o: object, names: readonly string[]) =>
        names.map((name): [string, unknown] => [name, Object.hasOwn(o, name) ? (o as Record<string, unknown>)[name] : 'absent']);
      seen = { request: own(req, REQUEST_FIELDS), response: own(res, RESPONSE_FIELDS) };
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      expect(await res.text()).to.equal('ok');
      expect(seen!.request).to.deep.equal(REQUEST_FIELDS.map((name) => [name, undefined]));
      expect(seen!.response).to.deep.equal(RESPONSE_FIELDS.map((name) => [name, undefined]));
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
  it("pre-sets the field parseurl caches its parse in: Express's routing fills it (a parseurl that renames it fails here)", async () => {
    let parsed: unknown;
    const app = express();
    app.get('/p', (req, res) => {
      parsed = (req as unknown as { _parsedUrl?: { pathname?: string } })._parsedUrl?.pathname;
      res.end('ok');
    });
    const server = createAppServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      await (await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/p?q=1`)).text();
      expect(parsed).to.equal('/p');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
