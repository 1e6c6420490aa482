import { request as httpRequest, createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import express, { type Express } from 'express';
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

/** The routes of the comparison, on an app configured as createApp configures its own (no body ETag). */
function appWith(direct: boolean): Express {
  const app = express();
  app.set('etag', () => undefined);
  if (direct) directJsonResponses(app);
  app.get('/plain', (_req, res) => void res.json({ name: 'Zoë 🙂', n: 1, list: [true, null] }));
  app.get('/created', (_req, res) => void res.status(201).json({ id: 'a' }));
  app.get('/status/:code', (req, res) => void res.status(Number(req.params.code)).json({ x: 1 }));
  app.get('/typed', (_req, res) => void res.type('application/problem+json').json({ title: 'typed' }));
  app.get('/tagged', (_req, res) => void res.set('ETag', '"v1"').json({ tagged: true }));
  app.get('/nothing', (_req, res) => void res.json(undefined));
  app.get('/null', (_req, res) => void res.json(null));
  app.get('/text', (_req, res) => void res.json('a string'));
  app.get('/sent', (_req, res) => void res.send({ via: 'send' }));
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

  it('has the cases it compares: a plain answer with its length in bytes, and the ones Express decides', async () => {
    const plain = await fetchRaw(directWay, 'GET', '/plain');
    expect(plain.headers).to.include('Content-Type: application/json; charset=utf-8');
    expect(plain.headers).to.include(`Content-Length: ${Buffer.byteLength(plain.body)}`);
    expect(JSON.parse(plain.body)).to.deep.equal({ name: 'Zoë 🙂', n: 1, list: [true, null] });
    expect((await fetchRaw(directWay, 'GET', '/plain', { 'if-none-match': '*' })).status).to.equal(304);
    expect((await fetchRaw(directWay, 'GET', '/tagged', { 'if-none-match': '"v1"' })).status).to.equal(304);
    expect((await fetchRaw(directWay, 'GET', '/typed')).headers).to.include(
      'Content-Type: application/problem+json; charset=utf-8',
    );
  });
});
