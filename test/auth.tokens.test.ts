import { expect } from 'chai';
import type { Types } from 'mongoose';
import { config } from '../config/index.js';
import { RefreshToken } from '../models/refresh-token.model.js';
import { Session } from '../models/session.model.js';
import { User } from '../models/user.model.js';
import { startSignIn } from '../services/auth/auth.service.js';
import { setUserRole } from '../services/people/user.service.js';
import { RefreshTokenCodec, type RefreshTokenClaims } from '../utils/refresh-token-codec.js';
import { randomToken, sha256 } from '../utils/crypto.js';
import { api, ORIGIN } from './support/app.js';
import { decodePayload, forgeJwt } from './support/jwt.js';
import { expectDocumented } from './support/openapi.js';
import { bearer, cookiesOf, signupUser, staffUser, type SignedUp } from './support/users.js';

const ME = '/api/v1/auth/me';
const REFRESH = '/api/v1/auth/refresh';

/** A token of the first format (one stored record per token) for `session`. */
async function legacyTokenOf(session: { _id: Types.ObjectId; userId: Types.ObjectId; expiresAt: Date }): Promise<string> {
  const token = randomToken();
  await RefreshToken.create({
    tokenHash: sha256(token),
    sessionId: session._id,
    userId: session.userId,
    expiresAt: session.expiresAt,
  });
  return token;
}

/** A token of the current format this server could have issued, made the current one of `u`'s session. */
async function sessionTokenOf(u: SignedUp, claims: Omit<RefreshTokenClaims, 'sessionId' | 'userId'>): Promise<string> {
  const session = (await Session.findOne({ userId: u.id }).lean())!;
  const token = new RefreshTokenCodec(config.auth.jwtSecret).issue({ sessionId: String(session._id), userId: u.id, ...claims });
  await Session.updateOne({ _id: session._id }, { $set: { refreshHash: sha256(token), refreshGeneration: claims.generation } });
  return token;
}

