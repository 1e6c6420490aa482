import { expect } from 'chai';
import { config } from '../config/index.js';
import { AuditRecord } from '../models/audit-record.model.js';
import { User } from '../models/user.model.js';
import { isSessionEnded, noteSessionEnded, shareSessionEnds } from '../services/auth/session-revocations.js';
import { closeRedis, connectRedis, type RedisClient } from '../services/redis.service.js';
import { api, freshIp } from './support/app.js';
import { mailsTo, waitForMail } from './support/mail.js';
import { expectDocumented } from './support/openapi.js';
import { eventually, within } from './support/eventually.js';
import { connectClient, startServer } from './support/socket-server.js';
import { bearer, cookiesOf, signupUser, type SignedUp } from './support/users.js';

const SESSIONS = '/api/v1/auth/sessions';
const IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1';
const WINDOWS_CHROME =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
// Public addresses the bundled DB-IP database places in the United States and the United Kingdom.
const US_IP = '8.8.8.8';
const UK_IP = '81.2.69.142';

/** An account whose address its owner proved. */
async function verifiedUser(): Promise<SignedUp> {
  const u = await signupUser();
  await User.updateOne({ _id: u.id }, { $set: { emailVerified: true } });
  return u;
}

async function login(u: SignedUp, userAgent: string, ip: string) {
  const res = await (
    await api()
  )
    .post('/api/v1/auth/login')
    .set('User-Agent', userAgent)
    .set('X-Forwarded-For', ip)
    .send({ identifier: u.input.email, password: u.input.password });
  expect(res.status, JSON.stringify(res.body)).to.equal(200);
  return res;
}

const expectRejected = async (p: Promise<unknown>) => {
  const outcome = await p.then(
    () => 'connected',
    () => 'refused',
  );
  expect(outcome).to.equal('refused');
};

const newSignInMails = async (u: SignedUp) => (await mailsTo(u.input.email)).filter((m) => /New sign-in/.test(m.subject));

