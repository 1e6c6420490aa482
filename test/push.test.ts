import { createECDH, createPublicKey, randomBytes, type ECDH } from 'node:crypto';
import { expect } from 'chai';
import { decrypt } from 'http_ece';
import jwt from 'jsonwebtoken';
import { PushDevice } from '../models/push-device.model.js';
import { sendDueSystemNotices } from '../services/notifications/system-notice.service.js';
import { api } from './support/app.js';
import { swipeAs } from './support/connections.js';
import { eventually } from './support/eventually.js';
import { heard, NOTIFICATIONS, ofType } from './support/notifications.js';
import { expectDocumented } from './support/openapi.js';
import { POSTS, readyPost } from './support/posts.js';
import { pushStandIn, type PushStandIn } from './support/push-standin.js';
import { bearer, signupUser, staffUser, type SignedUp } from './support/users.js';

const as = (u: SignedUp) => bearer(u.accessToken);
const DEVICES = `${NOTIFICATIONS}/devices`;
let n = 0;
const unique = (prefix: string) => `${prefix}${Date.now().toString(36)}${++n}`;

/** A browser's push subscription: its own key pair and auth secret, at the stand-in's push service. */
function browser(push: PushStandIn) {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  const auth = randomBytes(16);
  const id = unique('sub');
  return {
    id,
    ecdh,
    auth,
    subscription: {
      kind: 'web',
      endpoint: `${push.url}/web/${id}`,
      keys: { p256dh: ecdh.getPublicKey('base64url'), auth: auth.toString('base64url') },
    },
  };
}

const register = async (u: SignedUp, body: object) => (await api()).post(DEVICES).set(as(u)).send(body);
const like = async (u: SignedUp, postId: string) => (await api()).post(`${POSTS}/${postId}/like`).set(as(u)).expect(200);

/** The VAPID JWT of a push request, checked against the public key it names. */
function vapidClaims(authorization: string | undefined, publicKey: string) {
  const m = /^vapid t=([^,]+), k=(.+)$/.exec(authorization ?? '');
  expect(m, authorization).to.not.equal(null);
  expect(m![2]).to.equal(publicKey);
  const raw = Buffer.from(publicKey, 'base64url');
  const key = createPublicKey({
    key: { kty: 'EC', crv: 'P-256', x: raw.subarray(1, 33).toString('base64url'), y: raw.subarray(33).toString('base64url') },
    format: 'jwk',
  });
  return jwt.verify(m![1]!, key, { algorithms: ['ES256'] }) as { aud: string; sub: string; exp: number };
}

const open = (body: Buffer, ecdh: ECDH, auth: Buffer) =>
  JSON.parse(decrypt(body, { version: 'aes128gcm', privateKey: ecdh, authSecret: auth }).toString()) as {
    title: string;
    body: string;
    data: Record<string, string>;
  };

