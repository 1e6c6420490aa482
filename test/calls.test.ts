import { createHmac } from 'node:crypto';
import { expect } from 'chai';
import { config } from '../config/index.js';
import { Call } from '../models/call.model.js';
import { CallSeat } from '../models/call-seat.model.js';
import { api } from './support/app.js';
import { collect, emitAck, emitUntyped, eventually, nextEvent, useSocketServer } from './support/chat.js';
import { connect } from './support/connections.js';
import { expectDocumented } from './support/openapi.js';
import { bearer, signupUser, type SignedUp } from './support/users.js';

const as = (u: SignedUp) => bearer(u.accessToken);

describe('calls and WebRTC signaling', () => {
  const devices = useSocketServer();

  /** A ring stored as two callers at once store them (both got past "busy"). */
  const ringing = async (from: SignedUp, to: SignedUp) =>
    String(
      (
        await Call.create({
          callerId: from.id,
          calleeId: to.id,
          memberIds: [from.id, to.id],
          mode: 'audio',
          status: 'ringing',
          ringingAt: new Date(),
          expiresAt: new Date(Date.now() + 30_000),
        })
      )._id,
    );

  const pair = async () => {
    const [a, b] = await Promise.all([signupUser(), signupUser()]);
    await connect(a, b);
    const [aSocket, bSocket] = await Promise.all([devices.connect(a), devices.connect(b)]);
    return { a, b, aSocket, bSocket };
  };

  it('rings, connects and relays offer, answer and ICE between the two peers only; hangup records the duration', async () => {
    const { a, b, aSocket, bSocket } = await pair();
    const intruder = await signupUser();
    const intruderSocket = await devices.connect(intruder);
    const intruderHears = collect(intruderSocket, 'rtc:offer');

    const incoming = nextEvent(bSocket, 'call:incoming');
    const rang = await emitAck(aSocket, 'call:ring', { toUserId: b.id, mode: 'video' });
    expect(rang.ok, JSON.stringify(rang)).to.equal(true);
    const { callId } = rang.data;
    expect(await incoming).to.deep.include({ callId, mode: 'video' });
    expect((await incoming).from.id).to.equal(a.id);

    const accepted = [nextEvent(aSocket, 'call:accepted'), nextEvent(bSocket, 'call:accepted')];
    expect((await emitAck(bSocket, 'call:accept', { callId })).ok).to.equal(true);
    await Promise.all(accepted);

    const offer = nextEvent(bSocket, 'rtc:offer');
    expect((await emitAck(aSocket, 'rtc:offer', { callId, sdp: 'v=0 offer' })).ok).to.equal(true);
    expect(await offer).to.include({ sdp: 'v=0 offer', from: a.id });
    const answer = nextEvent(aSocket, 'rtc:answer');
    await emitAck(bSocket, 'rtc:answer', { callId, sdp: 'v=0 answer' });
    expect((await answer).sdp).to.equal('v=0 answer');
    const candidate = { candidate: 'candidate:1 1 udp 2122260223 10.0.0.2 54400 typ host', sdpMid: '0', sdpMLineIndex: 0 };
    const iceSeen = nextEvent(bSocket, 'rtc:ice');
    await emitAck(aSocket, 'rtc:ice', { callId, candidate });
    expect((await iceSeen).candidate).to.deep.equal(candidate);

    // A third user with the call id gets an error, and nobody hears anything.
    const bHears = collect(bSocket, 'rtc:offer');
    const forged = await emitAck(intruderSocket, 'rtc:offer', { callId, sdp: 'v=0 evil' });
    expect(forged.error?.code).to.equal('NOT_FOUND');
    // A genuine offer sent after the forged one reaches b after anything the forged one would have sent.
    const genuine = nextEvent(bSocket, 'rtc:offer', (p) => p.sdp === 'v=0 renegotiate');
    await emitAck(aSocket, 'rtc:offer', { callId, sdp: 'v=0 renegotiate' });
    await genuine;
    expect(bHears.map((p) => p.sdp)).to.deep.equal(['v=0 renegotiate']);
    expect(intruderHears).to.deep.equal([]);
    const huge = await emitAck(aSocket, 'rtc:offer', { callId, sdp: 'x'.repeat(20_001) });
    expect(huge.error?.code).to.equal('VALIDATION_FAILED');

    const active = await (await api()).get('/api/v1/match/active').set(as(a));
    expectDocumented(active, 'get', '/api/v1/match/active');
    expect(active.body.call).to.include({ id: callId, status: 'connected' });
    expect(active.body.match).to.equal(null);

    const ended = nextEvent(bSocket, 'call:ended');
    expect((await emitAck(aSocket, 'rtc:hangup', { callId })).ok).to.equal(true);
    expect((await ended).reason).to.equal('hangup');
    expect((await emitAck(aSocket, 'rtc:offer', { callId, sdp: 'v=0 late' })).error?.code).to.equal('NOT_FOUND');
    const history = await (await api()).get('/api/v1/rtc/calls').set(as(b));
    expectDocumented(history, 'get', '/api/v1/rtc/calls');
    expect(history.body.calls[0]).to.include({ id: callId, status: 'ended', outcome: 'hangup' });
    expect(history.body.calls[0].durationSec).to.be.a('number');
  });

  it('declines, cancels and lets an unanswered call expire on the server', async () => {
    const { b, aSocket, bSocket } = await pair();
    const first = (await emitAck(aSocket, 'call:ring', { toUserId: b.id })).data.callId;
    expect((await emitAck(aSocket, 'call:accept', { callId: first })).error?.code).to.equal('NOT_CALLEE');
    const declined = nextEvent(aSocket, 'call:ended');
    await emitAck(bSocket, 'call:decline', { callId: first });
    expect((await declined).reason).to.equal('declined');
    expect((await emitAck(bSocket, 'call:accept', { callId: first })).error?.code).to.equal('CALL_NOT_RINGING');

    const second = (await emitAck(aSocket, 'call:ring', { toUserId: b.id })).data.callId;
    const cancelled = nextEvent(bSocket, 'call:ended');
    await emitAck(aSocket, 'call:cancel', { callId: second });
    expect((await cancelled).reason).to.equal('cancelled');

    const third = (await emitAck(aSocket, 'call:ring', { toUserId: b.id })).data.callId;
    const missed = [nextEvent(aSocket, 'call:ended'), nextEvent(bSocket, 'call:ended')];
    const started = Date.now();
    for (const e of await Promise.all(missed)) expect(e).to.include({ callId: third, reason: 'missed' });
    expect(Date.now() - started).to.be.at.least(config.calls.ringTimeoutMs - 150);
    expect((await Call.findById(third).lean())?.outcome).to.equal('missed');
  });

  it('ends a call when a peer disconnects, and tells the other', async () => {
    const { b, aSocket, bSocket } = await pair();
    const callId = (await emitAck(aSocket, 'call:ring', { toUserId: b.id })).data.callId;
    await emitAck(bSocket, 'call:accept', { callId });
    const told = nextEvent(aSocket, 'call:ended');
    bSocket.close();
    expect(await told).to.include({ callId, reason: 'disconnected' });
  });

  it('a block ends the call for both', async () => {
    const { a, b, aSocket, bSocket } = await pair();
    const callId = (await emitAck(aSocket, 'call:ring', { toUserId: b.id })).data.callId;
    await emitAck(bSocket, 'call:accept', { callId });
    const told = nextEvent(bSocket, 'call:ended');
    await (await api()).post(`/api/v1/users/${b.id}/block`).set(as(a)).expect(204);
    expect((await told).callId).to.equal(callId);
    expect((await Call.findById(callId).lean())?.status).to.equal('ended');
  });

  it('a block or a report while it rings ends a call as a decline or a give-up would: the other cannot tell', async () => {
    type Pair = Awaited<ReturnType<typeof pair>>;
    /** The end the caller (or the callee) hears, and the outcome kept, when `stop` ends a ringing call. */
    const endOf = async (stop: (p: Pair, callId: string) => Promise<unknown>, heardBy: 'a' | 'b') => {
      const p = await pair();
      const callId: string = (await emitAck(p.aSocket, 'call:ring', { toUserId: p.b.id })).data.callId;
      const told = nextEvent(heardBy === 'a' ? p.aSocket : p.bSocket, 'call:ended');
      await stop(p, callId);
      const { reason, durationSec } = await told;
      return { reason, durationSec, outcome: (await Call.findById(callId).lean())?.outcome };
    };
    const block = (by: SignedUp, of: SignedUp) =>
      api().then((c) => c.post(`/api/v1/users/${of.id}/block`).set(as(by)).expect(204));
    const report = (by: SignedUp, of: SignedUp) =>
      api().then((c) =>
        c.post('/api/v1/reports').set(as(by)).send({ targetType: 'user', targetId: of.id, reason: 'spam' }).expect(201),
      );
    // The callee turning it down: a decline.
    const declined = await endOf(({ bSocket }, callId) => emitAck(bSocket, 'call:decline', { callId }), 'a');
    expect(declined).to.deep.equal({ reason: 'declined', durationSec: 0, outcome: 'declined' });
    expect(await endOf(({ a, b }) => block(b, a), 'a')).to.deep.equal(declined);
    expect(await endOf(({ a, b }) => report(b, a), 'a')).to.deep.equal(declined);
    // The caller giving up: cancelled.
    const cancelled = await endOf(({ aSocket }, callId) => emitAck(aSocket, 'call:cancel', { callId }), 'b');
    expect(cancelled).to.deep.equal({ reason: 'cancelled', durationSec: 0, outcome: 'cancelled' });
    expect(await endOf(({ a, b }) => block(a, b), 'b')).to.deep.equal(cancelled);
    expect(await endOf(({ a, b }) => report(a, b), 'b')).to.deep.equal(cancelled);
  });

  it('a ringing call whose time is up (its timer gone with a stopped process) keeps nobody busy and cannot be answered', async () => {
    const { b, aSocket, bSocket } = await pair();
    const callId: string = (await emitAck(aSocket, 'call:ring', { toUserId: b.id })).data.callId;
    // As if the process holding its ring timer had stopped: the time is up, the call still rings.
    await Call.updateOne({ _id: callId }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    const late = await emitAck(bSocket, 'call:accept', { callId });
    expect(late.error?.code).to.equal('CALL_NOT_RINGING');
    expect(await Call.findById(callId).lean()).to.deep.include({ status: 'ended', outcome: 'missed' });
    // Another lapsed ring keeps nobody busy: the next call rings.
    const again: string = (await emitAck(aSocket, 'call:ring', { toUserId: b.id })).data.callId;
    await Call.updateOne({ _id: again }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    const c = await signupUser();
    await connect(c, b);
    const cSocket = await devices.connect(c);
    const rung = await emitAck(cSocket, 'call:ring', { toUserId: b.id });
    expect(rung.ok, JSON.stringify(rung)).to.equal(true);
    expect((await Call.findById(again).lean())?.outcome).to.equal('missed');
  });

  it('an unfriending ends a ringing or connected call between the two, for both', async () => {
    for (const answered of [false, true]) {
      const { a, b, aSocket, bSocket } = await pair();
      const callId = (await emitAck(aSocket, 'call:ring', { toUserId: b.id })).data.callId;
      if (answered) await emitAck(bSocket, 'call:accept', { callId });
      const told = [nextEvent(aSocket, 'call:ended'), nextEvent(bSocket, 'call:ended')];
      await (await api()).delete(`/api/v1/connections/${a.id}`).set(as(b)).expect(204);
      for (const event of await Promise.all(told)) expect(event.callId).to.equal(callId);
      const stored = await Call.findById(callId).lean();
      expect(stored?.status, `answered: ${answered}`).to.equal('ended');
      expect(stored?.endedAt).to.be.an.instanceOf(Date);
    }
  });

  it('refuses calls to strangers, across blocks, to oneself and to someone busy', async () => {
    const { a, b, aSocket, bSocket } = await pair();
    const stranger = await signupUser();
    expect((await emitAck(aSocket, 'call:ring', { toUserId: stranger.id })).error?.code).to.equal('NOT_CONNECTED');
    expect((await emitAck(aSocket, 'call:ring', { toUserId: a.id })).error?.code).to.equal('CANNOT_CALL_SELF');
    expect((await emitUntyped(aSocket, 'call:ring', { toUserId: b.id, mode: 'hologram' })).error?.code).to.equal(
      'VALIDATION_FAILED',
    );
    const callId = (await emitAck(aSocket, 'call:ring', { toUserId: b.id })).data.callId;
    const c = await signupUser();
    await connect(c, b);
    const cSocket = await devices.connect(c);
    expect((await emitAck(cSocket, 'call:ring', { toUserId: b.id })).error?.code).to.equal('BUSY');
    await emitAck(bSocket, 'call:decline', { callId });
    await (await api()).post(`/api/v1/users/${a.id}/block`).set(as(b)).expect(204);
    expect((await emitAck(aSocket, 'call:ring', { toUserId: b.id })).error?.code).to.equal('NOT_CONNECTED');
  });

  it('one call at a time: a caller already in a call is refused, and so is answering a second ring', async () => {
    const [a, b, c] = await Promise.all([signupUser(), signupUser(), signupUser()]);
    await Promise.all([connect(a, b), connect(c, b), connect(a, c)]);
    const [aSocket, bSocket, cSocket] = await Promise.all([devices.connect(a), devices.connect(b), devices.connect(c)]);
    const withB = (await emitAck(aSocket, 'call:ring', { toUserId: b.id })).data.callId as string;
    // Ringing B, A calls C too: refused, told which call of theirs is in the way (to rejoin or end it).
    const inTheWay = (answer: { error?: { code: string; details?: unknown } }) => [answer.error?.code, answer.error?.details];
    expect(inTheWay(await emitAck(aSocket, 'call:ring', { toUserId: c.id }))).to.deep.equal([
      'ALREADY_IN_CALL',
      { callId: withB },
    ]);
    expect((await emitAck(bSocket, 'call:accept', { callId: withB })).ok).to.equal(true);
    // In a call, B calls C: refused; C calling A or B hears they are busy.
    expect(inTheWay(await emitAck(bSocket, 'call:ring', { toUserId: c.id }))).to.deep.equal([
      'ALREADY_IN_CALL',
      { callId: withB },
    ]);
    // Whoever is rung hears only "busy": nothing of the other call.
    expect(inTheWay(await emitAck(cSocket, 'call:ring', { toUserId: a.id }))).to.deep.equal(['BUSY', undefined]);
    // Two rings that both got past "busy" (as two callers at once do): the second cannot be answered.
    const d = await signupUser();
    await connect(d, b);
    const stray = await ringing(d, b);
    expect(inTheWay(await emitAck(bSocket, 'call:accept', { callId: stray }))).to.deep.equal([
      'ALREADY_IN_CALL',
      { callId: withB },
    ]);
    expect((await Call.findById(stray).lean())!.status).to.equal('ringing');
    expect(await Call.countDocuments({ memberIds: b.id, status: 'connected' })).to.equal(1);
    // Once A hangs up, B may call again.
    expect((await emitAck(aSocket, 'rtc:hangup', { callId: withB })).ok).to.equal(true);
    await Call.updateOne({ _id: stray }, { $set: { status: 'ended', outcome: 'missed', endedAt: new Date() } });
    // A ring coming in keeps nobody from calling out (else whoever rings could keep them from calling anyone).
    const fromC = (await emitAck(cSocket, 'call:ring', { toUserId: a.id })).data.callId as string;
    const toB = await emitAck(aSocket, 'call:ring', { toUserId: b.id });
    expect(toB.ok).to.equal(true);
    expect((await emitAck(bSocket, 'call:accept', { callId: toB.data.callId })).ok).to.equal(true);
    // Now connected with B, A cannot also take C's ring.
    expect(inTheWay(await emitAck(aSocket, 'call:accept', { callId: fromC }))).to.deep.equal([
      'ALREADY_IN_CALL',
      { callId: toB.data.callId },
    ]);
  });

  it('two answers at once connect one call only: two rings answered on two devices, or a caller answering a ring as theirs is answered', async () => {
    const connectedOf = (u: SignedUp) => Call.countDocuments({ memberIds: u.id, status: 'connected' });
    for (let round = 0; round < 3; round++) {
      const [a, b, c] = await Promise.all([signupUser(), signupUser(), signupUser()]);
      await Promise.all([connect(a, b), connect(c, b), connect(a, c)]);
      const [bPhone, bLaptop, aSocket, cSocket] = await Promise.all([
        devices.connect(b),
        devices.connect(b),
        devices.connect(a),
        devices.connect(c),
      ]);
      const [fromA, fromC] = await Promise.all([ringing(a, b), ringing(c, b)]);
      const answers = await Promise.all([
        emitAck(bPhone, 'call:accept', { callId: fromA }),
        emitAck(bLaptop, 'call:accept', { callId: fromC }),
      ]);
      expect(answers.map((r) => r.error?.code ?? 'ok').sort(), `round ${round}`).to.deep.equal(['ALREADY_IN_CALL', 'ok']);
      expect(await connectedOf(b)).to.equal(1);
      // The refused ring still rings; once the call is hung up, it can be answered.
      const [won, lost] = answers[0]!.ok ? [fromA, fromC] : [fromC, fromA];
      expect((await Call.findById(lost).lean())!.status).to.equal('ringing');
      expect((await emitAck(answers[0]!.ok ? aSocket : cSocket, 'rtc:hangup', { callId: won })).ok).to.equal(true);
      expect((await emitAck(bPhone, 'call:accept', { callId: lost })).ok).to.equal(true);
      await emitAck(bPhone, 'rtc:hangup', { callId: lost });

      // A rings B while C rings A: B answering and A answering C at once connect A once.
      const [toB, toA] = await Promise.all([ringing(a, b), ringing(c, a)]);
      const both = await Promise.all([
        emitAck(bLaptop, 'call:accept', { callId: toB }),
        emitAck(aSocket, 'call:accept', { callId: toA }),
      ]);
      expect(
        both.filter((r) => r.ok),
        `round ${round}`,
      ).to.have.length(1);
      expect(both.map((r) => r.error?.code).filter(Boolean)).to.satisfy((codes: string[]) =>
        codes.every((code) => code === 'BUSY' || code === 'ALREADY_IN_CALL'),
      );
      expect(await connectedOf(a)).to.equal(1);
    }
    // Seats a crash left behind (its call ended; an answer that died before it connected) keep nobody out.
    const { a, b, aSocket, bSocket } = await pair();
    const c = await signupUser();
    const [ended, abandoned] = await Promise.all([ringing(c, b), ringing(c, a)]);
    await Call.updateOne({ _id: ended }, { $set: { status: 'ended', outcome: 'hangup', endedAt: new Date() } });
    await CallSeat.create([
      { _id: b.id, callId: ended, at: new Date() },
      { _id: a.id, callId: abandoned, at: new Date(Date.now() - 60_000) },
    ]);
    const callId = await ringing(a, b);
    expect((await emitAck(bSocket, 'call:accept', { callId })).ok).to.equal(true);
    expect((await CallSeat.find({ _id: { $in: [a.id, b.id] } }).lean()).map((seat) => String(seat.callId))).to.deep.equal([
      callId,
      callId,
    ]);
    expect((await emitAck(aSocket, 'rtc:hangup', { callId })).ok).to.equal(true);
    // Given back after the news, in the background.
    await eventually(async () => (await CallSeat.countDocuments({ callId })) === 0, 3000, 'the seats given back');
  });

  it('hands out STUN to anyone, and short-lived TURN credentials (coturn REST scheme) only for a call one is in, a bounded number an hour', async () => {
    const [a, b, stranger] = await Promise.all([signupUser(), signupUser(), signupUser()]);
    await connect(a, b);
    const [aSocket, bSocket] = await Promise.all([devices.connect(a), devices.connect(b)]);
    const callId = (await emitAck(aSocket, 'call:ring', { toUserId: b.id, mode: 'video' })).data.callId as string;
    const ice = async (u: SignedUp, query: Record<string, string> = {}) => {
      const res = await (await api()).get('/api/v1/rtc/ice-servers').query(query).set(as(u));
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      expectDocumented(res, 'get', '/api/v1/rtc/ice-servers');
      expect(res.body.iceServers[0].urls).to.deep.equal(config.calls.stunUrls);
      // Connections chose each other: their calls may go direct.
      expect(res.body.iceTransportPolicy).to.equal('all');
      return res.body.iceServers.find((s: { username?: string }) => s.username) as
        { urls: string[]; username: string; credential: string } | undefined;
    };

    const expectTurnFor = (u: SignedUp, turn: Awaited<ReturnType<typeof ice>>) => {
      expect(turn!.urls).to.deep.equal(config.calls.turnUrls);
      const [expiry, userId] = turn!.username.split(':');
      expect(userId).to.equal(u.id);
      expect(Number(expiry) - Date.now() / 1000).to.be.within(config.calls.turnTtlSeconds - 5, config.calls.turnTtlSeconds + 1);
      expect(turn!.credential).to.equal(createHmac('sha1', config.calls.turnSecret!).update(turn!.username).digest('base64'));
    };
    // Ringing: the callee sets up before answering and gets TURN; the caller does not yet
    // (ringing and cancelling would otherwise buy a relay for the credentials' lifetime).
    expectTurnFor(b, await ice(b, { callId }));
    expect(await ice(a, { callId })).to.equal(undefined);
    expect((await emitAck(bSocket, 'call:accept', { callId })).ok).to.equal(true);
    // Connected: both, each under their own name.
    for (const u of [a, b]) expectTurnFor(u, await ice(u, { callId }));
    // No call, someone else's call, a made-up id: STUN only, no relay to abuse.
    expect(await ice(a)).to.equal(undefined);
    expect(await ice(stranger, { callId })).to.equal(undefined);
    expect(await ice(a, { callId: '5f0000000000000000000000' })).to.equal(undefined);
    for (const bad of ['nope', '{"$ne":null}']) {
      const res = await (await api()).get('/api/v1/rtc/ice-servers').query({ callId: bad }).set(as(a));
      expect([res.status, res.body.error.code]).to.deep.equal([400, 'VALIDATION_FAILED']);
    }
    const nested = await (await api()).get('/api/v1/rtc/ice-servers?callId[$ne]=x').set(as(a));
    expect(nested.status).to.equal(400);
    // An ended call gives no more.
    expect((await emitAck(aSocket, 'rtc:hangup', { callId })).ok).to.equal(true);
    expect(await Call.findById(callId, { status: 1 }).lean()).to.include({ status: 'ended' });
    expect(await ice(b, { callId })).to.equal(undefined);
    expect((await (await api()).get('/api/v1/rtc/ice-servers')).status).to.equal(401);
    // Each list may carry a relay: an account gets a bounded number an hour.
    const fresh = await signupUser();
    const asked = [];
    for (let i = 0; i < config.limits.actions.iceServers.user!; i++)
      asked.push((await (await api()).get('/api/v1/rtc/ice-servers').set(as(fresh))).status);
    expect(asked.filter((status) => status !== 200)).to.deep.equal([]);
    const over = await (await api()).get('/api/v1/rtc/ice-servers').set(as(fresh));
    expect([over.status, over.body.error.code]).to.deep.equal([429, 'RATE_LIMITED']);
  });
});