describe('sessions and devices', () => {
  it('lists sessions with the device, region and last use, and marks the current one', async () => {
    const u = await signupUser();
    const phone = await login(u, IPHONE, US_IP);
    const list = await (await api()).get(SESSIONS).set(bearer(phone.body.accessToken));
    expect(list.status).to.equal(200);
    expectDocumented(list, 'get', SESSIONS);
    expect(list.body.sessions).to.have.length(2);
    const [latest, first] = list.body.sessions;
    expect(latest).to.include({
      deviceName: 'Mobile Safari 17 on Apple iPhone (iOS 17.1)',
      deviceType: 'mobile',
      country: 'US',
      region: 'United States',
      ip: US_IP,
      current: true,
    });
    expect(first.current).to.equal(false);
    expect(first.region, 'a private address has no region').to.equal(null);
    expect(list.body.regionSource).to.match(/DB-IP/);
    // A refresh from an address with no region keeps the place the session knew.
    const renewed = await (await api()).post('/api/v1/auth/refresh').send({ refreshToken: phone.body.refreshToken });
    expect(renewed.status).to.equal(200);
    const after = await (await api()).get(SESSIONS).set(bearer(renewed.body.accessToken));
    expect(after.body.sessions.find((s: { current: boolean }) => s.current)).to.include({
      country: 'US',
      region: 'United States',
    });
    const other = await signupUser();
    const theirs = await (await api()).get(SESSIONS).set(bearer(other.accessToken));
    expect(theirs.body.sessions.map((s: { id: string }) => s.id)).to.not.include(latest.id);
  });

  it('a new device or country sends the owner an email and writes an audit record; a known one does not', async () => {
    const u = await verifiedUser();
    await login(u, WINDOWS_CHROME, US_IP);
    const mail = await waitForMail(u.input.email, /New sign-in on Chrome 120 on Windows 10/);
    // That mail came after any the signup would have sent: the first session is not a new device.
    expect(await newSignInMails(u), 'the first session is the signup, not a new device').to.have.length(1);
    expect(mail.body.text).to.include('United States').and.include(US_IP);
    const audits = await AuditRecord.find({ userId: u.id, action: 'session.new_device' }).lean();
    expect(audits).to.have.length(1);
    expect(audits[0]!.detail).to.include({ device: 'Chrome 120 on Windows 10', region: 'United States', ip: US_IP });

    // The same browser after an update, from the same country: known.
    await login(u, WINDOWS_CHROME.replace('Chrome/120', 'Chrome/121'), US_IP);
    // The same browser from another country: worth telling.
    await login(u, WINDOWS_CHROME, UK_IP);
    await waitForMail(u.input.email, /New sign-in/, 2);
    const mails = await newSignInMails(u);
    expect(mails).to.have.length(2);
    expect(mails[1]!.body.text).to.include('United Kingdom');
    expect(await AuditRecord.countDocuments({ userId: u.id, action: 'session.new_device' })).to.equal(2);
  });

  it('mails new sign-ins only to a proven address, at most ten a day, and audits each: sign-ins are no way to mail someone', async () => {
    // Signed up with an address nobody proved (someone else's, perhaps); signing in from "new devices" (a made-up User-Agent each).
    const [squatted, owner] = await Promise.all([signupUser(), verifiedUser()]);
    for (const u of [squatted, owner]) for (let i = 0; i < 12; i++) await login(u, `Bomb${i}/1.0`, US_IP);
    // A mail sent after them all: by its arrival, theirs have gone out.
    for (const u of [squatted, owner]) {
      await (await api()).post('/api/v1/auth/forgot-password').set('X-Forwarded-For', freshIp()).send({ email: u.input.email });
      await waitForMail(u.input.email, /Reset your password/);
    }
    expect(await newSignInMails(squatted)).to.deep.equal([]);
    expect(await newSignInMails(owner)).to.have.length(10);
    for (const u of [squatted, owner]) {
      expect(await AuditRecord.countDocuments({ userId: u.id, action: 'session.new_device' })).to.equal(12);
    }
  });

  it('ending a session revokes its refresh token and closes its sockets; others are untouched', async () => {
    const u = await signupUser();
    const phone = await login(u, IPHONE, US_IP);
    const server = await startServer();
    try {
      const phoneSocket = await connectClient(server.url, { auth: { token: phone.body.accessToken } });
      const signupSocket = await connectClient(server.url, { auth: { token: u.accessToken } });
      const closed = new Promise<string>((resolve) => phoneSocket.on('disconnect', resolve));
      const phoneSessionId = (await (await api()).get(SESSIONS).set(bearer(phone.body.accessToken))).body.sessions.find(
        (s: { current: boolean }) => s.current,
      ).id;

      // Another user cannot end it, nor learn that it exists.
      const stranger = await signupUser();
      const foreign = await (await api()).delete(`${SESSIONS}/${phoneSessionId}`).set(bearer(stranger.accessToken));
      expect(foreign.status).to.equal(404);
      expectDocumented(foreign, 'delete', `${SESSIONS}/{id}`);

      const ended = await (await api()).delete(`${SESSIONS}/${phoneSessionId}`).set(bearer(u.accessToken));
      expect(ended.status).to.equal(204);
      expect(await within(1000, closed)).to.equal('io server disconnect');
      expect(signupSocket.connected, 'the other session keeps its socket').to.equal(true);
      signupSocket.close();

      // Its access token stops working at once, not when it expires.
      const stale = await (await api()).get('/api/v1/auth/me').set(bearer(phone.body.accessToken));
      expect([stale.status, stale.body.error.code]).to.deep.equal([401, 'INVALID_TOKEN']);
      await expectRejected(connectClient(server.url, { auth: { token: phone.body.accessToken } }));
      const refresh = await (await api()).post('/api/v1/auth/refresh').send({ refreshToken: phone.body.refreshToken });
      expect(refresh.status).to.equal(401);
      expect(refresh.body.error.code).to.equal('INVALID_REFRESH_TOKEN');
      const stillMine = await (await api()).post('/api/v1/auth/refresh').send({ refreshToken: u.refreshToken });
      expect(stillMine.status).to.equal(200);

      const list = await (await api()).get(SESSIONS).set(bearer(stillMine.body.accessToken));
      expect(list.body.sessions.map((s: { id: string }) => s.id)).to.not.include(phoneSessionId);
      expect(await AuditRecord.exists({ userId: u.id, action: 'session.ended' })).to.not.equal(null);
      const twice = await (await api()).delete(`${SESSIONS}/${phoneSessionId}`).set(bearer(stillMine.body.accessToken));
      expect(twice.status).to.equal(404);
      const malformed = await (await api()).delete(`${SESSIONS}/not-an-id`).set(bearer(stillMine.body.accessToken));
      expect(malformed.status).to.equal(400);
    } finally {
      await server.close();
    }
  });

  it("a socket that took another session's token (auth:refresh) is closed with that session, not with its first", async () => {
    const u = await signupUser();
    const phone = await login(u, IPHONE, US_IP);
    const server = await startServer();
    try {
      const socket = await connectClient(server.url, { auth: { token: u.accessToken } });
      const moved = await socket.timeout(2000).emitWithAck('auth:refresh', { token: phone.body.accessToken });
      expect(moved.ok).to.equal(true);
      const sessionOf = async (token: string) =>
        (await (await api()).get(SESSIONS).set(bearer(token))).body.sessions.find((s: { current: boolean }) => s.current)
          .id as string;
      const first = await sessionOf(u.accessToken);
      const second = await sessionOf(phone.body.accessToken);
      const closed = new Promise<string>((resolve) => socket.on('disconnect', resolve));
      expect((await (await api()).delete(`${SESSIONS}/${first}`).set(bearer(phone.body.accessToken))).status).to.equal(204);
      const ping = await socket.timeout(2000).emitWithAck('system:ping', {});
      expect(ping.ok, 'its first session ended: the socket stays').to.equal(true);
      expect((await (await api()).delete(`${SESSIONS}/${second}`).set(bearer(phone.body.accessToken))).status).to.equal(204);
      // At once, not by the 5 s sweep that also catches ended sessions.
      expect(await within(1000, closed)).to.equal('io server disconnect');
    } finally {
      await server.close();
    }
  });

  it('ending the current session from the web clears its cookies', async () => {
    const u = await signupUser();
    const list = await (await api()).get(SESSIONS).set('Cookie', u.cookies.join('; '));
    const current = list.body.sessions.find((s: { current: boolean }) => s.current).id;
    const res = await (
      await api()
    )
      .delete(`${SESSIONS}/${current}`)
      .set('Cookie', u.cookies.join('; '))
      .set('Origin', 'http://app.test')
      .set('X-Forwarded-For', freshIp());
    expect(res.status).to.equal(204);
    const cleared = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
    expect(cleared.some((c) => /^access_token=;/.test(c))).to.equal(true);
    expect(cookiesOf(res)).to.deep.equal([]);
  });
});

