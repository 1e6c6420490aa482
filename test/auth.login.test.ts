import bcrypt from 'bcrypt';
import { expect } from 'chai';
import type { Response } from 'supertest';
import { config } from '../config/index.js';
import { Session } from '../models/session.model.js';
import { passwordChecks } from '../services/auth/password.service.js';
import { closeRedis, connectRedis } from '../services/redis.service.js';
import { User } from '../models/user.model.js';
import { knownDeviceToken } from '../services/auth/known-device.js';
import { api, freshIp } from './support/app.js';
import { startServer } from './support/process.js';
import { holdMail, mailOutage, mailsTo, tokenFrom, waitForMail } from './support/mail.js';
import { eventually } from './support/eventually.js';
import { expectDocumented } from './support/openapi.js';
import { cookiesOf, signupUser, type SignedUp } from './support/users.js';

const LOGIN = '/api/v1/auth/login';
const login = async (body: object, ip = freshIp()) => (await api()).post(LOGIN).set('X-Forwarded-For', ip).send(body);

/** A prober of one account from everywhere: five wrong passwords by its username, then its right one by its address. */
function accountProber(redis: Awaited<ReturnType<typeof connectRedis>>, u: SignedUp) {
  const names = [u.id, u.input.username.toLowerCase(), u.input.email.toLowerCase()];
  return {
    // A new window: this account's counters (its identifiers' and its own) forgotten.
    newWindow: async () => {
      const keys = await redis.keys(`${config.limits.prefix}login-account*`);
      const ours = keys.filter((k) => names.some((n) => k.includes(n)));
      if (ours.length) await redis.del(ours);
    },
    // Past the account's count: the right password is refused as a wrong one.
    passTheCount: async () => {
      for (let i = 0; i < 5; i++) await login({ identifier: u.input.username, password: `wrong-${i}-pass` }, freshIp());
      const past = await login({ identifier: u.input.email, password: u.input.password }, freshIp());
      expect([past.status, past.body.error?.code]).to.deep.equal([401, 'INVALID_CREDENTIALS']);
    },
  };
}
const reauthenticate = async (u: SignedUp, password: string) =>
  (await api())
    .post('/api/v1/auth/reauthenticate')
    .set('X-Forwarded-For', freshIp())
    .set('Authorization', `Bearer ${u.accessToken}`)
    .send({ password });

/**
 * Every slot of the password line taken and a line longer than the longest wait (as a flood
 * of sign-ins from many addresses would), until released.
 */
async function fillPasswordLine() {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  // Checks of 50 ms each set the line's pace (the wait it refuses past is counted in time).
  for (let i = 0; i < 30; i++) await passwordChecks.run(() => new Promise((resolve) => setTimeout(resolve, 50)));
  const held: Promise<unknown>[] = [];
  await crowdPasswordLine(released, held);
  return { release, held };
}

/** Checks held until `released` join the line until it refuses the next (kept in `held`). */
async function crowdPasswordLine(released: Promise<void>, held: Promise<unknown>[]) {
  for (let i = 0; i < 100_000; i++) {
    let refused = false;
    held.push(passwordChecks.run(() => released).catch(() => (refused = true)));
    // A refusal settles at once; a check in line stays pending.
    await new Promise((resolve) => setImmediate(resolve));
    if (refused) return;
  }
}

/**
 * The known-device token a sign-in two days ago gave this account's client (the kept lane of
 * a full line takes only devices known for a day), sealed as the server seals it then. Its
 * address is verified first (the lane is for established accounts) unless `verified` is false.
 */
async function deviceTokenOf(who: { id: string }, verified = true): Promise<string> {
  if (verified) await User.updateOne({ _id: who.id }, { $set: { emailVerified: true } });
  const account = (await User.findById(who.id, {
    passwordChangedAt: 1,
    username: 1,
    email: 1,
    emailVerified: 1,
    createdAt: 1,
  }).lean())!;
  const now = Date.now;
  Date.now = () => now() - 2 * 86_400_000;
  try {
    return knownDeviceToken(account);
  } finally {
    Date.now = now;
  }
}

/** A request's answer once it comes, read without waiting for it. */
function settled(request: Promise<Response>) {
  const state = { done: false, res: undefined as Response | undefined };
  void request.then((res) => Object.assign(state, { done: true, res }));
  return state;
}

