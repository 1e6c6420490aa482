import { createHmac, randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';

/**
 * Local stand-ins for what sign-in with other providers talks to: Google's and Apple's
 * JWKS endpoints (RSA keys made here, which the tests sign ID tokens with, and can rotate)
 * and Facebook's Graph API (debug_token checked with our app's credentials, /me with
 * appsecret_proof). Started by setup.ts before config is read.
 */
interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  jwk: JWK;
}

async function newKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = randomBytes(6).toString('hex');
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

export class KeyHost {
  keys: SigningKey[] = [];
  fetches = 0;

  constructor(
    readonly issuer: string,
    readonly audience: string,
  ) {}

  async init() {
    this.keys = [await newKey()];
    return this;
  }

  /** The provider publishes a new key and drops the old one. */
  async rotate() {
    this.keys = [await newKey()];
  }

  /** A key made here but never published (or the published kid on a foreign key). */
  unpublishedKey = newKey;

  async sign(claims: JWTPayload, options: { key?: SigningKey; kid?: string; expiresIn?: number } = {}) {
    const key = options.key ?? this.keys[0]!;
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ iss: this.issuer, aud: this.audience, iat: now, exp: now + (options.expiresIn ?? 3600), ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: options.kid ?? key.kid, typ: 'JWT' })
      .sign(key.privateKey);
  }
}

interface FacebookUser {
  id: string;
  email?: string;
  first_name?: string;
  last_name?: string;
}

export interface OAuthStandIn {
  url: string;
  google: KeyHost;
  apple: KeyHost;
  facebook: {
    appId: string;
    appSecret: string;
    /** Registers a user access token Graph will vouch for. */
    token(user: FacebookUser, options?: { appId?: string; valid?: boolean; expiresAt?: number }): string;
  };
}

async function startOAuthStandIn(): Promise<OAuthStandIn> {
  const google = await new KeyHost('https://accounts.google.com', 'google-client.apps.test').init();
  const apple = await new KeyHost('https://appleid.apple.com', 'com.devtinder.app').init();
  const appId = '4242424242';
  const appSecret = `fbsecret-${randomBytes(8).toString('hex')}`;
  const fbTokens = new Map<string, { user: FacebookUser; appId: string; valid: boolean; expiresAt: number }>();

  const app = express();
  const jwks = (host: KeyHost) => (_req: express.Request, res: express.Response) => {
    host.fetches++;
    res.json({ keys: host.keys.map((k) => k.jwk) });
  };
  app.get('/google/certs', jwks(google));
  app.get('/apple/keys', jwks(apple));
  app.get('/graph/debug_token', (req, res) => {
    if (req.query.access_token !== `${appId}|${appSecret}`) {
      res.status(400).json({ error: { message: 'Invalid OAuth access token signature.', type: 'OAuthException', code: 190 } });
      return;
    }
    const entry = fbTokens.get(String(req.query.input_token));
    if (!entry) {
      res.json({ data: { is_valid: false, error: { code: 190, message: 'Malformed access token' } } });
      return;
    }
    res.json({
      data: {
        app_id: entry.appId,
        type: 'USER',
        application: 'DevTinder',
        is_valid: entry.valid,
        expires_at: entry.expiresAt,
        user_id: entry.user.id,
        scopes: ['email', 'public_profile'],
      },
    });
  });
  app.get('/graph/me', (req, res) => {
    const token = String(req.query.access_token);
    const entry = fbTokens.get(token);
    const proof = createHmac('sha256', appSecret).update(token).digest('hex');
    if (!entry || req.query.appsecret_proof !== proof) {
      res.status(400).json({ error: { message: 'Invalid appsecret_proof', type: 'GraphMethodException', code: 100 } });
      return;
    }
    res.json(entry.user);
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  server.unref();
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    google,
    apple,
    facebook: {
      appId,
      appSecret,
      token(user, options = {}) {
        const token = `EAAG${randomBytes(24).toString('hex')}`;
        fbTokens.set(token, {
          user,
          appId: options.appId ?? appId,
          valid: options.valid ?? true,
          expiresAt: options.expiresAt ?? Math.floor(Date.now() / 1000) + 3600,
        });
        return token;
      },
    },
  };
}

// On globalThis: setup.ts and the specs are loaded by different module loaders.
const shared = globalThis as { oauthStandIn?: Promise<OAuthStandIn> };

export function oauthStandIn(): Promise<OAuthStandIn> {
  shared.oauthStandIn ??= startOAuthStandIn();
  return shared.oauthStandIn;
}