describe('access tokens', () => {
  it('GET /me answers from the Bearer header or the cookie, never with secrets', async () => {
    const u = await signupUser();
    const viaBearer = await (await api()).get(ME).set(bearer(u.accessToken));
    expect(viaBearer.status).to.equal(200);
    expectDocumented(viaBearer, 'get', ME);
    expect(viaBearer.body.user.id).to.equal(u.id);
    expect(JSON.stringify(viaBearer.body)).to.not.match(/passwordHash|\$2[aby]\$|refreshToken/);
    const viaCookie = await (await api()).get(ME).set('Cookie', u.cookies.join('; '));
    expect(viaCookie.status).to.equal(200);
    expect(viaCookie.body.user.id).to.equal(u.id);
  });

  it('issues HS256 tokens with iss, aud, exp about 15 minutes out', async () => {
    const u = await signupUser();
    const header = JSON.parse(Buffer.from(u.accessToken.split('.')[0]!, 'base64url').toString());
    expect(header.alg).to.equal('HS256');
    const payload = decodePayload(u.accessToken);
    expect(payload).to.include({ iss: config.auth.issuer, aud: config.auth.audience, sub: u.id, role: 'user' });
    expect((payload.exp as number) - (payload.iat as number)).to.equal(900);
  });

  it('a token accepted before stops working the second it expires', async () => {
    const u = await signupUser();
    const exp = Math.floor(Date.now() / 1000) + 2;
    const token = forgeJwt({ alg: 'HS256', typ: 'JWT' }, { ...decodePayload(u.accessToken), exp }, config.auth.jwtSecret);
    expect((await (await api()).get(ME).set(bearer(token))).status).to.equal(200);
    await new Promise((resolve) => setTimeout(resolve, exp * 1000 - Date.now() + 50));
    const late = await (await api()).get(ME).set(bearer(token));
    expect(late.status).to.equal(401);
    expect(late.body.error.code).to.equal('INVALID_TOKEN');
  });

  it('refuses alg:none, a tampered payload, a wrong key, an expired token, wrong iss or aud', async () => {
    const u = await signupUser();
    // Verified once (and remembered): a tampered copy of it is still checked on its own.
    expect((await (await api()).get(ME).set(bearer(u.accessToken))).status).to.equal(200);
    const claims = decodePayload(u.accessToken);
    const now = Math.floor(Date.now() / 1000);
    const [h, , s] = u.accessToken.split('.');
    const tamperedPayload = Buffer.from(JSON.stringify({ ...claims, role: 'admin' })).toString('base64url');
    const secret = config.auth.jwtSecret;
    const bad = {
      none: forgeJwt({ alg: 'none', typ: 'JWT' }, { ...claims, role: 'admin' }),
      noneUpper: forgeJwt({ alg: 'NONE', typ: 'JWT' }, claims),
      tampered: `${h}.${tamperedPayload}.${s}`,
      wrongKey: forgeJwt({ alg: 'HS256', typ: 'JWT' }, claims, 'another-secret-that-is-long-enough-000000'),
      expired: forgeJwt({ alg: 'HS256', typ: 'JWT' }, { ...claims, iat: now - 1000, exp: now - 10 }, secret),
      wrongIssuer: forgeJwt({ alg: 'HS256', typ: 'JWT' }, { ...claims, iss: 'someone-else' }, secret),
      wrongAudience: forgeJwt({ alg: 'HS256', typ: 'JWT' }, { ...claims, aud: 'someone-else' }, secret),
      hs512: forgeJwt({ alg: 'HS512', typ: 'JWT' }, claims, secret),
      garbage: 'not.a.jwt',
    };
    for (const [name, token] of Object.entries(bad)) {
      const res = await (await api()).get(ME).set(bearer(token));
      expect(res.status, name).to.equal(401);
      expect(res.body.error.code, name).to.equal('INVALID_TOKEN');
      expectDocumented(res, 'get', ME);
      const viaCookie = await (await api()).get(ME).set('Cookie', `access_token=${token}`);
      expect(viaCookie.status, `${name} (cookie)`).to.equal(401);
    }
    // A correctly signed token from our own key is the control: the forgery helper is sound.
    const good = forgeJwt({ alg: 'HS256', typ: 'JWT' }, claims, secret);
    expect((await (await api()).get(ME).set(bearer(good))).status).to.equal(200);
  });

  it('answers 401 without any token, and for a malformed Authorization header', async () => {
    const none = await (await api()).get(ME);
    expect(none.status).to.equal(401);
    expect(none.body.error.code).to.equal('UNAUTHORIZED');
    const basic = await (await api()).get(ME).set('Authorization', 'Basic dXNlcjpwYXNz');
    expect(basic.status).to.equal(401);
  });

  it("GET /auth/check (what older nginx configs ask before a picture) says whether the caller is signed in, its refusal's code in a header", async () => {
    const CHECK = '/api/v1/auth/check';
    const u = await signupUser();
    for (const signedIn of [bearer(u.accessToken), { Cookie: u.cookies.join('; ') }]) {
      const res = await (await api()).get(CHECK).set(signedIn);
      expect(res.status).to.equal(204);
      expectDocumented(res, 'get', CHECK);
    }
    const refusals = [
      [{}, 'UNAUTHORIZED'],
      [bearer(`${u.accessToken.slice(0, -2)}xx`), 'INVALID_TOKEN'],
      [{ Cookie: 'access_token=nonsense' }, 'INVALID_TOKEN'],
    ] as const;
    for (const [headers, code] of refusals) {
      const res = await (await api()).get(CHECK).set(headers);
      expect([res.status, res.body.error.code, res.headers['x-error-code']]).to.deep.equal([401, code, code]);
      // The whole refusal too, which nginx answers with.
      expect(JSON.parse(res.headers['x-error-body'] as string)).to.deep.equal(res.body);
      expectDocumented(res, 'get', CHECK);
    }
    // An ended session is refused as an invalid token (nginx then reads nothing of its upload).
    await (await api()).post('/api/v1/auth/logout-all').set(bearer(u.accessToken)).expect(200);
    const ended = await (await api()).get(CHECK).set(bearer(u.accessToken));
    expect([ended.status, ended.headers['x-error-code']]).to.deep.equal([401, 'INVALID_TOKEN']);
  });
});