describe('POST /auth/login', () => {
  it('signs in by email or by username, in any case, and opens a session', async () => {
    const u = await signupUser();
    for (const identifier of [u.input.email.toUpperCase(), u.input.username, u.input.username.toUpperCase()]) {
      const res = await login({ identifier, password: u.input.password });
      expect(res.status).to.equal(200);
      expectDocumented(res, 'post', LOGIN);
      expect(res.body.user.id).to.equal(u.id);
      expect(res.body.user).to.not.have.any.keys('passwordHash', 'password');
    }
    expect(await Session.countDocuments({ userId: u.id, revokedAt: null })).to.equal(4);
  });

  it('answers a wrong password and an unknown account with the same 401', async () => {
    const u = await signupUser();
    const ip = freshIp();
    const wrong = await login({ identifier: u.input.email, password: 'wrong password' }, ip);
    const unknown = await login({ identifier: 'nobody@example.com', password: 'wrong password' }, ip);
    expect(wrong.status).to.equal(401);
    expect(unknown.status).to.equal(401);
    expect(wrong.body).to.deep.equal(unknown.body);
    expect(wrong.body.error.code).to.equal('INVALID_CREDENTIALS');
    expectDocumented(wrong, 'post', LOGIN);
    expect(wrong.headers['set-cookie']).to.equal(undefined);
  });

  it('refuses operator objects and non-strings, and signs nobody in', async () => {
    const u = await signupUser();
    const attempts = [
      { identifier: { $gt: '' }, password: u.input.password },
      { identifier: u.input.email, password: { $ne: null } },
      { identifier: { $ne: null }, password: { $ne: null } },
    ];
    for (const body of attempts) {
      const res = await login(body);
      expect(res.status).to.equal(400);
      expect(res.body.error.code).to.equal('INVALID_INPUT_KEY');
      expect(res.body).to.not.have.property('accessToken');
    }
    for (const body of [{ identifier: ['a'], password: 'x' }, { identifier: u.input.email, password: 12345678 }, {}]) {
      const res = await login(body);
      expect(res.status).to.equal(400);
      expect(res.body.error.code).to.equal('VALIDATION_FAILED');
    }
    expect(await Session.countDocuments({ userId: u.id })).to.equal(1);
  });

  it("trusts a known device no more after a day's failures: its sign-ins then count as a stranger's", async function () {
    if (!config.redisUrl) this.skip();
    const redis = await connectRedis(config.redisUrl!);
    const u = await signupUser();
    const token = await deviceTokenOf(u);
    const withToken = (password: string) => login({ identifier: u.input.email, password, deviceToken: token }, freshIp());
    // A new fifteen-minute window (the day's count of the device's failures stays).
    const newWindow = async () => {
      const keys = await redis.keys(`${config.limits.prefix}login-account*`);
      const ours = keys.filter((k) => k.includes(':known:') || k.includes(u.id) || k.includes(u.input.email.toLowerCase()));
      if (ours.length) await redis.del(ours);
    };
    try {
      // Ten wrong passwords over two windows, each on the device's own counter; the five
      // refusals past its window's count (429: no password compared) do not count for the day...
      for (let i = 0; i < 5; i++) expect((await withToken(`wrong-0-${i}-pass`)).status).to.equal(401);
      for (let i = 0; i < 5; i++) expect((await withToken(`again-${i}-pass`)).status).to.equal(429);
      await newWindow();
      for (let i = 0; i < 5; i++) expect((await withToken(`wrong-1-${i}-pass`)).status).to.equal(401);
      // ...so a stranger naming the account is not held by them.
      expect((await login({ identifier: u.input.email, password: u.input.password }, freshIp())).status).to.equal(200);
      // Past them, the device's failures count on its identifier as anyone's: five lock it.
      for (let i = 0; i < 5; i++) expect((await withToken(`wrong-2-${i}-pass`)).status).to.equal(401);
      const stranger = await login({ identifier: u.input.email, password: u.input.password }, freshIp());
      expect([stranger.status, stranger.body.error?.code]).to.deep.equal([429, 'RATE_LIMITED']);
    } finally {
      await newWindow();
      const days = (await redis.keys(`${config.limits.prefix}login-known-day*`)).filter((k) => k.includes(':known:'));
      if (days.length) await redis.del(days);
      await closeRedis(redis);
    }
  });

  it('mails the owner that sign-ins are paused at most once a day, however often the count is passed', async function () {
    if (!config.redisUrl) this.skip();
    const redis = await connectRedis(config.redisUrl!);
    const u = await signupUser();
    const { newWindow, passTheCount } = accountProber(redis, u);
    const paused = async () => (await mailsTo(u.input.email)).filter((m) => /paused/.test(m.subject)).length;
    try {
      await passTheCount();
      await waitForMail(u.input.email, /paused/);
      const toldAt = (await User.findById(u.id, { signInsPausedToldAt: 1 }).lean())!.signInsPausedToldAt;
      expect(toldAt).to.be.an.instanceOf(Date);
      // The next window's prober: no second mail (the day's is claimed; the claim is sent before
      // the answer is).
      await newWindow();
      await passTheCount();
      // A day on, the owner (renamed, so this window's mail is told apart from any of the last
      // one's) is told again: the second mail is this one.
      await User.updateOne(
        { _id: u.id },
        { $set: { signInsPausedToldAt: new Date(Date.now() - 86_400_001), firstName: 'Dayon' } },
      );
      await newWindow();
      await passTheCount();
      const second = await waitForMail(u.input.email, /paused/, 2);
      expect(second.body.text).to.match(/^Hi Dayon,/);
      expect(await paused()).to.equal(2);
      const toldAgain = (await User.findById(u.id, { signInsPausedToldAt: 1 }).lean())!.signInsPausedToldAt!;
      expect(toldAgain.getTime()).to.be.greaterThan(toldAt!.getTime());
    } finally {
      await newWindow();
      await closeRedis(redis);
    }
  });

  it("claims the 'sign-ins paused' mail for an hour while it is sent: a process stopped before sending it leaves it due within the hour", async function () {
    if (!config.redisUrl) this.skip();
    const redis = await connectRedis(config.redisUrl!);
    const u = await signupUser();
    const prober = accountProber(redis, u);
    const toldAt = async () => (await User.findById(u.id, { signInsPausedToldAt: 1 }).lean())!.signInsPausedToldAt;
    const paused = async () => (await mailsTo(u.input.email)).filter((m) => /paused/.test(m.subject)).length;
    const DAY = 86_400_000;
    const HOUR = 3_600_000;
    try {
      // The send under way (the provider holds it): what a process stopped now would leave.
      await holdMail(true);
      const before = Date.now();
      await prober.passTheCount();
      await eventually(async () => (await toldAt()) != null, 5000, 'the claim');
      expect((await toldAt())!.getTime() + DAY).to.be.within(before + HOUR, Date.now() + HOUR);
      // Meanwhile another window's prober sends nothing more: the claim stands for that hour.
      await prober.newWindow();
      await prober.passTheCount();
      await holdMail(false);
      await waitForMail(u.input.email, /paused/);
      // Sent: told for the day.
      await eventually(async () => (await toldAt())!.getTime() + DAY > Date.now() + 23 * HOUR, 5000, 'told for the day');
      expect(await paused()).to.equal(1);
    } finally {
      await holdMail(false);
      await prober.newWindow();
      await closeRedis(redis);
    }
  });

  it("tries the 'sign-ins paused' mail again later and later while the provider refuses it, from an hour again two days after the last refusal, and forgets them once sent", async function () {
    if (!config.redisUrl) this.skip();
    const redis = await connectRedis(config.redisUrl!);
    const u = await signupUser();
    const prober = accountProber(redis, u);
    // Each in a new window, so each passes the count.
    const passTheCount = async () => {
      await prober.newWindow();
      await prober.passTheCount();
    };
    const stored = async () =>
      (await User.findById(u.id, { signInsPausedToldAt: 1, signInsPausedMailFailures: 1, signInsPausedMailFailedAt: 1 }).lean())!;
    const DAY = 86_400_000;
    const HOUR = 3_600_000;
    try {
      await mailOutage(true);
      // Each refusal waits twice the last before the next try: an hour, then two, then four.
      for (const [failures, wait] of [
        [1, HOUR],
        [2, 2 * HOUR],
        [3, 4 * HOUR],
      ] as const) {
        const before = Date.now();
        await passTheCount();
        await eventually(async () => (await stored()).signInsPausedMailFailures === failures, 5000, `refusal ${failures}`);
        const next = (await stored()).signInsPausedToldAt!.getTime() + DAY;
        expect(next).to.be.within(before + wait, Date.now() + wait);
        // Not due yet: another window's prober tries nothing (a try would have claimed the mail
        // and been refused within the wait; the claim goes before the login answers).
        const toldAt = (await stored()).signInsPausedToldAt!.getTime();
        await passTheCount();
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect([(await stored()).signInsPausedMailFailures, (await stored()).signInsPausedToldAt!.getTime()]).to.deep.equal([
          failures,
          toldAt,
        ]);
        // Its time comes.
        await User.updateOne({ _id: u.id }, { $set: { signInsPausedToldAt: new Date(Date.now() - DAY - 1) } });
      }
      // A refusal a day and an hour after the last is of the same episode: the fourth, eight hours.
      await User.updateOne({ _id: u.id }, { $set: { signInsPausedMailFailedAt: new Date(Date.now() - DAY - HOUR) } });
      const fourthAt = Date.now();
      await passTheCount();
      await eventually(async () => (await stored()).signInsPausedMailFailures === 4, 5000, 'refusal 4');
      expect((await stored()).signInsPausedToldAt!.getTime() + DAY).to.be.within(fourthAt + 8 * HOUR, Date.now() + 8 * HOUR);
      await User.updateOne({ _id: u.id }, { $set: { signInsPausedToldAt: new Date(Date.now() - DAY - 1) } });
      // Refusals two days past count no more: the next starts again at an hour.
      await User.updateOne({ _id: u.id }, { $set: { signInsPausedMailFailedAt: new Date(Date.now() - 2 * DAY - 1) } });
      const before = Date.now();
      await passTheCount();
      await eventually(async () => (await stored()).signInsPausedMailFailures === 1, 5000, 'a new episode');
      expect((await stored()).signInsPausedToldAt!.getTime() + DAY).to.be.within(before + HOUR, Date.now() + HOUR);
      await User.updateOne({ _id: u.id }, { $set: { signInsPausedToldAt: new Date(Date.now() - DAY - 1) } });
      await mailOutage(false);
      await passTheCount();
      await waitForMail(u.input.email, /paused/);
      await eventually(async () => (await stored()).signInsPausedMailFailures === undefined, 5000, 'refusals forgotten');
      expect((await stored()).signInsPausedToldAt!.getTime()).to.be.greaterThan(Date.now() - 60_000);
    } finally {
      await mailOutage(false);
      await prober.newWindow();
      await closeRedis(redis);
    }
  });

  it('makes a hash of a lower cost again at the configured one when its password is proved, keeping its date; never lowers one', async function () {
    this.timeout(60_000);
    // A process configured one step above the suite's (bcrypt's least cost), on the same database.
    const cost = config.auth.bcryptCost + 1;
    const server = await startServer(
      process.env.MONGODB_URI!,
      { BCRYPT_COST: String(cost), ENABLE_JOBS: 'false' },
      'a cost-5 server',
    );
    const signIn = (identifier: string, password: string) =>
      fetch(`${server.url}${LOGIN}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': freshIp() },
        body: JSON.stringify({ identifier, password }),
      });
    try {
      const [low, high] = [await signupUser(), await signupUser()];
      const stored = async (u: SignedUp) => (await User.findById(u.id, { passwordHash: 1, passwordChangedAt: 1 }).lean())!;
      await User.updateOne({ _id: high.id }, { $set: { passwordHash: await bcrypt.hash(high.input.password, cost + 1) } });
      const [lowBefore, highBefore] = [await stored(low), await stored(high)];
      expect(bcrypt.getRounds(lowBefore.passwordHash!)).to.equal(cost - 1);
      // A wrong password changes nothing.
      expect((await signIn(low.input.username, 'not the password 1')).status).to.equal(401);
      expect((await stored(low)).passwordHash).to.equal(lowBefore.passwordHash);
      expect((await signIn(low.input.username, low.input.password)).status).to.equal(200);
      expect((await signIn(high.input.username, high.input.password)).status).to.equal(200);
      await eventually(async () => bcrypt.getRounds((await stored(low)).passwordHash!) === cost, 5000, 'rehash');
      const after = await stored(low);
      expect(await bcrypt.compare(low.input.password, after.passwordHash!)).to.equal(true);
      expect(after.passwordChangedAt).to.deep.equal(lowBefore.passwordChangedAt);
      expect((await signIn(low.input.email, low.input.password)).status).to.equal(200);
      // A hash of a higher cost than this process's is left as it is.
      expect((await stored(high)).passwordHash).to.equal(highBefore.passwordHash);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });

  it('never accepts a longer password that shares the first 72 bytes', async () => {
    const password = 'p'.repeat(72);
    const u = await signupUser({ password });
    const ip = freshIp();
    const exact = await login({ identifier: u.input.username, password }, ip);
    expect(exact.status).to.equal(200);
    const longer = await login({ identifier: u.input.username, password: `${password}X` }, ip);
    expect(longer.status).to.equal(401);
    expect(longer.body.error.code).to.equal('INVALID_CREDENTIALS');
  });

  it('locks an account out after repeated failures, with Retry-After, even for the right password', async () => {
    const u = await signupUser();
    for (let i = 0; i < 5; i++) {
      const res = await login({ identifier: u.input.email, password: `wrong-${i}-pass` });
      expect(res.status).to.equal(401);
    }
    const locked = await login({ identifier: u.input.email, password: u.input.password });
    expect(locked.status).to.equal(429);
    expect(locked.body.error.code).to.equal('RATE_LIMITED');
    expect(Number(locked.headers['retry-after'])).to.be.greaterThan(0);
    expectDocumented(locked, 'post', LOGIN);
    // The lock is per account: another account signs in from the same place.
    const other = await signupUser();
    const ok = await login({ identifier: other.input.email, password: other.input.password });
    expect(ok.status).to.equal(200);
  });

  it("counts an account's failures by username and address together, refusing past them as a wrong password is", async () => {
    const [u, other] = [await signupUser(), await signupUser({ password: 'another long password 42' })];
    // Five failures by its username (each from a fresh address): that name is locked, as before.
    for (let i = 0; i < 5; i++) {
      const res = await login({ identifier: u.input.username, password: `wrong-${i}-pass` }, freshIp());
      expect(res.status).to.equal(401);
    }
    expect((await login({ identifier: u.input.username, password: u.input.password }, freshIp())).status).to.equal(429);
    // By its address, in any case, even the right password is refused: no sixth guess by another name.
    const byAddress = [];
    for (const identifier of [u.input.email, ` ${u.input.email.toUpperCase()} `]) {
      const res = await login({ identifier, password: u.input.password }, freshIp());
      expect([res.status, res.body.error?.code], identifier).to.deep.equal([401, 'INVALID_CREDENTIALS']);
      byAddress.push(res);
    }
    // ...answered as a wrong password by another account's address is: neither a lock nor a count
    // tells a prober which address is that username's.
    const elsewhere = await login({ identifier: other.input.email, password: u.input.password }, freshIp());
    const seen = (res: typeof elsewhere) => [
      res.status,
      res.body.error?.code,
      // What is left of each budget (the policy line names each counter by a hash of its key).
      Object.entries(res.headers).filter(([name]) => /^(ratelimit|retry-after)$/i.test(name)),
    ];
    expect(seen(byAddress[0]!)).to.deep.equal(seen(elsewhere));
    // The owner is told once why the right password is refused for a while (not the prober).
    const told = await waitForMail(u.input.email, /paused/);
    expect(told.body.text).to.include('5 times').and.include('15 minutes');
    expect((await mailsTo(u.input.email)).filter((m) => /paused/.test(m.subject))).to.have.lengthOf(1);
    expect((await mailsTo(other.input.email)).filter((m) => /paused/.test(m.subject))).to.have.lengthOf(0);
    // The other account is untouched.
    expect((await login({ identifier: other.input.username, password: other.input.password }, freshIp())).status).to.equal(200);
  });

  it('whoever keeps failing on purpose does not keep the owner out after a reset, nor blocks the reset with address changes', async () => {
    const u = await signupUser();
    const auth = async (path: string, body: object, headers: Record<string, string> = {}) =>
      (await api()).post(`/api/v1/auth${path}`).set('X-Forwarded-For', freshIp()).set(headers).send(body);
    const fromBrowser = { Origin: 'http://localhost:5173' };
    // Others ask to move their accounts to the owner's address, past its hourly budget...
    const others = await Promise.all([signupUser(), signupUser()]);
    for (const other of others)
      for (let i = 0; i < 3; i++)
        await auth('/change-email', { email: u.input.email }, { Authorization: `Bearer ${other.accessToken}` });
    // ...and fail on it from everywhere: the owner, on a new device, is locked out.
    for (let i = 0; i < 6; i++) await login({ identifier: u.input.email, password: `wrong-${i}-pass` });
    expect((await auth('/login', { identifier: u.input.email, password: u.input.password }, fromBrowser)).status).to.equal(429);
    // The reset is not blocked by the address changes, and the browser that resets signs in.
    expect((await auth('/forgot-password', { email: u.input.email })).status).to.equal(202);
    const reset = await auth(
      '/reset-password',
      { token: tokenFrom(await waitForMail(u.input.email, /Reset your password/)), password: 'taken back 12345' },
      fromBrowser,
    );
    expect(reset.status).to.equal(204);
    const known = cookiesOf(reset).find((c) => c.startsWith('known_device='))!;
    expect(known).to.be.a('string');
    const back = await auth(
      '/login',
      { identifier: u.input.email, password: 'taken back 12345' },
      { ...fromBrowser, Cookie: known },
    );
    expect(back.status, JSON.stringify(back.body)).to.equal(200);
    // Anyone else is still held to the identifier's count.
    expect((await auth('/login', { identifier: u.input.email, password: 'taken back 12345' }, fromBrowser)).status).to.equal(429);
  });

  it("a stranger's failures on purpose do not lock the owner's own device out; a device's own failures lock it", async () => {
    const [u, thief] = await Promise.all([signupUser(), signupUser()]);
    // The owner's app and browser signed in before, and kept what the sign-in gave them.
    const app = await login({ identifier: u.input.email, password: u.input.password });
    expect(app.status).to.equal(200);
    expectDocumented(app, 'post', LOGIN);
    const appToken: string = app.body.deviceToken;
    expect(appToken).to.be.a('string');
    const browser = await (
      await api()
    )
      .post(LOGIN)
      .set('X-Forwarded-For', freshIp())
      .set('Origin', 'http://localhost:5173')
      .send({ identifier: u.input.email, password: u.input.password });
    expect(browser.body).not.to.have.property('deviceToken');
    const raw = ([] as string[]).concat(browser.headers['set-cookie'] ?? []).find((c) => c.startsWith('known_device='))!;
    expect(raw).to.match(/HttpOnly/i);
    expect(raw).to.include('Path=/api/v1/auth/login');
    const cookie = cookiesOf(browser).find((c) => c.startsWith('known_device='))!;
    // Someone fails on the owner's address from everywhere, past the lockout, and is locked out...
    for (let i = 0; i < 6; i++) await login({ identifier: u.input.email, password: `wrong-${i}-pass` });
    expect((await login({ identifier: u.input.email, password: u.input.password })).status).to.equal(429);
    // ...as is a token of another identifier (the thief's own) or a forged one: they count as strangers.
    const thiefToken = (await login({ identifier: thief.input.email, password: thief.input.password })).body.deviceToken;
    // So is another spelling of the owner's token (each would be a fresh counter otherwise).
    for (const deviceToken of [thiefToken, `${appToken.slice(0, -4)}AAAA`, `${appToken}!`, `.${appToken}`, `${appToken}==`]) {
      expect((await login({ identifier: u.input.email, password: u.input.password, deviceToken })).status).to.equal(429);
    }
    // The owner's devices sign in, by either identifier of the account.
    expect((await login({ identifier: u.input.email, password: u.input.password, deviceToken: appToken })).status).to.equal(200);
    for (let i = 0; i < 6; i++) await login({ identifier: u.input.username, password: `wrong-${i}-pass` });
    expect((await login({ identifier: u.input.username, password: u.input.password })).status).to.equal(429);
    expect((await login({ identifier: u.input.username, password: u.input.password, deviceToken: appToken })).status).to.equal(
      200,
    );
    /** A sign-in from the browser holding `cookie`. */
    const fromBrowserWith = async (cookie: string, who: SignedUp) =>
      (await api())
        .post(LOGIN)
        .set('X-Forwarded-For', freshIp())
        .set('Origin', 'http://localhost:5173')
        .set('Cookie', cookie)
        .send({ identifier: who.input.email, password: who.input.password });
    const knownDeviceOf = (res: Parameters<typeof cookiesOf>[0]) => cookiesOf(res).find((c) => c.startsWith('known_device='))!;
    const fromBrowser = await fromBrowserWith(cookie, u);
    expect(fromBrowser.status).to.equal(200);
    // A shared browser: someone else signs in on it, and it stays the owner's known device too.
    const partner = await signupUser();
    const asPartner = await fromBrowserWith(knownDeviceOf(fromBrowser), partner);
    expect(asPartner.status).to.equal(200);
    const shared = knownDeviceOf(asPartner);
    expect(shared.split('=')[1]!.split('.')).to.have.length(2);
    for (let i = 0; i < 6; i++) await login({ identifier: partner.input.email, password: `wrong-${i}-pass` });
    for (const who of [u, partner]) {
      const back = await fromBrowserWith(shared, who);
      expect(back.status, who.input.firstName).to.equal(200);
    }
    // A new password ends every known device: the old token counts as a stranger's again.
    const before = (await User.findById(u.id, { passwordChangedAt: 1 }).lean())!.passwordChangedAt!;
    await User.updateOne({ _id: u.id }, { $set: { passwordChangedAt: new Date(before.getTime() + 1000) } });
    expect((await login({ identifier: u.input.email, password: u.input.password, deviceToken: appToken })).status).to.equal(429);
    await User.updateOne({ _id: u.id }, { $set: { passwordChangedAt: before } });
    // A known device that fails itself is locked like anyone (its own counter).
    for (let i = 0; i < 5; i++) {
      await login({ identifier: u.input.email, password: `wrong-${i}-again`, deviceToken: appToken });
    }
    expect((await login({ identifier: u.input.email, password: u.input.password, deviceToken: appToken })).status).to.equal(429);
  });

  it('locks out an address that fails across many accounts, and only that address', async () => {
    const ip = freshIp();
    let last;
    for (let i = 0; i < 21; i++) {
      last = await login({ identifier: `nobody${i}@example.com`, password: 'wrong password' }, ip);
    }
    expect(last!.status).to.equal(429);
    expect(last!.headers['retry-after']).to.match(/^\d+$/);
    const u = await signupUser();
    const elsewhere = await login({ identifier: u.input.email, password: u.input.password });
    expect(elsewhere.status).to.equal(200);
  });

  it('counts an IPv6 network of /56 as one address, and each IPv4 client behind NAT64 as its own', async () => {
    const hex = () => Math.floor(Math.random() * 0xfff0 + 1).toString(16);
    const failures = async (ip: string, n: number) => {
      const statuses = [];
      for (let i = 0; i < n; i++) {
        statuses.push((await login({ identifier: `nobody-${i}-${hex()}@example.com`, password: 'wrong password' }, ip)).status);
      }
      return statuses;
    };
    const network = `2001:db8:${hex()}`;
    expect(await failures(`${network}:100::1`, 20)).to.deep.equal(Array(20).fill(401));
    // Another address of the same /56 shares its budget.
    expect(await failures(`${network}:1ff::9`, 1)).to.deep.equal([429]);
    // Through NAT64 (64:ff9b::/96), two IPv4 clients are two budgets, not one /56.
    const [one, two] = [`64:ff9b::${hex()}:${hex()}`, `64:ff9b::${hex()}:${hex()}`];
    expect(await failures(one, 21)).to.deep.equal([...Array(20).fill(401), 429]);
    expect(await failures(two, 1)).to.deep.equal([401]);
  });

  it("counts an address's sign-ins with the right password too: each is a password check everyone waits in line for", async () => {
    const u = await signupUser();
    const ip = freshIp();
    for (let i = 0; i < 60; i++)
      expect((await login({ identifier: u.input.username, password: u.input.password }, ip)).status).to.equal(200);
    const refused = await login({ identifier: u.input.username, password: u.input.password }, ip);
    expect([refused.status, refused.body.error.code]).to.deep.equal([429, 'RATE_LIMITED']);
    expect(refused.headers['retry-after']).to.match(/^\d+$/);
    expect(await Session.countDocuments({ userId: u.id, revokedAt: null })).to.equal(61);
    // Another address signs in to the same account.
    expect((await login({ identifier: u.input.username, password: u.input.password })).status).to.equal(200);
  });

  it('answers 503 at once while the line of password checks is full, and counts it as no failure', async () => {
    const u = await signupUser();
    const { release, held } = await fillPasswordLine();
    try {
      const ip = freshIp();
      for (let i = 0; i < 7; i++) {
        const busy = await login({ identifier: u.input.username, password: 'wrong password' }, ip);
        expect([busy.status, busy.body.error.code]).to.deep.equal([503, 'PASSWORD_CHECKS_BUSY']);
        expectDocumented(busy, 'post', LOGIN);
        // Nor does it spend a budget counted before the check (5 confirmations in 15 minutes).
        const confirm = await reauthenticate(u, 'wrong password');
        expect([confirm.status, confirm.body.error.code]).to.deep.equal([503, 'PASSWORD_CHECKS_BUSY']);
      }
      // What checks no password is not held up: a mailbox proof without one.
      const proof = await (await api()).post('/api/v1/auth/verify-email').send({ token: 'x'.repeat(43) });
      expect(proof.status).to.equal(400);
    } finally {
      release();
      await Promise.all(held);
    }
    // Seven refusals, none of them a guess: the owner is not locked out.
    expect((await login({ identifier: u.input.username, password: u.input.password })).status).to.equal(200);
    expect((await reauthenticate(u, u.input.password)).status).to.equal(204);
  });

  it("keeps a place in a full line for the owner's known device: a flood from everywhere does not keep them out", async () => {
    const [u, other, banned, recent, fresh] = [
      await signupUser(),
      await signupUser(),
      await signupUser(),
      await signupUser(),
      await signupUser(),
    ];
    const right = { identifier: u.input.username, password: u.input.password };
    const otherRight = { identifier: other.input.email, password: other.input.password };
    const [appToken, otherToken, bannedToken] = [await deviceTokenOf(u), await deviceTokenOf(other), await deviceTokenOf(banned)];
    // A device known since just now (one signed in during the flood) keeps nothing.
    const recentRight = { identifier: recent.input.email, password: recent.input.password };
    await User.updateOne({ _id: recent.id }, { $set: { emailVerified: true } });
    const recentToken = (await login(recentRight)).body.deviceToken as string;
    // Nor does a day-old device of an account made yesterday, its address not verified (one of a flood's own).
    const freshRight = { identifier: fresh.input.username, password: fresh.input.password };
    const freshToken = await deviceTokenOf(fresh, false);
    // And one whose address was verified when its token was sealed, not now.
    const lapsed = await signupUser();
    const lapsedToken = await deviceTokenOf(lapsed);
    await User.updateOne({ _id: lapsed.id }, { $set: { emailVerified: false } });
    await User.updateOne({ _id: banned.id }, { $set: { bannedAt: new Date() } });
    const { release, held } = await fillPasswordLine();
    const [home, away] = [freshIp(), freshIp()];
    let waiting: ReturnType<typeof settled>[] = [];
    try {
      // The owner's app (its token for this account) waits in the kept lane, not refused.
      waiting = [settled(login({ ...right, deviceToken: appToken }, home))];
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(waiting[0]!.done, JSON.stringify(waiting[0]!.res?.body)).to.equal(false);
      const refusedFor = async (body: object, ip = freshIp()) => {
        const res = await login(body, ip);
        return [res.status, res.body.error?.code];
      };
      const busy = [503, 'PASSWORD_CHECKS_BUSY'];
      // One place per address: another owner behind the same address is refused meanwhile; elsewhere, kept.
      expect(await refusedFor({ ...otherRight, deviceToken: otherToken }, home)).to.deep.equal(busy);
      waiting.push(settled(login({ ...otherRight, deviceToken: otherToken }, away)));
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(waiting[1]!.done, JSON.stringify(waiting[1]!.res?.body)).to.equal(false);
      // One place per account: the same token again meanwhile, as any other client, is refused.
      expect(await refusedFor({ ...right, deviceToken: appToken })).to.deep.equal(busy);
      expect(await refusedFor(right)).to.deep.equal(busy);
      // A token from today, another account's, a forged one, or a banned account's own keeps nothing.
      expect(await refusedFor({ ...recentRight, deviceToken: recentToken })).to.deep.equal(busy);
      expect(await refusedFor({ ...right, deviceToken: otherToken })).to.deep.equal(busy);
      expect(await refusedFor({ ...right, deviceToken: `${appToken.slice(0, -4)}AAAA` })).to.deep.equal(busy);
      expect(
        await refusedFor({ identifier: banned.input.email, password: banned.input.password, deviceToken: bannedToken }),
      ).to.deep.equal(busy);
      expect(await refusedFor({ ...freshRight, deviceToken: freshToken })).to.deep.equal(busy);
      // Its standing is read again at the sign-in.
      expect(
        await refusedFor({ identifier: lapsed.input.email, password: lapsed.input.password, deviceToken: lapsedToken }),
      ).to.deep.equal(busy);
      // A day-old token sent with another account's identifier is refused before any budget: a flood
      // of them from one address stays 503, never reaching its address's sign-in budget (429).
      const flood = freshIp();
      const answers = new Set<string>();
      for (let i = 0; i < 65; i++) answers.add(String(await refusedFor({ ...right, deviceToken: otherToken }, flood)));
      expect([...answers]).to.deep.equal([String(busy)]);
    } finally {
      release();
      await Promise.all(held);
    }
    await eventually(() => waiting.every((w) => w.done), 10_000, 'the owners signed in');
    expect(waiting.map((w) => w.res!.status)).to.deep.equal([200, 200]);
  });

  it('holds no kept place for an address before its line is full: a sign-in waiting from before keeps nobody out', async () => {
    const [u, other] = [await signupUser(), await signupUser()];
    const [token, otherToken] = [await deviceTokenOf(u), await deviceTokenOf(other)];
    const home = freshIp();
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    // Every slot busy, nobody waiting yet: a known device's sign-in from home waits with everyone.
    const held: Promise<unknown>[] = Array.from({ length: config.auth.bcryptConcurrency }, () =>
      passwordChecks.run(() => released),
    );
    const waiting = [settled(login({ identifier: u.input.email, password: u.input.password, deviceToken: token }, home))];
    try {
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(waiting[0]!.done).to.equal(false);
      // Then the line fills (a flood), and another owner at home signs in: the kept place is theirs.
      await crowdPasswordLine(released, held);
      waiting.push(
        settled(login({ identifier: other.input.email, password: other.input.password, deviceToken: otherToken }, home)),
      );
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(waiting[1]!.done, JSON.stringify(waiting[1]!.res?.body)).to.equal(false);
    } finally {
      release();
      await Promise.all(held);
    }
    await eventually(() => waiting.every((w) => w.done), 10_000, 'both signed in');
    expect(waiting.map((w) => w.res!.status)).to.deep.equal([200, 200]);
  });

  it('keeps one address to a few places in the line of password checks, so a flood from a few addresses cannot fill it', async () => {
    const u = await signupUser();
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    // Every slot busy, so each sign-in waits in the line until released.
    const held = Array.from({ length: config.auth.bcryptConcurrency }, () => passwordChecks.run(() => released));
    const right = { identifier: u.input.username, password: u.input.password };
    const [flood, other] = [freshIp(), freshIp()];
    const fromFlood = Array.from({ length: 5 }, () => settled(login(right, flood)));
    try {
      await eventually(() => fromFlood.filter((r) => r.done).length === 2, 5000, 'two refused at once');
      for (const refused of fromFlood.filter((r) => r.done)) {
        expect([refused.res!.status, refused.res!.body.error.code]).to.deep.equal([429, 'RATE_LIMITED']);
        expect(refused.res!.headers['retry-after']).to.equal('1');
        expectDocumented(refused.res!, 'post', LOGIN);
      }
      // Another address still gets a place (it waits in line), while the flood's next is refused at once.
      const fromOther = settled(login(right, other));
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect((await login(right, flood)).status).to.equal(429);
      expect([fromOther.done, fromFlood.filter((r) => r.done).length]).to.deep.equal([false, 2]);
      release();
      await eventually(() => fromOther.done && fromFlood.every((r) => r.done), 10_000, 'the line drained');
      expect(fromFlood.map((r) => r.res!.status).sort()).to.deep.equal([200, 200, 200, 429, 429]);
      expect(fromOther.res!.status).to.equal(200);
    } finally {
      release();
      await Promise.all(held);
    }
    // Its places are given back: the address signs in again.
    expect((await login(right, flood)).status).to.equal(200);

    // Hanging up does not give a place back while the check it asked for still waits in the line.
    let releaseAgain!: () => void;
    const releasedAgain = new Promise<void>((resolve) => (releaseAgain = resolve));
    const heldAgain = Array.from({ length: config.auth.bcryptConcurrency }, () => passwordChecks.run(() => releasedAgain));
    try {
      const hungUp = await Promise.all(
        Array.from({ length: 3 }, async () =>
          (await api())
            .post(LOGIN)
            .set('X-Forwarded-For', flood)
            .timeout(300)
            .send(right)
            .then(
              () => 'answered',
              () => 'hung up',
            ),
        ),
      );
      expect(hungUp).to.deep.equal(['hung up', 'hung up', 'hung up']);
      const next = settled(login(right, flood));
      await eventually(() => next.done, 3000, 'the next one refused at once');
      expect([next.res!.status, next.res!.body.error?.code]).to.deep.equal([429, 'RATE_LIMITED']);
    } finally {
      releaseAgain();
      await Promise.all(heldAgain);
    }
    // Once their checks are done, the places are back.
    await eventually(async () => (await login(right, flood)).status === 200, 5000, 'the places back');
  });

  it('does not count successful sign-ins towards the lockout', async () => {
    const u = await signupUser();
    for (let i = 0; i < 8; i++) {
      const res = await login({ identifier: u.input.username, password: u.input.password });
      expect(res.status).to.equal(200);
    }
  });
});