describe('ended sessions shared through Redis', () => {
  /**
   * Ends `sessionId` here while Redis holds the writes (the store and the publish) without
   * answering, then drops the connection under them: both fail in flight, neither applied.
   */
  async function endLostInFlight(redis: RedisClient, admin: RedisClient, sessionId: string): Promise<void> {
    const connectionId = String(await redis.sendCommand(['CLIENT', 'ID']));
    await admin.sendCommand(['CLIENT', 'PAUSE', '2000', 'WRITE']);
    noteSessionEnded(sessionId);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await admin.sendCommand(['CLIENT', 'KILL', 'ID', connectionId]);
  }

  it('a subscriber that lost Redis learns the sessions ended meanwhile once it is back', async function () {
    if (!config.redisUrl) this.skip();
    const redis = await connectRedis(config.redisUrl!);
    const admin = await connectRedis(config.redisUrl!);
    const stop = await shareSessionEnds(redis);
    try {
      // Ended by another process while this one's subscriber was cut off: only the stored set has it.
      const missed = `missed-${Date.now()}`;
      await admin.zAdd('sessions:ended', { score: Date.now() + 60_000, value: missed });
      expect(isSessionEnded(missed)).to.equal(false);
      await admin.sendCommand(['CLIENT', 'KILL', 'TYPE', 'pubsub']);
      await eventually(() => isSessionEnded(missed), 5000, 'the reconnected subscriber to learn the ended session');
    } finally {
      await stop();
      await closeRedis(redis);
      await closeRedis(admin);
    }
  });

  it('an end whose store and publish were lost with the connection is told again once Redis is back', async function () {
    if (!config.redisUrl) this.skip();
    const redis = await connectRedis(config.redisUrl!);
    const admin = await connectRedis(config.redisUrl!);
    // Another process: what it hears on the channel.
    const heard: string[] = [];
    const otherProcess = admin.duplicate();
    await otherProcess.connect();
    await otherProcess.subscribe('sessions:revoked', (id) => void heard.push(id));
    const stop = await shareSessionEnds(redis);
    const lost = `lost-${Date.now()}`;
    try {
      await endLostInFlight(redis, admin, lost);
      await admin.sendCommand(['CLIENT', 'UNPAUSE']);
      await eventually(async () => (await admin.zScore('sessions:ended', lost)) !== null, 5000, 'the end to be stored');
      await eventually(() => heard.includes(lost), 5000, 'the other process to hear of the end');
    } finally {
      await admin.sendCommand(['CLIENT', 'UNPAUSE']);
      await admin.zRem('sessions:ended', lost);
      await stop();
      await otherProcess.close();
      await closeRedis(redis);
      await closeRedis(admin);
    }
  });

  it('an end still not shared when the process stops is tried once more before Redis is closed', async function () {
    if (!config.redisUrl) this.skip();
    const redis = await connectRedis(config.redisUrl!);
    const admin = await connectRedis(config.redisUrl!);
    const stop = await shareSessionEnds(redis);
    const lost = `lost-at-stop-${Date.now()}`;
    try {
      await endLostInFlight(redis, admin, lost);
      await new Promise((resolve) => setTimeout(resolve, 50));
      // Shutdown as server.ts runs it: stop sharing, then close the client, with the retry not yet due.
      const stopping = stop();
      await admin.sendCommand(['CLIENT', 'UNPAUSE']);
      await stopping;
      await closeRedis(redis);
      expect(await admin.zScore('sessions:ended', lost)).to.not.equal(null);
    } finally {
      await admin.sendCommand(['CLIENT', 'UNPAUSE']);
      await admin.zRem('sessions:ended', lost);
      await stop();
      await closeRedis(redis);
      await closeRedis(admin);
    }
  });
});