describe('device push', () => {
  let push: PushStandIn;
  before(async () => {
    push = await pushStandIn();
  });

  it('a new notice reaches a browser through its push service, VAPID-signed and readable by it alone; a 410 removes it', async () => {
    const [receiver, sender] = await Promise.all([signupUser(), signupUser({ firstName: 'Sam' })]);
    const setup = await (await api()).get(`${NOTIFICATIONS}/push-setup`).set(as(receiver));
    expectDocumented(setup, 'get', `${NOTIFICATIONS}/push-setup`);
    expect(setup.body).to.deep.equal({ webPushPublicKey: push.vapid.publicKey, mobilePush: true });

    const [live, gone, stranger] = [browser(push), browser(push), browser(push)];
    push.goneWeb.add(gone.id);
    const added = await register(receiver, live.subscription);
    expect(added.status, JSON.stringify(added.body)).to.equal(201);
    expectDocumented(added, 'post', DEVICES);
    expect(added.body.device).to.include({ kind: 'web', platform: 'web', lastPushedAt: null });
    expect((await register(receiver, gone.subscription)).status).to.equal(201);

    await swipeAs(sender, receiver, 'interested');
    await eventually(() => push.web.some((w) => w.id === live.id), 5000, 'the push at the brower’s push service');
    const got = push.web.find((w) => w.id === live.id)!;
    const claims = vapidClaims(got.headers.authorization, push.vapid.publicKey);
    expect(claims.aud).to.equal(push.url);
    expect(claims.sub).to.equal(push.vapid.subject);
    expect(claims.exp * 1000)
      .to.be.above(Date.now())
      .and.at.most(Date.now() + 24 * 3600 * 1000);
    expect(got.headers['content-encoding']).to.equal('aes128gcm');
    expect(Number(got.headers.ttl)).to.be.above(0);
    const message = open(got.body, live.ecdh, live.auth);
    expect(message).to.deep.include({ title: 'DevTinder', body: 'Sam wants to connect with you' });
    expect(message.data).to.include({
      type: 'connection_request',
      notificationId: (await heard(receiver, 'connection_request')).id,
    });
    // Encrypted for this browser only: another's keys open nothing.
    expect(() => open(got.body, stranger.ecdh, stranger.auth)).to.throw();

    // The push service said 410 Gone: that subscription is removed, the live one kept.
    await eventually(
      async () => (await PushDevice.countDocuments({ address: gone.subscription.endpoint })) === 0,
      5000,
      'the gone one removed',
    );
    const list = await (await api()).get(DEVICES).set(as(receiver));
    expectDocumented(list, 'get', DEVICES);
    expect(list.body.devices).to.have.length(1);
    expect(list.body.devices[0].id).to.equal(added.body.device.id);
    expect(list.body.devices[0].lastPushedAt).to.be.a('string');
  });

  it('Firebase: an access token from the signed service account, one message per token, an unregistered token removed', async () => {
    const [receiver, fan] = await Promise.all([signupUser(), signupUser({ firstName: 'Fay' })]);
    const [good, dead] = [unique('tok-good-'.padEnd(24, 'x')), unique('tok-dead-'.padEnd(24, 'x'))];
    push.deadTokens.add(dead);
    expect((await register(receiver, { kind: 'fcm', token: good, platform: 'ios' })).status).to.equal(201);
    expect((await register(receiver, { kind: 'fcm', token: dead })).status).to.equal(201);

    const post = await readyPost(receiver);
    await eventually(() => push.fcm.some((m) => m.token === good && m.data.type === 'post_ready'), 5000, 'the post_ready push');
    const issued = push.tokensIssued;
    await like(fan, post.id);
    await eventually(() => push.fcm.some((m) => m.token === good && m.data.type === 'like'), 5000, 'the like push');
    const liked = push.fcm.find((m) => m.token === good && m.data.type === 'like')!;
    expect(liked.notification).to.deep.equal({ title: 'DevTinder', body: 'Fay liked your post' });
    expect(liked.data).to.include({ targetKind: 'post', targetId: post.id });
    // The access token is kept between sends; the unregistered token is gone, the good one stays.
    expect(push.tokensIssued).to.equal(issued);
    expect(push.fcm.some((m) => m.token === dead)).to.equal(false);
    expect(await PushDevice.countDocuments({ address: dead })).to.equal(0);
    expect(await PushDevice.findOne({ address: good }).lean()).to.include({ platform: 'ios' });

    // Signed in again (a second session of the same account): the device is still theirs to register.
    const again = await (
      await api()
    )
      .post('/api/v1/auth/login')
      .send({ identifier: receiver.input.email, password: receiver.input.password });
    expect(again.status).to.equal(200);
    expect((await register({ ...receiver, accessToken: again.body.accessToken }, { kind: 'fcm', token: good })).status).to.equal(
      201,
    );

    // Signed out everywhere: the next notice pushes nowhere, and the device goes.
    await (await api()).post('/api/v1/auth/logout-all').set(as(receiver)).expect(200);
    const before = push.fcm.length;
    await (await api()).post(`${POSTS}/${post.id}/comments`).set(as(fan)).send({ text: 'hi' }).expect(201);
    await eventually(
      async () => (await PushDevice.countDocuments({ address: good })) === 0,
      5000,
      'the signed-out device removed',
    );
    expect(push.fcm.slice(before).filter((m) => m.token === good)).to.deep.equal([]);
  });

  it('honours push switched off for a type and quiet hours, while the in-app notices are still kept', async () => {
    const [receiver, asker, fan, other] = await Promise.all([signupUser(), signupUser(), signupUser(), signupUser()]);
    const token = unique('tok-prefs-'.padEnd(24, 'x'));
    expect((await register(receiver, { kind: 'fcm', token })).status).to.equal(201);
    const pushedTypes = () => push.fcm.filter((m) => m.token === token).map((m) => m.data.type);
    const prefs = await (
      await api()
    )
      .patch(`${NOTIFICATIONS}/preferences`)
      .set(as(receiver))
      .send({ connection_request: { push: 'off' } });
    expect(prefs.status, JSON.stringify(prefs.body)).to.equal(200);
    expect(prefs.body.preferences.connection_request).to.deep.equal({ inApp: 'immediate', push: 'off', email: 'off' });

    await swipeAs(asker, receiver, 'interested');
    await heard(receiver, 'connection_request');
    // A later notice that does push proves the request's push would have gone first.
    const post = await readyPost(receiver);
    await eventually(() => pushedTypes().includes('post_ready'), 5000, 'the post_ready push');
    expect(pushedTypes()).to.not.include('connection_request');

    // Quiet now, on a clock where "now" is mid-window: a like is kept in-app, pushed nowhere.
    const hour = new Date().getUTCHours();
    const at = (h: number) => `${String((h + 24) % 24).padStart(2, '0')}:00`;
    const quiet = { start: at(hour - 1), end: at(hour + 2), timeZone: 'UTC' };
    const set = await (await api()).patch(`${NOTIFICATIONS}/preferences`).set(as(receiver)).send({ quietHours: quiet });
    expect(set.body.quietHours).to.deep.equal(quiet);
    await like(fan, post.id);
    await heard(receiver, 'like');
    // Quiet hours over: the next new notice pushes, and by then the like's push would have gone.
    await (await api()).patch(`${NOTIFICATIONS}/preferences`).set(as(receiver)).send({ quietHours: null }).expect(200);
    await (await api()).post(`${POSTS}/${post.id}/comments`).set(as(other)).send({ text: 'hello' }).expect(201);
    await eventually(() => pushedTypes().includes('comment'), 5000, 'the comment push');
    expect(pushedTypes()).to.not.include('like');
    expect(await ofType(receiver, 'like')).to.have.length(1);

    // The account-wide push switch: nothing pushed while it is off. Someone else's push of the
    // same kind, after it, proves the decision was made.
    const watcher = await signupUser();
    const watcherToken = unique('tok-watch-'.padEnd(24, 'x'));
    expect((await register(watcher, { kind: 'fcm', token: watcherToken })).status).to.equal(201);
    await (
      await api()
    )
      .patch('/api/v1/users/me')
      .set(as(receiver))
      .send({ settings: { notifications: { push: false } } })
      .expect(200);
    const mine = await readyPost(receiver);
    await readyPost(watcher);
    await eventually(
      () => push.fcm.some((m) => m.token === watcherToken && m.data.type === 'post_ready'),
      5000,
      "the watcher's push",
    );
    expect(push.fcm.filter((m) => m.token === token && m.data.targetId === mine.id)).to.deep.equal([]);

    for (const bad of [
      { quietHours: { start: '25:00', end: '07:00', timeZone: 'UTC' } },
      { quietHours: { start: '22:00', end: '07:00', timeZone: 'Mars/Olympus' } },
      { quietHours: { start: '22:00', end: '22:00', timeZone: 'UTC' } },
      { quietHours: { start: '22:00', end: '07:00', timeZone: 'UTC', extra: 1 } },
      { quietHours: 'always' },
      { like: { push: 'sometimes' } },
      { like: { sms: 'off' } },
    ]) {
      const res = await (await api()).patch(`${NOTIFICATIONS}/preferences`).set(as(receiver)).send(bad);
      expect(res.status, JSON.stringify(bad)).to.equal(400);
    }
  });

  it('refuses endpoints off the push services, malformed keys and tokens, and others’ devices; keeps a few per person', async () => {
    const [owner, other] = await Promise.all([signupUser(), signupUser()]);
    const sub = browser(push).subscription;
    for (const endpoint of [
      'http://169.254.169.254/latest/meta-data',
      'https://evil.example.com/push/1',
      `http://user:pw@127.0.0.1:1/web/x`,
      'ftp://127.0.0.1/web/x',
      'not a url at all',
    ]) {
      const res = await register(owner, { ...sub, endpoint });
      expect(res.status, endpoint).to.equal(400);
      expect(res.body.error.code, endpoint).to.be.oneOf(['PUSH_ENDPOINT_REFUSED', 'VALIDATION_FAILED']);
    }
    for (const body of [
      { ...sub, keys: { p256dh: sub.keys.p256dh.slice(0, 40), auth: sub.keys.auth } },
      { ...sub, keys: { p256dh: Buffer.alloc(65, 7).toString('base64url'), auth: sub.keys.auth } },
      { ...sub, keys: { p256dh: sub.keys.p256dh } },
      { ...sub, keys: { p256dh: { $gt: '' }, auth: sub.keys.auth } },
      { kind: 'fcm', token: 'short' },
      { kind: 'fcm', token: { $ne: null } },
      { kind: 'sms', token: 'x'.repeat(30) },
      { kind: 'fcm', token: 'x'.repeat(30), platform: 'fridge' },
    ]) {
      expect((await register(owner, body)).status, JSON.stringify(body)).to.equal(400);
    }
    expect(await PushDevice.countDocuments({ userId: owner.id })).to.equal(0);

    const mine = (await register(owner, sub)).body.device as { id: string };
    const theirs = await (await api()).delete(`${DEVICES}/${mine.id}`).set(as(other));
    expect(theirs.status).to.equal(404);
    // Knowing a device's endpoint is not owning it: refused while its session lives. Once the
    // owner signs out, the browser may follow the next account, and the owner's pushes stop.
    const taken = await register(other, sub);
    expect([taken.status, taken.body.error?.code]).to.deep.equal([409, 'DEVICE_IN_USE']);
    expect((await (await api()).get(DEVICES).set(as(owner))).body.devices).to.have.length(1);
    await (await api()).post('/api/v1/auth/logout').set(as(owner)).expect(204);
    expect((await register(other, sub)).status).to.equal(201);
    expect(await PushDevice.countDocuments({ userId: owner.id })).to.equal(0);
    const own = (await (await api()).get(DEVICES).set(as(other))).body.devices[0].id as string;
    const removed = await (await api()).delete(`${DEVICES}/${own}`).set(as(other));
    expectDocumented(removed, 'delete', `${DEVICES}/{id}`);
    expect(removed.status).to.equal(204);

    const many = await signupUser();
    const tokens = Array.from({ length: 12 }, (_, i) => unique(`tok-cap-${i}-`.padEnd(24, 'x')));
    for (const token of tokens) expect((await register(many, { kind: 'fcm', token })).status).to.equal(201);
    const kept = await PushDevice.find({ userId: many.id }, { address: 1 }).lean();
    expect(kept.map((d) => d.address).sort()).to.deep.equal(tokens.slice(2).sort());
  });

  it('a scheduled system notice reaches devices too, in each reader’s language', async () => {
    const admin = await staffUser('admin');
    const [reader, lector] = await Promise.all([signupUser(), signupUser({ language: 'es' })]);
    const [theirs, suyo] = [browser(push), browser(push)];
    for (const [u, b] of [
      [reader, theirs],
      [lector, suyo],
    ] as const) {
      await (await api()).patch('/api/v1/users/me').set(as(u)).send({ country: 'UY' }).expect(200);
      expect((await register(u, b.subscription)).status).to.equal(201);
    }
    const text = unique('Maintenance tonight ');
    const scheduled = await (
      await api()
    )
      .post('/api/v1/admin/notices')
      .set(as(admin))
      .send({
        text,
        translations: { es: `${text} (es)` },
        segment: { kind: 'country', country: 'UY' },
        sendAt: new Date().toISOString(),
      });
    expect(scheduled.status, JSON.stringify(scheduled.body)).to.equal(201);
    expect(scheduled.body.notice.translations).to.deep.equal({ es: `${text} (es)` });
    await sendDueSystemNotices();
    await eventually(() => [theirs, suyo].every((b) => push.web.some((w) => w.id === b.id)), 5000, 'both pushes');
    const bodyOf = (b: ReturnType<typeof browser>) => open(push.web.find((w) => w.id === b.id)!.body, b.ecdh, b.auth);
    expect(bodyOf(theirs)).to.deep.include({ body: text });
    expect(bodyOf(theirs).data).to.include({ type: 'system' });
    expect(bodyOf(suyo)).to.deep.include({ body: `${text} (es)` });
    expect((await ofType(lector, 'system')).map((n) => n.text)).to.include(`${text} (es)`);
  });
});
