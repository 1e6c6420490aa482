import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import jwt from 'jsonwebtoken';
import webpush from 'web-push';

/**
 * Local stand-ins for the two push services, on one port:
 * - a web push service (RFC 8030): POST /web/<id> keeps what arrived (headers and the
 *   encrypted body) and answers 201, or 410 for an id the test marked gone;
 * - Firebase: POST /token checks the service account's signed JWT (RS256, issuer, audience,
 *   scope) and issues an access token; POST /v1/projects/<p>/messages:send checks it and
 *   keeps the message, answering 404 UNREGISTERED for a token the test marked dead.
 * The keys it checks are made here: the VAPID pair and the service account.
 */
export interface WebPushReceived {
  id: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}
export interface FcmReceived {
  token: string;
  notification: { title: string; body: string };
  data: Record<string, string>;
}

export interface PushStandIn {
  url: string;
  vapid: { publicKey: string; privateKey: string; subject: string };
  serviceAccount: { project_id: string; client_email: string; private_key: string; token_uri: string };
  web: WebPushReceived[];
  fcm: FcmReceived[];
  goneWeb: Set<string>;
  deadTokens: Set<string>;
  tokensIssued: number;
}

// On globalThis, as the Razorpay stand-in: setup.ts and the specs load through different module loaders.
const shared = globalThis as { pushStandIn?: Promise<PushStandIn> };

const read = (req: IncomingMessage) =>
  new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });

/** The run's stand-in, started by setup.ts before config is read. */
export function pushStandIn(): Promise<PushStandIn> {
  return (shared.pushStandIn ??= start());
}

async function start(): Promise<PushStandIn> {
  const { publicKey: rsaPublic, privateKey: rsaPrivate } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const accessTokens = new Set<string>();
  const state: PushStandIn = {
    url: '',
    vapid: { ...webpush.generateVAPIDKeys(), subject: 'mailto:push@devtinder.test' },
    serviceAccount: {
      project_id: 'devtinder-test',
      client_email: 'push@devtinder-test.iam.gserviceaccount.com',
      private_key: rsaPrivate.export({ type: 'pkcs8', format: 'pem' }).toString(),
      token_uri: '',
    },
    web: [],
    fcm: [],
    goneWeb: new Set(),
    deadTokens: new Set(),
    tokensIssued: 0,
  };
  const server = createServer((req, res) => {
    void (async () => {
      const body = await read(req);
      const path = req.url ?? '';
      const reply = (status: number, json?: object) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(json ? JSON.stringify(json) : '');
      };
      if (req.method === 'POST' && path.startsWith('/web/')) {
        const id = path.slice(5);
        if (state.goneWeb.has(id)) return reply(410);
        state.web.push({ id, headers: req.headers, body });
        return reply(201);
      }
      if (req.method === 'POST' && path === '/token') {
        const form = new URLSearchParams(body.toString());
        if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer')
          return reply(400, { error: 'unsupported_grant_type' });
        try {
          const claims = jwt.verify(form.get('assertion') ?? '', rsaPublic, {
            algorithms: ['RS256'],
            issuer: state.serviceAccount.client_email,
            audience: state.serviceAccount.token_uri,
          }) as { scope?: string };
          if (claims.scope !== 'https://www.googleapis.com/auth/firebase.messaging')
            return reply(400, { error: 'invalid_scope' });
        } catch {
          return reply(400, { error: 'invalid_grant' });
        }
        const token = randomBytes(16).toString('hex');
        accessTokens.add(token);
        state.tokensIssued++;
        return reply(200, { access_token: token, expires_in: 3600, token_type: 'Bearer' });
      }
      if (req.method === 'POST' && path === `/v1/projects/${state.serviceAccount.project_id}/messages:send`) {
        const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
        if (!bearer || !accessTokens.has(bearer)) return reply(401, { error: { code: 401, status: 'UNAUTHENTICATED' } });
        const { message } = JSON.parse(body.toString()) as { message: FcmReceived };
        if (state.deadTokens.has(message.token)) {
          return reply(404, {
            error: {
              code: 404,
              status: 'NOT_FOUND',
              details: [{ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode: 'UNREGISTERED' }],
            },
          });
        }
        state.fcm.push(message);
        return reply(200, { name: `projects/${state.serviceAccount.project_id}/messages/${state.fcm.length}` });
      }
      reply(404);
    })().catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.serviceAccount.token_uri = `${state.url}/token`;
  return state;
}