describe('refresh tokens', () => {
  it('rotates: the new token works, the old one is refused and revokes the whole session', async () => {
    const u = await signupUser();
    const first = await (await api()).post(REFRESH).send({ refreshToken: u.refreshToken });
    expect(first.status).to.equal(200);
    expectDocumented(first, 'post', REFRESH);
    expect(first.body.refreshToken).to.not.equal(u.refreshToken);
    expect((await (await api()).get(ME).set(bearer(first.body.accessToken))).status).to.equal(200);

    const reuse = await (await api()).post(REFRESH).send({ refreshToken: u.refreshToken });
    expect(reuse.status).to.equal(401);
    expect(reuse.body.error.code).to.equal('INVALID_REFRESH_TOKEN');
    const session = await Session.findOne({ userId: u.id }).lean();
    expect(session!.revokedReason).to.equal('refresh_token_reuse');

    // The family is gone: the token issued after rotation no longer works either.
    const after = await (await api()).post(REFRESH).send({ refreshToken: first.body.refreshToken });
    expect(after.status).to.equal(401);
  });

  it('stores only the hash of the one current refresh token, on its session', async () => {
    const u = await signupUser();
    const stored = await Session.findOne({ userId: u.id }).lean();
    expect(stored!.refreshHash).to.equal(sha256(u.refreshToken));
    expect(JSON.stringify(stored)).to.not.include(u.refreshToken.split('.').at(-2));
    const next = await (await api()).post(REFRESH).send({ refreshToken: u.refreshToken });
    const after = await Session.findOne({ userId: u.id }).lean();
    expect(after!.refreshHash).to.equal(sha256(next.body.refreshToken));
    expect(after!.refreshGeneration).to.equal(1);
  });

  it('refuses an altered or made-up token without ending the session it names', async () => {
    const u = await signupUser();
    const [sid, uid, gen, role, secret, mac] = u.refreshToken.split('.') as [string, string, string, string, string, string];
    expect(role).to.match(/^user-[0-9a-z]+$/);
    const checked = role.split('-')[1]!;
    const other = await signupUser();
    const otherUid = other.refreshToken.split('.')[1]!;
    const flip = (text: string) => text.slice(0, -1) + (text.endsWith('A') ? 'B' : 'A');
    for (const forged of [
      [sid, uid, gen, role, secret, flip(mac)],
      [sid, uid, String(Number(gen) + 1), role, secret, mac],
      [sid, otherUid, gen, role, secret, mac],
      [sid, uid, gen, role, flip(secret), mac],
      [sid, uid, gen, `admin-${checked}`, secret, mac],
      [sid, uid, gen, `user-${(parseInt(checked, 36) + 86_400).toString(36)}`, secret, mac],
      [sid, uid, gen, `root-${checked}`, secret, mac],
      [sid, uid, gen, 'user', secret, mac],
      [sid, uid, gen, secret, mac],
      [sid, uid, gen, role, secret],
      [sid, uid, '-1', role, secret, mac],
    ]) {
      const res = await (await api()).post(REFRESH).send({ refreshToken: forged.join('.') });
      expect(res.status, forged.join('.')).to.equal(401);
      expect(res.body.error.code).to.equal('INVALID_REFRESH_TOKEN');
    }
    expect((await Session.findOne({ userId: u.id }).lean())!.revokedAt).to.equal(null);
    expect((await (await api()).post(REFRESH).send({ refreshToken: u.refreshToken })).status).to.equal(200);
  });

  it('honours a token of the first format once, moves its session to the current one, and a replay ends it', async () => {
    const u = await signupUser();
    // A session from before the current format: it holds no token of its own.
    await Session.updateOne({ userId: u.id }, { $unset: { refreshHash: 1, refreshGeneration: 1 } });
    const session = await Session.findOne({ userId: u.id }).lean();
    const legacy = await legacyTokenOf(session!);
    const first = await (await api()).post(REFRESH).send({ refreshToken: legacy });
    expect(first.status).to.equal(200);
    expect(first.body.refreshToken.split('.')).to.have.length(6);
    expect(first.body.refreshToken.split('.')[3]).to.match(/^user-/);
    const second = await (await api()).post(REFRESH).send({ refreshToken: first.body.refreshToken });
    expect(second.status).to.equal(200);
    const replay = await (await api()).post(REFRESH).send({ refreshToken: legacy });
    expect(replay.status).to.equal(401);
    expect((await Session.findOne({ userId: u.id }).lean())!.revokedReason).to.equal('refresh_token_reuse');
    expect((await (await api()).post(REFRESH).send({ refreshToken: second.body.refreshToken })).status).to.equal(401);
  });

  it('refuses a token of the first format for a session already on the current one, which keeps its token', async () => {
    const u = await signupUser();
    const session = await Session.findOne({ userId: u.id }).lean();
    const legacy = await legacyTokenOf(session!);
    expect((await (await api()).post(REFRESH).send({ refreshToken: legacy })).status).to.equal(401);
    expect((await Session.findOne({ userId: u.id }).lean())!.refreshHash).to.equal(sha256(u.refreshToken));
    expect((await (await api()).post(REFRESH).send({ refreshToken: u.refreshToken })).status).to.equal(200);
  });

  it("carries the account's role, so a refresh needs no read of the account; a role change ends the session", async () => {
    const admin = await staffUser('admin');
    expect(admin.refreshToken.split('.')[3]).to.match(/^admin-/);
    const next = await (await api()).post(REFRESH).send({ refreshToken: admin.refreshToken });
    expect(next.status).to.equal(200);
    expect(decodePayload(next.body.accessToken)).to.include({ role: 'admin', sub: admin.id });
    expect(next.body.refreshToken.split('.')[3]).to.match(/^admin-/);
    // Demoted by another admin: the session the role was signed into ends with it.
    const other = await staffUser('admin');
    await (
      await api()
    )
      .patch(`/api/v1/admin/users/${admin.id}/role`)
      .set(bearer(other.accessToken))
      .send({ role: 'user' })
      .expect(200);
    const after = await (await api()).post(REFRESH).send({ refreshToken: next.body.refreshToken });
    expect(after.status).to.equal(401);
    expect((await (await api()).get(ME).set(bearer(next.body.accessToken))).status).to.equal(401);
  });

  it('reads the account once for a token issued before tokens carried the role, and ends the session of a banned one', async () => {
    const roleless = (u: SignedUp) => sessionTokenOf(u, { generation: 3 });
    const mod = await staffUser('moderator');
    const first = await (await api()).post(REFRESH).send({ refreshToken: await roleless(mod) });
    expect(first.status).to.equal(200);
    expect(decodePayload(first.body.accessToken)).to.include({ role: 'moderator' });
    expect(first.body.refreshToken.split('.')[2]).to.equal('4');
    expect(first.body.refreshToken.split('.')[3]).to.match(/^moderator-/);
    expect((await (await api()).post(REFRESH).send({ refreshToken: first.body.refreshToken })).status).to.equal(200);

    // Banned by a path that left the session open: the read catches it and the session ends.
    const banned = await signupUser();
    const token = await roleless(banned);
    await User.updateOne({ _id: banned.id }, { $set: { bannedAt: new Date() } });
    const refused = await (await api()).post(REFRESH).send({ refreshToken: token });
    expect(refused.status).to.equal(401);
    expect((await Session.findOne({ userId: banned.id }).lean())!.revokedReason).to.equal('account_unavailable');
  });

  it('issues tokens an older release reads (no role part) while REFRESH_TOKEN_CARRIES_ROLE is false, and still reads the newer ones', async () => {
    const settings = config.auth as { refreshCarriesRole: boolean };
    const parts = (token: string) => token.split('.').length;
    settings.refreshCarriesRole = false;
    try {
      const u = await signupUser();
      expect(parts(u.refreshToken)).to.equal(5);
      // One a process of the newer step issued before a rollback to this step.
      const carried = await sessionTokenOf(u, { generation: 2, role: 'user', checkedAt: Math.floor(Date.now() / 1000) });
      const next = await (await api()).post(REFRESH).send({ refreshToken: carried });
      expect(next.status).to.equal(200);
      expect(parts(next.body.refreshToken)).to.equal(5);
      expect(decodePayload(next.body.accessToken)).to.include({ role: 'user', sub: u.id });
      const again = await (await api()).post(REFRESH).send({ refreshToken: next.body.refreshToken });
      expect(again.status).to.equal(200);
      // A first-format token moves to the form this step issues too.
      const older = await signupUser();
      await Session.updateOne({ userId: older.id }, { $unset: { refreshHash: 1, refreshGeneration: 1 } });
      const legacy = await legacyTokenOf((await Session.findOne({ userId: older.id }).lean())!);
      const moved = await (await api()).post(REFRESH).send({ refreshToken: legacy });
      expect(moved.status).to.equal(200);
      expect(parts(moved.body.refreshToken)).to.equal(5);
      settings.refreshCarriesRole = true;
      const carrying = await (await api()).post(REFRESH).send({ refreshToken: again.body.refreshToken });
      expect(carrying.body.refreshToken.split('.')[3]).to.match(/^user-/);
    } finally {
      settings.refreshCarriesRole = true;
    }
  });

  it('reads the account again once the role a token carries was read over an hour ago: a revocation lost to a failure cannot outlive that', async () => {
    const hourAgo = Math.floor(Date.now() / 1000) - 3601;
    const carrying = (u: SignedUp, role: 'admin' | 'user', checkedAt: number) =>
      sessionTokenOf(u, { generation: 7, role, checkedAt });
    // Demoted in the database with no session ended (the revocation failed): within the hour the
    // token's role holds, past it the account's does.
    const demoted = await signupUser();
    const recent = await (await api()).post(REFRESH).send({ refreshToken: await carrying(demoted, 'admin', hourAgo + 120) });
    expect(decodePayload(recent.body.accessToken)).to.include({ role: 'admin' });
    const stale = await (await api()).post(REFRESH).send({ refreshToken: await carrying(demoted, 'admin', hourAgo) });
    expect(stale.status).to.equal(200);
    expect(decodePayload(stale.body.accessToken)).to.include({ role: 'user' });
    const [role, checkedAt] = stale.body.refreshToken.split('.')[3].split('-');
    expect(role).to.equal('user');
    expect(parseInt(checkedAt, 36)).to.be.greaterThan(hourAgo + 3000);

    const banned = await signupUser();
    const token = await carrying(banned, 'user', hourAgo);
    await User.updateOne({ _id: banned.id }, { $set: { bannedAt: new Date() } });
    expect((await (await api()).post(REFRESH).send({ refreshToken: token })).status).to.equal(401);
    expect((await Session.findOne({ userId: banned.id }).lean())!.revokedReason).to.equal('account_unavailable');
  });

  it('setting a role again ends the sessions even when it was stored already (a retry after a failed revocation)', async () => {
    const u = await signupUser();
    await setUserRole(u.id, 'user');
    expect((await (await api()).post(REFRESH).send({ refreshToken: u.refreshToken })).status).to.equal(401);
  });

  it('a role changed while a sign-in was under way ends its sessions (409, sign in again): the new one would carry the old role', async () => {
    const u = await signupUser();
    const user = (await User.findById(u.id).lean())!;
    // The sign-in read the account as an admin; the demotion landed before its session existed.
    const refused = await startSignIn({ ...user, role: 'admin' }, { requestId: undefined }).then(
      () => null,
      (err: unknown) => err,
    );
    expect(refused).to.have.property('code', 'CONCURRENT_UPDATE');
    const stale = (await Session.findOne({ userId: u.id }).sort({ _id: -1 }).lean())!;
    expect(stale.revokedReason).to.equal('role_changed');
    expect((await (await api()).post(REFRESH).send({ refreshToken: u.refreshToken })).status).to.equal(401);
  });

  it('a sign-in racing a password change keeps no session (409); the session that changed it stays', async () => {
    const u = await signupUser();
    // The sign-in read the account and matched the old password; then the change landed.
    const readBefore = (await User.findById(u.id).lean())!;
    const change = await (
      await api()
    )
      .post('/api/v1/auth/change-password')
      .set(bearer(u.accessToken))
      .send({ currentPassword: u.input.password, newPassword: 'a brand new password' });
    expect(change.status).to.equal(204);
    const refused = await startSignIn(readBefore, { requestId: undefined }).then(
      () => null,
      (err: unknown) => err,
    );
    expect(refused).to.have.property('code', 'CONCURRENT_UPDATE');
    const raced = (await Session.findOne({ userId: u.id }).sort({ _id: -1 }).lean())!;
    expect(raced.revokedReason).to.equal('ended_during_sign_in');
    expect((await (await api()).get(ME).set(bearer(u.accessToken))).status).to.equal(200);
    expect(await Session.countDocuments({ userId: u.id, revokedAt: null })).to.equal(1);
  });

  it('rotates from the cookie for the web, with an allowed Origin', async () => {
    const u = await signupUser();
    const res = await (await api()).post(REFRESH).set('Origin', ORIGIN).set('Cookie', u.cookies.join('; '));
    expect(res.status).to.equal(200);
    expect(cookiesOf(res).some((c) => c.startsWith('refresh_token='))).to.equal(true);
  });

  it('treats concurrent uses of one token as reuse: at most one answer, then the session is gone', async () => {
    const u = await signupUser();
    const results = await Promise.all(
      [1, 2, 3].map(async () => (await api()).post(REFRESH).send({ refreshToken: u.refreshToken })),
    );
    const winners = results.filter((r) => r.status === 200);
    expect(winners.length).to.be.at.most(1);
    expect(results.filter((r) => r.status === 401).length).to.be.at.least(2);
    // The losers presented a claimed token: the whole session is revoked, so even a
    // winner's new token is dead.
    expect((await Session.findOne({ userId: u.id }).lean())!.revokedReason).to.equal('refresh_token_reuse');
    for (const w of winners)
      expect((await (await api()).post(REFRESH).send({ refreshToken: w.body.refreshToken })).status).to.equal(401);
  });

  it('refuses unknown, missing, expired and non-string refresh tokens', async () => {
    expect((await (await api()).post(REFRESH).send({ refreshToken: 'x'.repeat(43) })).status).to.equal(401);
    expect((await (await api()).post(REFRESH).send({})).status).to.equal(401);
    expect((await (await api()).post(REFRESH).send({ refreshToken: { $ne: null } })).status).to.equal(400);
    expect((await (await api()).post(REFRESH).send({ refreshToken: 12345 })).status).to.equal(400);
    const u = await signupUser();
    await Session.updateMany({ userId: u.id }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await (await api()).post(REFRESH).send({ refreshToken: u.refreshToken })).status).to.equal(401);
  });
});

