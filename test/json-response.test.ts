import { request as httpRequest, createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { directJsonResponses } from '../middlewares/json-response.js';

interface RawAnswer {
  status: number;
  headers: string[];
  body: string;
}

/** What went over the wire, headers in their order, Date left out (it differs by the second). */
function fetchRaw(server: Server, method: string, path: string, headers: Record<string, string> = {}): Promise<RawAnswer> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const raw = res.rawHeaders;
        const kept: string[] = [];
        for (let i = 0; i < raw.length; i += 2) if (raw[i]!.toLowerCase() !== 'date') kept.push(`${raw[i]}: ${raw[i + 1]}`);
        resolve({ status: res.statusCode!, headers: kept, body: Buffer.concat(chunks).toString('utf8') });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/** Calls of res.send by the app's handlers (Express's way ends there; the direct way does not). */
let sends = 0;

/** The routes of the comparison, on an app configured as createApp configures its own (no body ETag). */
function appWith(direct: boolean): Express {
  const app = express();
  app.set('etag', () => undefined);
  const send = app.response.send;
  app.response.send = function counted(this: Response, body?: unknown) {
    sends++;
    return send.call(this, body);
  };
  if (direct) directJsonResponses(app);
  app.get('/plain', (_req, res) => void res.json({ name: 'Zoë 🙂', n: 1, list: [true, null] }));
  app.get('/created', (_req, res) => void res.status(201).json({ id: 'a' }));
  app.get('/status/:code', (req, res) => void res.status(Number(req.params.code)).json({ x: 1 }));
  app.get('/typed', (_req, res) => void res.type('application/problem+json').json({ title: 'typed' }));
  app.get('/tagged', (_req, res) => void res.set('ETag', '"v1"').json({ tagged: true }));
  app.get('/dated', (_req, res) => void res.set('Last-Modified', new Date(0).toUTCString()).json({ dated: true }));
  app.get('/chunked', (_req, res) => void res.set('Transfer-Encoding', 'chunked').json({ chunked: true }));
  app.get('/nothing', (_req, res) => void res.json(undefined));
  app.get('/null', (_req, res) => void res.json(null));
  app.get('/text', (_req, res) => void res.json('a string'));
  app.get('/sent', (_req, res) => void res.send({ via: 'send' }));
  app.get('/cycle', (_req, res) => {
    const value: Record<string, unknown> = {};
    value.self = value;
    res.json(value);
  });
  // The message only: the default handler's page holds a stack, which differs by caller.
  app.use((err: Error, _req: Request, res: Response, _next: NextFunction) => void res.status(500).json({ error: err.message }));
  return app;
}

const listen = async (app: Express): Promise<Server> => {
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
};

describe('res.json written directly', () => {
  let expressWay: Server;
  let directWay: Server;
  before(async () => {
    expressWay = await listen(appWith(false));
    directWay = await listen(appWith(true));
  });
  after(() => {
    expressWay.close();
    directWay.close();
  });

  const cases: [string, string, Record<string, string>?][] = [
    ['GET', '/plain'],
    ['HEAD', '/plain'],
    ['GET', '/created'],
    ['GET', '/status/204'],
    ['GET', '/status/205'],
    ['GET', '/status/304'],
    ['GET', '/status/404'],
    ['GET', '/typed'],
    ['GET', '/tagged'],
    ['GET', '/tagged', { 'if-none-match': '"v1"' }],
    ['GET', '/plain', { 'if-none-match': '*' }],
    ['GET', '/plain', { 'if-modified-since': new Date(Date.now() + 60_000).toUTCString() }],
    ['GET', '/dated', { 'if-modified-since': new Date(Date.now() + 60_000).toUTCString() }],
    ['GET', '/chunked'],
    ['GET', '/cycle'],
    ['GET', '/nothing'],
    ['GET', '/null'],
    ['GET', '/text'],
    ['GET', '/sent'],
  ];
  for (const [method, path, headers] of cases) {
    it(`answers ${method} ${path}${headers ? ` with ${Object.keys(headers).join(', ')}` : ''} byte for byte as Express does`, async () => {
      const [theirs, ours] = await Promise.all([
        fetchRaw(expressWay, method, path, headers),
        fetchRaw(directWay, method, path, headers),
      ]);
      expect(ours).to.deep.equal(theirs);
    });
  }

  it('has the cases it compares: a plain answer written directly, and the ones Express decides', async () => {
    sends = 0;
    const plain = await fetchRaw(directWay, 'GET', '/plain');
    expect(sends, 'res.send calls for a plain answer').to.equal(0);
    expect(plain.headers).to.include('Content-Type: application/json; charset=utf-8');
    expect(plain.headers).to.include(`Content-Length: ${Buffer.byteLength(plain.body)}`);
    expect(JSON.parse(plain.body)).to.deep.equal({ name: 'Zoë 🙂', n: 1, list: [true, null] });
    const later = new Date(Date.now() + 60_000).toUTCString();
    expect((await fetchRaw(directWay, 'GET', '/plain', { 'if-none-match': '*' })).status).to.equal(304);
    expect((await fetchRaw(directWay, 'GET', '/tagged', { 'if-none-match': '"v1"' })).status).to.equal(304);
    expect((await fetchRaw(directWay, 'GET', '/dated', { 'if-modified-since': later })).status).to.equal(304);
    const chunked = await fetchRaw(directWay, 'GET', '/chunked');
    expect(chunked.headers).to.include('Transfer-Encoding: chunked');
    expect(chunked.headers.some((h) => h.startsWith('Content-Length'))).to.equal(false);
    expect((await fetchRaw(directWay, 'GET', '/typed')).headers).to.include(
      'Content-Type: application/problem+json; charset=utf-8',
    );
    expect((await fetchRaw(directWay, 'GET', '/cycle')).status).to.equal(500);
    expect(sends, 'res.send calls: each case above but the first and the cycle').to.equal(5);
  });

  it('refuses an app whose ETag or JSON settings it would leave out', () => {
    expect(() => directJsonResponses(express())).to.throw('no ETag');
    for (const [setting, value] of [
      ['json escape', true],
      ['json replacer', (_key: string, v: unknown) => v],
      ['json spaces', 2],
    ] as const) {
      const app = express();
      app.set('etag', () => undefined);
      app.set(setting, value);
      expect(() => directJsonResponses(app), setting).to.throw(setting);
    }
  });
});
