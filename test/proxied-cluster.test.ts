import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { connect as http2Connect } from 'node:http2';
import { request as httpRequest } from 'node:http';
import { io, type Socket } from 'socket.io-client';
import { config } from '../config/index.js';
import { clientId } from './support/chat.js';
import { eventually } from './support/eventually.js';
import {
  hasNginx,
  heldUpload,
  sentOnAfterAnswer,
  httpsGet,
  httpsSend,
  startProxiedCluster,
  type ProxiedCluster,
} from './support/proxied-cluster.js';
import { connect } from './support/connections.js';
import { png } from './support/images.js';
import { readingOf } from './support/upload-check.js';
import { readyPost } from './support/posts.js';
import { QuotaCounter } from '../models/quota-counter.model.js';
import { utcDay } from '../utils/clock.js';
import { newSignup } from './support/users.js';

/**
 * The shipped operations files, run as in production: nginx (TLS, HTTP/2) in front of the
 * two pm2 processes of ecosystem.config.cjs sharing Redis. Everything below goes through
 * nginx, from chosen loopback addresses (127.0.0.x), as clients on the internet would.
 */
describe('behind nginx, two pm2 processes', function () {
  this.timeout(180_000);
  let cluster: ProxiedCluster;
  const sockets: Socket[] = [];
  const run = randomBytes(3).toString('hex');

  before(async function () {
    if (!hasNginx() || !config.redisUrl) {
      console.warn('    nginx or REDIS_URL missing: the proxied cluster tests are skipped (CI has both)');
      this.skip();
    }
    cluster = await startProxiedCluster({
      MONGODB_URI: process.env.MONGODB_URI!,
      REDIS_URL: config.redisUrl!,
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      BCRYPT_COST: '10',
      CORS_ORIGINS: 'https://app.example.com',
      PUBLIC_URL: 'https://api.example.com',
      APP_URL: 'https://app.example.com',
      // The test's own secret and database: people made here sign in there.
      JWT_ACCESS_SECRET: config.auth.jwtSecret,
      CHAT_KEYS: `k1:${randomBytes(32).toString('base64')}`,
      RAZORPAY_KEY_ID: 'rzp_test_cluster',
      RAZORPAY_KEY_SECRET: 'cluster-secret',
      RAZORPAY_WEBHOOK_SECRET: 'cluster-webhook-secret',
      ENABLE_JOBS: 'false',
      RATE_LIMIT_PREFIX: `rl:proxied:${run}:`,
      FORGOT_PASSWORD_PER_IP_PER_HOUR: '3',
      SIGNUP_PER_IP_PER_HOUR: '1000',
      SHUTDOWN_TIMEOUT_MS: '5000',
      // The test's own gallery size: a gallery filled here is full there.
      GALLERY_MAX_PHOTOS: String(config.uploads.galleryMax),
      MAIL_PROVIDER: 'ses',
      SES_ENDPOINT: process.env.SES_ENDPOINT!,
      AWS_ACCESS_KEY_ID: 'test-key',
      AWS_SECRET_ACCESS_KEY: 'test-secret',
      STORAGE_PROVIDER: 'local',
      STORAGE_LOCAL_DIR: `${tmpdir()}/devtinder-proxied-${run}`,
    });
  });
  after(async () => {
    for (const s of sockets) s.close();
    await cluster?.stop();
  });

  /** Which app process served the last requests: its own /metrics, read directly (never through nginx). */
  const servedBy = async (from: string): Promise<number> => {
    const count = async (port: number) => {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      const line = text
        .split('\n')
        .find((l) => l.startsWith('http_request_duration_seconds_count{') && l.includes('route="/readyz"'));
      return line ? Number(line.split(' ').at(-1)) : 0;
    };
    const before = await Promise.all(cluster.appPorts.map(count));
    expect((await httpsGet(`${cluster.url}/readyz`, { localAddress: from })).status).to.equal(200);
    const after = await Promise.all(cluster.appPorts.map(count));
    const moved = after.map((n, i) => n > before[i]!);
    expect(moved.filter(Boolean), 'exactly one process served the request').to.have.lengthOf(1);
    return moved[0] ? 0 : 1;
  };

  /** Two loopback addresses nginx's hash sends to different processes. */
  const addressesOnEach = async (): Promise<[string, string]> => {
    const found: (string | undefined)[] = [undefined, undefined];
    for (let i = 2; i < 60 && !(found[0] && found[1]); i++) {
      const address = `127.0.7.${i}`;
      found[await servedBy(address)] ??= address;
    }
    expect(found[0] && found[1], 'no address hashed to one of the processes').to.be.a('string');
    return found as [string, string];
  };

  /** Someone signed up through nginx from the given address. */
  const signedUp = async (from: string) => {
    const input = newSignup();
    const res = await httpsSend('POST', `${cluster.url}/api/v1/auth/signup`, input, { localAddress: from });
    expect(res.status, res.body).to.equal(201);
    const body = JSON.parse(res.body) as { user: { id: string }; accessToken: string; refreshToken: string };
    return { id: body.user.id, input, accessToken: body.accessToken, refreshToken: body.refreshToken, cookies: [] };
  };

  /** Two people signed up through nginx (one from each address), then connected. */
  const pair = async (from: [string, string]) => {
    const people = [];
    for (const address of from) people.push(await signedUp(address));
    await connect(people[0]!, people[1]!);
    return people.map((p) => ({ id: p.id, token: p.accessToken })) as [
      { id: string; token: string },
      { id: string; token: string },
    ];
  };

  /** Someone (from `from`) in a group conversation with a connection of theirs (from `other`), made through nginx. */
  const inConversation = async (from: string, other = from) => {
    const [ana, ben] = await pair([from, other]);
    const auth = { authorization: `Bearer ${ana.token}` };
    const made = await httpsSend('POST', `${cluster.url}/api/v1/conversations`, { name: 'files', memberIds: [ben.id] }, {
      localAddress: from,
      headers: auth,
    }); // prettier-ignore
    expect(made.status, made.body).to.equal(201);
    return { ...ana, auth, conversationId: (JSON.parse(made.body) as { conversation: { id: string } }).conversation.id };
  };

  const socketFor = (token: string, from: string, transports: ('websocket' | 'polling')[]) => {
    const socket = io(cluster.url, {
      transports,
      auth: { token },
      rejectUnauthorized: false,
      localAddress: from,
      forceNew: true,
      reconnectionDelay: 100,
      reconnectionDelayMax: 500,
    } as Parameters<typeof io>[1]);
    sockets.push(socket);
    return new Promise<Socket>((resolve, reject) => {
      socket.once('connect', () => resolve(socket));
      socket.once('connect_error', reject);
    });
  };

  it('serves HTTPS over HTTP/2, redirects plain HTTP, and keeps /metrics off the public side', async () => {
    const session = http2Connect(cluster.url, { rejectUnauthorized: false });
    const { status, protocol } = await new Promise<{ status: number; protocol: string | undefined }>((resolve, reject) => {
      const req = session.request({ ':path': '/healthz' });
      req.on('response', (h) => resolve({ status: Number(h[':status']), protocol: session.alpnProtocol }));
      req.on('error', reject);
      req.end();
    });
    session.close();
    expect(status).to.equal(200);
    expect(protocol).to.equal('h2');

    const redirect = await new Promise<{ status?: number; location?: string }>((resolve, reject) =>
      httpRequest(`http://127.0.0.1:${cluster.httpPort}/healthz`, { headers: { host: 'api.example.com' } }, (res) => {
        res.resume();
        resolve({ status: res.statusCode, location: res.headers.location });
      })
        .on('error', reject)
        .end(),
    );
    expect(redirect).to.deep.equal({ status: 301, location: 'https://api.example.com/healthz' });

    for (const path of ['/metrics', '/Metrics', '/metrics/', '/METRICS?x=1']) {
      const publicMetrics = await httpsGet(`${cluster.url}${path}`);
      expect(publicMetrics.status, path).to.equal(404);
      expect(publicMetrics.body).not.to.include('nodejs_');
    }
    // The app refuses it too when the proxy forwards it (a site config that forgot the rule).
    const forwarded = await fetch(`http://127.0.0.1:${cluster.appPorts[0]}/metrics`, {
      headers: { 'X-Forwarded-For': '203.0.113.7' },
    });
    expect(forwarded.status).to.equal(404);
    expect((await fetch(`http://127.0.0.1:${cluster.appPorts[0]}/metrics`)).status).to.equal(200);
  });

  it("counts a client's budget by its own address (X-Forwarded-For), not nginx's", async () => {
    const forgot = (from: string, n: number) =>
      httpsSend('POST', `${cluster.url}/api/v1/auth/forgot-password`, { email: `nobody${n}.${run}@example.com` }, {
        localAddress: from,
      }); // prettier-ignore
    const statuses: number[] = [];
    for (let n = 0; n < 4; n++) statuses.push((await forgot('127.0.9.1', n)).status);
    expect(statuses.slice(0, 3).every((s) => s < 300)).to.equal(true);
    expect(statuses[3]).to.equal(429);
    // Another client is untouched, whichever process it reaches.
    expect((await forgot('127.0.9.2', 9)).status).to.be.below(300);
  });

  it("takes a chat attachment as large as its kind allows (past the proxy's general cap); a larger one hears the app's 413", async () => {
    const [onFirst, onSecond] = await addressesOnEach();
    const { auth, conversationId } = await inConversation(onFirst, onSecond);
    const boundary = `----upload${run}`;
    // A PDF (the first bytes say so) padded to the given size, as a browser's form sends it.
    const upload = (size: number) => {
      const head = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\n');
      const file = Buffer.concat([head, Buffer.alloc(size - head.length, 0x20)]);
      const part = (name: string, value: string) =>
        `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
      const body = Buffer.concat([
        Buffer.from(`${part('kind', 'file')}${part('name', 'big.pdf')}`),
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\nContent-Type: application/pdf\r\n\r\n`,
        ),
        file,
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]);
      return httpsSend('POST', `${cluster.url}/api/v1/conversations/${conversationId}/attachments`, body, {
        localAddress: onFirst,
        headers: { ...auth, 'content-type': `multipart/form-data; boundary=${boundary}` },
      });
    };
    const largest = config.chat.media.maxBytes.file;
    const taken = await upload(largest);
    expect(taken.status, taken.body.slice(0, 300)).to.equal(202);
    const refused = await upload(largest + 1024);
    expect([refused.status, (JSON.parse(refused.body) as { error: { code: string } }).error.code]).to.deep.equal([
      413,
      'FILE_TOO_LARGE',
    ]);
  });

  /** Uploads held open (50 MB said, 1 KiB sent), then probes until one is refused: nginx holds all of them then. */
  const holdUntilRefused = async (
    url: string,
    from: string,
    headers: Record<string, string>,
    held: ReturnType<typeof heldUpload>[],
  ) => {
    await Promise.all(held.map((h) => h.sent));
    await new Promise((resolve) => setTimeout(resolve, 300));
    // A probe not answered within a second got a place (one held had not reached nginx yet): it
    // is dropped and another sent.
    let refused: { status: number; body: string; headers: Record<string, unknown> } | undefined;
    const waited = Date.now();
    while (!refused && Date.now() - waited < 30_000) {
      const probe = heldUpload(url, 50 * 1024 * 1024, from, { headers });
      held.push(probe);
      refused = await Promise.race([
        probe.answer,
        new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 1000)),
      ]);
      probe.abort();
    }
    expect(refused?.status, refused?.body).to.equal(429);
    expect((JSON.parse(refused!.body) as { error: { code: string } }).error.code).to.equal('RATE_LIMITED');
    expect(refused!.headers['retry-after']).to.equal('10');
    expect(refused!.headers['strict-transport-security']).to.match(/max-age=/);
  };

  it("holds a few uploads of one account and a bounded number from one address open at once; one more is refused in the API's words", async () => {
    const from = '127.0.9.7';
    // Members of conversations: nginx reads no upload of anyone else's.
    const members: Awaited<ReturnType<typeof inConversation>>[] = [];
    for (let i = 0; i < 5; i++) members.push(await inConversation(from));
    const urlOf = (m: (typeof members)[number]) => `${cluster.url}/api/v1/conversations/${m.conversationId}/attachments`;
    const held: ReturnType<typeof heldUpload>[] = [];
    try {
      // One account trickling uploads holds four places, wherever it sends from: its fifth is
      // refused, from another address too, and the others at its address still upload.
      const [trickler, ...others] = members;
      for (let i = 0; i < 4; i++) held.push(heldUpload(urlOf(trickler!), 50 * 1024 * 1024, from, { headers: trickler!.auth }));
      await holdUntilRefused(urlOf(trickler!), '127.0.9.6', trickler!.auth, held);
      // One refused for want of a place reads nothing after its answer either: a sender going on
      // is cut off soon (its take was given back), not drained for half a minute.
      const goingOn = await sentOnAfterAnswer(urlOf(trickler!), '127.0.9.6', trickler!.auth);
      expect(goingOn).to.deep.equal({ status: 429, cutOff: true });
      // Three more accounts there hold four each: the address's sixteen are held, and a fifth
      // account's upload there is refused.
      for (const m of others.slice(0, 3))
        for (let i = 0; i < 4; i++) held.push(heldUpload(urlOf(m), 50 * 1024 * 1024, from, { headers: m.auth }));
      await holdUntilRefused(urlOf(others[3]!), from, others[3]!.auth, held);
      // A refused upload was admitted by the app's check, then found no place: nothing of it was
      // read, and what the check took from its sender's day of reading is given back.
      const reading = async (id: string) => (await readingOf('chatReads', id)) ?? 0;
      for (const [who, address] of [
        [trickler!, '127.0.9.6'],
        [others[3]!, from],
      ] as const) {
        const before = await reading(who.id);
        const refused = await answeredAtHeaders(urlOf(who).replace(cluster.url, ''), 50 * 1024 * 1024, address, {
          headers: { ...who.auth, origin: 'https://app.example.com' },
        });
        expect([refused.status, refused.code, refused.headers['retry-after']]).to.deep.equal([429, 'RATE_LIMITED', '10']);
        expect(refused.headers['access-control-allow-origin']).to.equal('https://app.example.com');
        expect(await reading(who.id)).to.equal(before);
      }
      // Reading the same routes takes no upload's place.
      const list = await httpsGet(`${cluster.url}/api/v1/users/me/photos`, { localAddress: from, headers: trickler!.auth });
      expect(list.status, list.body).to.equal(200);
      // An upload the app refuses takes none either: answered in the app's words.
      const outsider = await answeredAtHeaders(urlOf(trickler!).replace(cluster.url, ''), 1024, from, {
        headers: others[3]!.auth,
      });
      expect([outsider.status, outsider.code]).to.deep.equal([404, 'NOT_FOUND']);
      // Another address is not held back by them: that fifth account's upload is read there.
      const elsewhere = heldUpload(urlOf(others[3]!), 1024, '127.0.9.8', { headers: others[3]!.auth });
      held.push(elsewhere);
      expect((await elsewhere.answer).status).to.equal(415);
    } finally {
      for (const h of held) h.abort();
    }
  });

  /** nginx's answer to an upload that declares `length` bytes and sends 1 KiB: answered at its headers, or it fails. */
  const answeredAtHeaders = async (
    path: string,
    length: number,
    from: string,
    options: Parameters<typeof heldUpload>[3] = {},
  ) => {
    const upload = heldUpload(`${cluster.url}${path}`, length, from, options);
    try {
      const answer = await Promise.race([
        upload.answer,
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${path}: nginx waited for the body`)), 5000)),
      ]);
      return { ...answer, code: (JSON.parse(answer.body) as { error: { code: string } }).error.code };
    } finally {
      upload.abort();
    }
  };

  /**
   * An HTTP/2 request that sends up to 16 MiB of body with no length said, unless answered
   * first; `sentAll` says whether all of it went before the answer (HTTP/2's flow control holds
   * the rest back where nginx reads no more).
   */
  const http2Streamed = (path: string, method: string, from: string, headers: Record<string, string> = {}) =>
    new Promise<{ status: number; code?: string; sentAll: boolean }>((resolve, reject) => {
      const session = http2Connect(cluster.url, { rejectUnauthorized: false, localAddress: from } as Parameters<
        typeof http2Connect
      >[1]);
      const req = session.request({ ':method': method, ':path': path, 'content-type': 'application/octet-stream', ...headers });
      let status = 0;
      let body = '';
      const done = () => {
        session.close();
        const code = body ? (JSON.parse(body) as { error?: { code: string } }).error?.code : undefined;
        resolve({ status, code, sentAll: sent >= ALL });
      };
      req.on('response', (headers) => (status = Number(headers[':status'])));
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', done);
      req.on('error', (err) => (status ? done() : reject(err)));
      const piece = Buffer.alloc(64 * 1024, 1);
      const ALL = 16 * 1024 * 1024;
      let sent = 0;
      const pump = () => {
        while (!status && !req.writableEnded && !req.destroyed && sent < ALL) {
          sent += piece.length;
          if (!req.write(piece)) return void req.once('drain', pump);
        }
        if (!status && !req.writableEnded && !req.destroyed) req.end();
      };
      pump();
    });

  // What a picture's upload says it is (its body here is no real form: nginx answers first).
  const aForm = { 'content-type': 'multipart/form-data; boundary=held' };

  /** A profile photo (a small PNG) sent through nginx as a form, to `query`'s target. */
  const photoSent = async (auth: Record<string, string>, from: string, query = '') => {
    const boundary = `----photo${run}`;
    const photo = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="photo"; filename="me.png"\r\nContent-Type: image/png\r\n\r\n`,
      ),
      await png(),
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    return httpsSend('POST', `${cluster.url}/api/v1/users/me/photos${query}`, photo, {
      localAddress: from,
      headers: { ...auth, 'content-type': `multipart/form-data; boundary=${boundary}` },
    });
  };

  /** An HTTP/2 request with a body and no length said (HTTP/2 needs none): its status and body. */
  const http2Sent = (path: string, body: string, headers: Record<string, string>, from = '127.0.0.1') =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const session = http2Connect(cluster.url, { rejectUnauthorized: false, localAddress: from } as Parameters<
        typeof http2Connect
      >[1]);
      const req = session.request({ ':method': 'POST', ':path': path, ...headers });
      let status = 0;
      let text = '';
      req.on('response', (h) => (status = Number(h[':status'])));
      req.on('data', (d: Buffer) => (text += d.toString()));
      req.on('end', () => {
        session.close();
        resolve({ status, body: text });
      });
      req.on('error', reject);
      req.end(body);
    });

  it("reads no upload of a sender who is not signed in: refused at its headers, in the API's words", async () => {
    const from = '127.0.9.9';
    const person = await signedUp(from);
    const large = 8 * 1024 * 1024;
    const uploads = [
      `/api/v1/conversations/${'a'.repeat(24)}/attachments`,
      // Any case and a trailing slash, as Express routes them.
      '/API/V1/Users/Me/Photos/',
      `/api/v1/posts/${'b'.repeat(24)}/Comments`,
    ];
    for (const path of uploads) {
      // As a form: a comment that is none is read as any request (2 MB at most), unasked.
      const stranger = await answeredAtHeaders(path, large, from, { headers: { ...aForm, origin: 'https://app.example.com' } });
      expect([stranger.status, stranger.code], path).to.deep.equal([401, 'UNAUTHORIZED']);
      expect(stranger.headers).to.include({
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
        // The app's CORS answer goes with nginx's refusal: a web app elsewhere reads it.
        'access-control-allow-origin': 'https://app.example.com',
        'access-control-allow-credentials': 'true',
      });
      expect(stranger.headers['strict-transport-security']).to.match(/max-age=/);
      expect(stranger.headers['x-request-id']).to.match(/^[0-9a-f]{32}$/);
      const elsewhere = await answeredAtHeaders(path, large, from, { headers: { ...aForm, origin: 'https://evil.example' } });
      expect(elsewhere.status).to.equal(401);
      expect(elsewhere.headers).not.to.have.property('access-control-allow-origin');
      const forged = await answeredAtHeaders(path, large, from, {
        headers: { ...aForm, authorization: `Bearer ${person.accessToken.slice(0, -2)}xx` },
      });
      expect([forged.status, forged.code], path).to.deep.equal([401, 'INVALID_TOKEN']);
      const badCookie = await answeredAtHeaders(path, large, from, { headers: { ...aForm, cookie: 'access_token=nonsense' } });
      expect([badCookie.status, badCookie.code], path).to.deep.equal([401, 'INVALID_TOKEN']);
    }
    // What only reads these routes goes on unasked, and nginx reads at most 1 KiB of its body:
    // said in its headers, or (HTTP/2, no length) as it comes; a GET's it does not wait for at all
    // (the app answers it: no token).
    for (const [method, answered] of [
      ['OPTIONS', [413, 'PAYLOAD_TOO_LARGE']],
      ['GET', [401, 'UNAUTHORIZED']],
    ] as const) {
      const withBody = await answeredAtHeaders(uploads[0]!, large, from, { method });
      expect([withBody.status, withBody.code], method).to.deep.equal([413, 'PAYLOAD_TOO_LARGE']);
      const streamed = await http2Streamed(uploads[0]!, method, from);
      expect([streamed.status, streamed.code, streamed.sentAll], method).to.deep.equal([...answered, false]);
    }
    const preflight = await httpsSend('OPTIONS', `${cluster.url}${uploads[0]}`, undefined, {
      localAddress: from,
      headers: {
        origin: 'https://app.example.com',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization',
      },
    });
    expect(preflight.status).to.equal(204);
    expect(preflight.headers['access-control-allow-origin']).to.equal('https://app.example.com');

    // Signed in, a picture goes through as before; a body past the largest file is refused unread.
    const auth = { authorization: `Bearer ${person.accessToken}` };
    const stored = await photoSent(auth, from);
    expect(stored.status, stored.body).to.equal(201);
    const listed = await httpsGet(`${cluster.url}/api/v1/users/me/photos`, { localAddress: from, headers: auth });
    expect(listed.status, listed.body).to.equal(200);
    const tooLarge = await answeredAtHeaders(uploads[0]!, 102 * 1024 * 1024, from, { headers: auth });
    expect([tooLarge.status, tooLarge.code]).to.deep.equal([413, 'FILE_TOO_LARGE']);
    // A picture's route reads no more than a picture takes (UPLOAD_MAX_BYTES).
    const tooLargePicture = await answeredAtHeaders(uploads[1]!, 12 * 1024 * 1024, from, { headers: auth });
    expect([tooLargePicture.status, tooLargePicture.code]).to.deep.equal([413, 'FILE_TOO_LARGE']);
    // A new post streams to the app (any case, trailing slash), which refuses a stranger at once.
    const post = await answeredAtHeaders('/API/V1/Posts/', large, from);
    expect([post.status, post.code]).to.deep.equal([401, 'UNAUTHORIZED']);
    // Every other route reads 2 MB for anyone (JSON, the payment webhook): more is refused unread.
    const login = await answeredAtHeaders('/api/v1/auth/login', 3 * 1024 * 1024, from);
    expect([login.status, login.code]).to.deep.equal([413, 'PAYLOAD_TOO_LARGE']);
    expect(login.headers['strict-transport-security']).to.match(/max-age=/);
  });

  it("reads no attachment its sender may not upload there now: the app's own refusal at the headers, details and CORS with it", async () => {
    const from = '127.0.9.12';
    const member = await inConversation(from);
    const outsider = await signedUp(from);
    const large = 50 * 1024 * 1024;
    const path = `/api/v1/conversations/${member.conversationId}/attachments`;
    // Someone not in it (any case and a trailing slash, as Express routes it): nothing read.
    for (const upload of [
      path,
      path.replace('/api/v1/conversations', '/API/V1/Conversations').replace('attachments', 'Attachments/'),
    ]) {
      const refused = await answeredAtHeaders(upload, large, from, {
        headers: { authorization: `Bearer ${outsider.accessToken}`, origin: 'https://app.example.com' },
      });
      expect([refused.status, refused.code], upload).to.deep.equal([404, 'NOT_FOUND']);
      // The app's own words, as a request it read would have heard them.
      const direct = await httpsGet(`${cluster.url}/api/v1/conversations/${member.conversationId}`, {
        localAddress: from,
        headers: { authorization: `Bearer ${outsider.accessToken}` },
      });
      expect(JSON.parse(refused.body)).to.deep.equal(JSON.parse(direct.body));
      expect(refused.headers).to.include({
        'access-control-allow-origin': 'https://app.example.com',
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
      });
      expect(refused.headers).not.to.have.property('retry-after');
    }
    // Its member with the day's bytes used: 429 with the quota's details, before a byte is read.
    const day = utcDay(new Date());
    await QuotaCounter.create({ _id: `chatBytes:${member.id}:${day}`, userId: member.id, day, used: 1e12 });
    const used = await answeredAtHeaders(path, large, from, { headers: member.auth });
    expect([used.status, used.code]).to.deep.equal([429, 'QUOTA_EXCEEDED']);
    expect((JSON.parse(used.body) as { error: { details: object } }).error.details).to.have.keys('limit', 'resetAt');
    // With less room left than the upload says it is: refused at its length, the room said.
    const { bytesPerDay } = config.chat.media;
    await QuotaCounter.updateOne({ _id: `chatBytes:${member.id}:${day}` }, { $set: { used: bytesPerDay - 5 * 1024 * 1024 } });
    const pastRoom = await answeredAtHeaders(path, large, from, { headers: member.auth });
    expect([pastRoom.status, pastRoom.code]).to.deep.equal([429, 'QUOTA_EXCEEDED']);
    expect((JSON.parse(pastRoom.body) as { error: { details: object } }).error.details).to.include({
      remaining: 5 * 1024 * 1024,
    });
    await QuotaCounter.deleteOne({ _id: `chatBytes:${member.id}:${day}` });
    // One that says no length (HTTP/2 needs none) is not read at all: nothing would stop it short of the largest kind.
    const unsaid = await http2Streamed(path, 'POST', from, member.auth);
    expect([unsaid.status, unsaid.code, unsaid.sentAll]).to.deep.equal([411, 'LENGTH_REQUIRED', false]);
    // With room again, the upload is read and reaches the app (a body that is no form: its 415).
    const read = heldUpload(`${cluster.url}${path}`, 1024, from, { headers: member.auth });
    expect((await read.answer).status).to.equal(415);
    // What is not a conversation's id goes the general way: read to 2 MB at most, then the app's 400.
    const odd = await answeredAtHeaders('/api/v1/conversations/not-an-id/attachments', 3 * 1024 * 1024, from, {
      headers: member.auth,
    });
    expect([odd.status, odd.code]).to.deep.equal([413, 'PAYLOAD_TOO_LARGE']);
  });

  it("reads no photo or comment its sender may not send now: the app's own refusal at the headers", async () => {
    const from = '127.0.9.15';
    const person = await signedUp(from);
    const auth = { authorization: `Bearer ${person.accessToken}` };
    const large = 8 * 1024 * 1024;
    // A full gallery: a photo for it is refused unread (any case, a trailing slash); the query
    // reaches the app's question, so one for the avatar is read and stored.
    for (let i = 0; i < config.uploads.galleryMax; i++) expect((await photoSent(auth, from)).status).to.equal(201);
    for (const path of ['/api/v1/users/me/photos', '/API/V1/Users/Me/Photos/?target=gallery']) {
      const full = await answeredAtHeaders(path, large, from, { headers: { ...auth, origin: 'https://app.example.com' } });
      expect([full.status, full.code], path).to.deep.equal([409, 'GALLERY_FULL']);
      expect(full.headers).to.include({ 'access-control-allow-origin': 'https://app.example.com', 'cache-control': 'no-store' });
    }
    const avatar = await photoSent(auth, from, '?target=avatar');
    expect(avatar.status, avatar.body).to.equal(201);
    // A comment on a post one may not see (here: none) is refused unread, as the comment would be.
    const post = `/api/v1/posts/${'c'.repeat(24)}/comments`;
    for (const path of [post, post.replace('comments', 'Comments/')]) {
      const unseen = await answeredAtHeaders(path, large, from, { headers: { ...auth, ...aForm } });
      expect([unseen.status, unseen.code], path).to.deep.equal([404, 'NOT_FOUND']);
    }
    // Only a POST is asked about: another method is read to 1 KiB at most, unasked.
    for (const method of ['PUT', 'PATCH', 'DELETE']) {
      const other = await answeredAtHeaders('/api/v1/users/me/photos?target=avatar', large, from, { method, headers: auth });
      expect([other.status, other.code], method).to.deep.equal([413, 'PAYLOAD_TOO_LARGE']);
    }
    // A comment in JSON carries no picture: read as any request (2 MB at most), unasked, so it
    // needs no length (HTTP/2) and takes nothing from the day's reading of pictures.
    const readingNow = () => readingOf('pictureReads', person.id);
    const readBefore = await readingNow();
    const seen = await readyPost(person);
    const text = await http2Sent(
      `/api/v1/posts/${seen.id}/comments`,
      JSON.stringify({ text: 'nice' }),
      {
        ...auth,
        'content-type': 'application/json',
      },
      from,
    );
    expect(text.status, text.body).to.equal(201);
    const bigJson = await answeredAtHeaders(post, 3 * 1024 * 1024, from, {
      headers: { ...auth, 'content-type': 'application/json' },
    });
    expect([bigJson.status, bigJson.code]).to.deep.equal([413, 'PAYLOAD_TOO_LARGE']);
    expect(await readingNow()).to.equal(readBefore);
    // nginx's word to the app that an upload found no place is nginx's alone.
    const unreadFromOutside = await httpsGet(`${cluster.url}/API/V1/Uploads/Unread`, { localAddress: from, headers: auth });
    expect(unreadFromOutside.status).to.equal(404);
    // Anything that does not plainly say JSON is asked about (a picture may hide in it).
    const oddType = await answeredAtHeaders(post, large, from, { headers: { ...auth, 'content-type': 'text/plain' } });
    expect([oddType.status, oddType.code]).to.deep.equal([404, 'NOT_FOUND']);
    // What is not a post's id goes the general way: read to 2 MB at most, then the app's 400.
    const odd = await answeredAtHeaders('/api/v1/posts/not-an-id/comments', 3 * 1024 * 1024, from, { headers: auth });
    expect([odd.status, odd.code]).to.deep.equal([413, 'PAYLOAD_TOO_LARGE']);
    // The day's reading of pictures spent (photos and comments share it): refused unread, with its details.
    const day = utcDay(new Date());
    await QuotaCounter.updateOne({ _id: `pictureReads:${person.id}:${day}` }, { $set: { used: 1e12 } });
    const spent = await answeredAtHeaders('/api/v1/users/me/photos?target=avatar', large, from, { headers: auth });
    expect([spent.status, spent.code]).to.deep.equal([429, 'QUOTA_EXCEEDED']);
    expect((JSON.parse(spent.body) as { error: { details: object } }).error.details).to.have.keys('limit', 'resetAt');
    // A picture says its length too: none said (HTTP/2 needs none), nothing read.
    const unsaid = await http2Streamed('/api/v1/users/me/photos?target=avatar', 'POST', from, auth);
    expect([unsaid.status, unsaid.code, unsaid.sentAll]).to.deep.equal([411, 'LENGTH_REQUIRED', false]);
  });

  it('bounds the uploads one network starts without credentials: past a burst, refused before the app is asked', async () => {
    const from = '127.0.9.13';
    const path = `/api/v1/conversations/${'a'.repeat(24)}/attachments`;
    const answers: { status: number; code: string; headers: Record<string, unknown> }[] = [];
    // One after another (never two held at once): only the rate bounds them.
    for (let i = 0; i < 100; i++) answers.push(await answeredAtHeaders(path, 1024, from));
    expect(answers.slice(0, 60).map((a) => a.code)).to.deep.equal(Array(60).fill('UNAUTHORIZED'));
    const refused = answers.find((a) => a.status === 429);
    expect(refused?.code).to.equal('RATE_LIMITED');
    expect(refused!.headers['retry-after']).to.equal('10');
    // Another address starts its own.
    expect((await answeredAtHeaders(path, 1024, '127.0.9.14')).code).to.equal('UNAUTHORIZED');
    // Who says credentials is not counted here (the app's check counts each account): someone
    // signed in at the same address is still asked about, not refused for the others.
    const person = await signedUp(from);
    const asked = await answeredAtHeaders(path, 1024, from, { headers: { authorization: `Bearer ${person.accessToken}` } });
    expect(asked.code).to.equal('NOT_FOUND');
  });

  it("refuses headers past nginx's buffers in the API's words", async () => {
    const from = '127.0.9.11';
    const codeOf = (res: { body: string }) => (JSON.parse(res.body) as { error: { code: string } }).error.code;
    const bigCookie = await httpsGet(`${cluster.url}/api/v1/auth/me`, {
      localAddress: from,
      headers: { cookie: `access_token=${'a'.repeat(9000)}` },
    });
    expect([bigCookie.status, codeOf(bigCookie)]).to.deep.equal([431, 'HEADERS_TOO_LARGE']);
    expect(bigCookie.headers).to.include({ 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
    expect(bigCookie.headers['strict-transport-security']).to.match(/max-age=/);
  });

  /** Each address of the table is counted as the network it is listed under. */
  const expectNetworks = async (networkOf: (address: string) => Promise<string>, table: Record<string, string[]>) => {
    for (const [network, addresses] of Object.entries(table)) {
      for (const address of addresses) expect(await networkOf(address), address).to.equal(network);
    }
  };

  it('counts an IPv6 client by its /64 (a host holds all of one), however nginx writes the address; IPv4 by address', async () => {
    const networks: Record<string, string[]> = {
      '2001:db8:1:2': ['2001:db8:1:2::1', '2001:db8:1:2:a:b:c:d', '2001:0DB8:0001:0002:ffff:0:0:ffff'],
      '2001:db8:0:0': ['2001:db8::1', '2001:db8:0:0:1:2:3:4', '2001:db8::5:0:0:1'],
      '2001:db8:5:0': ['2001:db8:5::1', '2001:db8:5:0:1:2:3:4'],
      '2001:db8:0:4': ['2001:db8:0:4:5:6:7:8', '2001:db8:0:4::8'],
      '2001:0:0:5': ['2001::5:1:2:3:4', '2001:0:0:5::1'],
      '2001:0:0:0': ['2001::1', '2001::1:2:3:4'],
      '203.0.113.7': ['203.0.113.7'],
      '203.0.113.8': ['203.0.113.8'],
    };
    await expectNetworks(cluster.clientOf, networks);
    // IPv4 clients through NAT64 are each their own client, not one /64 together.
    const translated = await Promise.all(['64:ff9b::203.0.113.7', '64:ff9b::203.0.113.8'].map((a) => cluster.clientOf(a)));
    expect(translated).to.deep.equal(['64:ff9b::cb00:7107', '64:ff9b::cb00:7108']);
    // Past the /96, 64:ff9b:: is an IPv6 network like any other.
    expect(await cluster.clientOf('64:ff9b::1:2:3:4')).to.equal('64:ff9b:0:0');
  });

  it("counts uploads by the /56 a home is given too, as the app's limits count; IPv4 and NAT64 by address", async () => {
    // The first three groups and the fourth's top byte (nginx writes no leading zeros).
    const uploadNetworks: Record<string, string[]> = {
      '2001:db8:1:0': ['2001:db8:1:2::1', '2001:db8:1:ff:1:2:3:4', '2001:db8:1::1'],
      '2001:db8:1:ab': ['2001:db8:1:ab00::1', '2001:db8:1:abff:1:2:3:4'],
      '2001:db8:1:a': ['2001:db8:1:a00::1', '2001:db8:1:aff::1'],
      '2001:0:0:0': ['2001::1', '2001::5:1:2:3:4'],
      '203.0.113.7': ['203.0.113.7'],
      '64:ff9b::cb00:7107': ['64:ff9b::203.0.113.7'],
    };
    await expectNetworks(cluster.uploadNetworkOf, uploadNetworks);
  });

  it('carries Socket.IO over WebSocket and over sticky long-polling, and a message across processes', async () => {
    const [onFirst, onSecond] = await addressesOnEach();
    const [ana, ben] = await pair([onFirst, onSecond]);
    const anaSocket = await socketFor(ana.token, onFirst, ['websocket']);
    // Polling only: every request of the session must reach the process that holds it.
    const benSocket = await socketFor(ben.token, onSecond, ['polling']);
    for (let i = 0; i < 5; i++) {
      const pong = (await benSocket.timeout(5000).emitWithAck('system:ping', {})) as { ok: boolean };
      expect(pong.ok).to.equal(true);
    }
    const got = new Promise<{ text: string }>((resolve) => benSocket.once('chat:message', resolve));
    const sent = (await anaSocket
      .timeout(5000)
      .emitWithAck('chat:send', { toUserId: ben.id, clientMessageId: clientId(), text: 'hello from the other process' })) as {
      ok: boolean;
    };
    expect(sent.ok, JSON.stringify(sent)).to.equal(true);
    expect((await got).text).to.equal('hello from the other process');
  });

  it('reloads with pm2 without refusing a request or losing an acked message', async () => {
    const [onFirst, onSecond] = await addressesOnEach();
    const [ana, ben] = await pair([onFirst, onSecond]);
    const anaSocket = await socketFor(ana.token, onFirst, ['websocket']);
    const benSocket = await socketFor(ben.token, onSecond, ['websocket', 'polling']);
    const reconnects = [0, 0];
    anaSocket.io.on('reconnect', () => reconnects[0]!++);
    benSocket.io.on('reconnect', () => reconnects[1]!++);
    const received = new Set<string>();
    benSocket.on('chat:message', (m: { clientMessageId?: string; text: string }) => received.add(m.text));

    // A client per process probing every 25 ms.
    let probing = true;
    const probes: number[] = [];
    const probe = (from: string) =>
      (async () => {
        while (probing) {
          const res = await httpsGet(`${cluster.url}/healthz`, { localAddress: from }).catch(() => ({ status: 0 }));
          probes.push(res.status);
          await new Promise((r) => setTimeout(r, 25));
        }
      })();
    const probers = [probe(onFirst), probe(onSecond)];
    const acked: string[] = [];
    let sending = true;
    const sender = (async () => {
      for (let i = 0; sending; i++) {
        const text = `m${i}`;
        if (anaSocket.connected) {
          const ack = (await anaSocket
            .timeout(3000)
            .emitWithAck('chat:send', { toUserId: ben.id, clientMessageId: `${run}r${i}x`, text })
            .catch(() => undefined)) as { ok: boolean } | undefined;
          if (ack?.ok) acked.push(text);
        }
        await new Promise((r) => setTimeout(r, 150));
      }
    })();

    const before = cluster.processes();
    await new Promise((r) => setTimeout(r, 1000));
    await cluster.pm2Async('reload', 'devtinder-api');
    await new Promise((r) => setTimeout(r, 2000));
    sending = false;
    probing = false;
    await Promise.all([...probers, sender]);

    const after = cluster.processes();
    expect(after.map((p) => p.pid)).to.have.lengthOf(2);
    for (const p of after) expect(before.map((b) => b.pid)).not.to.include(p.pid);
    const refused = probes.filter((s) => s !== 200);
    expect(probes.length).to.be.above(100);
    expect(refused, `${refused.length} of ${probes.length} probes failed`).to.deep.equal([]);
    await eventually(async () => anaSocket.connected && benSocket.connected, 10_000, 'sockets back');
    expect(reconnects[0]! + reconnects[1]!).to.be.at.least(2);

    // Every acked message is stored once, in order, and reached the other side.
    expect(acked.length).to.be.above(5);
    const conversations = JSON.parse(
      (await httpsGet(`${cluster.url}/api/v1/conversations`, { headers: { authorization: `Bearer ${ana.token}` } })).body,
    ) as { conversations: { id: string }[] };
    const history = await httpsGet(
      `${cluster.url}/api/v1/conversations/${conversations.conversations[0]!.id}/messages?limit=100`,
      {
        headers: { authorization: `Bearer ${ana.token}` },
      },
    );
    const texts = (JSON.parse(history.body) as { messages: { text: string }[] }).messages.map((m) => m.text);
    for (const text of acked)
      expect(
        texts.filter((t) => t === text),
        text,
      ).to.have.lengthOf(1);
    // What the other side missed while its socket moved, it catches up with chat:sync.
    const synced = (await benSocket.timeout(5000).emitWithAck('chat:sync', {})) as { data: { messages: { text: string }[] } };
    for (const m of synced.data.messages) received.add(m.text);
    expect(acked.filter((t) => !received.has(t))).to.deep.equal([]);
  });

  it("answers in the API's words when no process can answer (an upload's check or any request), and serves again once back", async () => {
    const from = '127.0.9.10';
    const person = await signedUp(from);
    const path = `/api/v1/conversations/${'a'.repeat(24)}/attachments`;
    const options = { headers: { authorization: `Bearer ${person.accessToken}` } };
    cluster.pm2('stop', 'devtinder-api');
    try {
      const unchecked = await answeredAtHeaders(path, 50 * 1024 * 1024, from, options);
      expect([unchecked.status, unchecked.code]).to.deep.equal([503, 'SERVICE_UNAVAILABLE']);
      expect(unchecked.headers['retry-after']).to.equal('5');
      expect(unchecked.headers['strict-transport-security']).to.match(/max-age=/);
      // Any other request too, its headers as the API's.
      const me = await httpsGet(`${cluster.url}/api/v1/auth/me`, { localAddress: from, headers: options.headers });
      expect([me.status, (JSON.parse(me.body) as { error: { code: string } }).error.code]).to.deep.equal([
        503,
        'SERVICE_UNAVAILABLE',
      ]);
      expect(me.headers).to.include({ 'retry-after': '5', 'cache-control': 'no-store', 'content-type': 'application/json' });
      // A new post too (streamed to the app, its own location).
      const post = await answeredAtHeaders('/api/v1/posts', 1024 * 1024, from, options);
      expect([post.status, post.code]).to.deep.equal([503, 'SERVICE_UNAVAILABLE']);
    } finally {
      cluster.pm2('start', 'devtinder-api');
    }
    await eventually(
      async () => (await httpsGet(`${cluster.url}/readyz`).catch(() => ({ status: 0 }))).status === 200,
      30_000,
      'back',
    );
    // Checked again: the app answers (it knows no such conversation).
    const sent = heldUpload(`${cluster.url}${path}`, 1024, from, options);
    expect((await sent.answer).status).to.equal(404);
  });
});