describe('logout', () => {
  it('POST /logout revokes the session and clears the cookies', async () => {
    const u = await signupUser();
    const res = await (await api()).post('/api/v1/auth/logout').set(bearer(u.accessToken));
    expect(res.status).to.equal(204);
    const cleared = ([] as string[]).concat(res.headers['set-cookie'] as unknown as string[]);
    expect(cleared.some((c) => /^access_token=;.*Expires=Thu, 01 Jan 1970/.test(c))).to.equal(true);
    expect(cleared.some((c) => /^refresh_token=;/.test(c))).to.equal(true);
    expect((await (await api()).post(REFRESH).send({ refreshToken: u.refreshToken })).status).to.equal(401);
  });

  it('POST /logout with only the refresh token (expired access token) ends that session', async () => {
    const u = await signupUser();
    const res = await (await api()).post('/api/v1/auth/logout').send({ refreshToken: u.refreshToken });
    expect(res.status).to.equal(204);
    expect((await Session.findOne({ userId: u.id }).lean())!.revokedReason).to.equal('logout');
  });

  it('POST /logout-all revokes every session of the user and no one else', async () => {
    const u = await signupUser();
    const other = await signupUser();
    const second = await (await api()).post('/api/v1/auth/login').send({ identifier: u.input.email, password: u.input.password });
    const res = await (await api()).post('/api/v1/auth/logout-all').set(bearer(u.accessToken));
    expect(res.status).to.equal(200);
    expectDocumented(res, 'post', '/api/v1/auth/logout-all');
    expect(res.body.revokedSessions).to.equal(2);
    expect((await (await api()).post(REFRESH).send({ refreshToken: u.refreshToken })).status).to.equal(401);
    expect((await (await api()).post(REFRESH).send({ refreshToken: second.body.refreshToken })).status).to.equal(401);
    expect((await (await api()).post(REFRESH).send({ refreshToken: other.refreshToken })).status).to.equal(200);
  });
});

describe('CSRF', () => {
  it('refuses a cookie-authenticated write from a foreign or missing Origin, and changes nothing', async () => {
    const u = await signupUser();
    const cookie = u.cookies.join('; ');
    const foreign = await (
      await api()
    )
      .post('/api/v1/auth/logout-all')
      .set('Cookie', cookie)
      .set('Origin', 'https://evil.example');
    expect(foreign.status).to.equal(403);
    expect(foreign.body.error.code).to.equal('CSRF_REJECTED');
    const noOrigin = await (await api()).post('/api/v1/auth/logout-all').set('Cookie', cookie);
    expect(noOrigin.status).to.equal(403);
    const refererForeign = await (
      await api()
    )
      .post('/api/v1/auth/logout-all')
      .set('Cookie', cookie)
      .set('Referer', 'https://evil.example/page');
    expect(refererForeign.status).to.equal(403);
    expect(await Session.countDocuments({ userId: u.id, revokedAt: null })).to.equal(1);

    const allowed = await (await api()).post('/api/v1/auth/logout-all').set('Cookie', cookie).set('Origin', ORIGIN);
    expect(allowed.status).to.equal(200);
    expect(await Session.countDocuments({ userId: u.id, revokedAt: null })).to.equal(0);
  });

  it('does not affect Bearer requests, nor cookie reads', async () => {
    const u = await signupUser();
    const write = await (
      await api()
    )
      .post('/api/v1/auth/logout-all')
      .set(bearer(u.accessToken))
      .set('Origin', 'https://evil.example');
    expect(write.status).to.equal(200);
    const v = await signupUser();
    const read = await (await api()).get(ME).set('Cookie', v.cookies.join('; ')).set('Origin', 'https://evil.example');
    expect(read.status).to.equal(200);
  });
});
