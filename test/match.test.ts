import { expect } from 'chai';
import { config } from '../config/index.js';
import { Block } from '../models/block.model.js';
import { Match } from '../models/match.model.js';
import { Call } from '../models/call.model.js';
import { CallSeat } from '../models/call-seat.model.js';
import { User } from '../models/user.model.js';
import { ageOn } from '../utils/age.js';
import { api } from './support/app.js';
import { clientId, collect, emitAck, emitUntyped, eventually, nextEvent, useSocketServer, type Pushed } from './support/chat.js';
import type { TestSocket } from './support/socket-server.js';
import { expectDocumented } from './support/openapi.js';
import { heard } from './support/notifications.js';
import { bearer, signupUser, type SignedUp } from './support/users.js';

const as = (u: SignedUp) => bearer(u.accessToken);
type Found = Pushed<'match:found'>;
type Accepted = Pushed<'match:accepted'>;

/** Interests no other test uses, so only this test's people fit each other at first. */
let n = 0;
const tagFor = () => `mt${Date.now().toString(36)}${++n}`;

describe('matchmaking', () => {
  const devices = useSocketServer();

  /** A user available for matching, with a socket. */
  async function ready(tag: string, extra: Record<string, unknown> = {}): Promise<{ user: SignedUp; socket: TestSocket }> {
    const user = await signupUser({ interests: [tag], ...extra });
    await (await api()).patch('/api/v1/users/me/status').set(as(user)).send({ availableForMatching: true }).expect(200);
    return { user, socket: await devices.connect(user) };
  }
  /** Two compatible people who join one after the other and are matched with each other. */
  async function matchedPair(mode: 'chat' | 'video' = 'chat') {
    const tag = tagFor();
    const [ana, ben] = await Promise.all([ready(tag), ready(tag)]);
    const found = nextEvent(ben.socket, 'match:found');
    await join(ana.socket, tag, mode);
    await join(ben.socket, tag, mode);
    const { matchId, mode: matchedMode } = await found;
    return { tag, ana, ben, matchId, mode: matchedMode };
  }
  const join = (socket: TestSocket, tag: string, mode: 'chat' | 'video' = 'chat') =>
    emitAck(socket, 'match:join', { mode, interests: [tag] });
  /**
   * Two strangers of their own drawn after earlier joins: a round has looked at those joins,
   * so whatever it would have drawn for them has been told by now ("nothing happened", proven).
   */
  async function aRoundPassed(): Promise<void> {
    await matchedPair();
  }
  /** Until the server holds no queue ticket of this user. */
  const ticketGone = (userId: string) =>
    eventually(
      async () => !(await devices.server().parts.matchmaker.store.all('chat')).some((t) => t.userId === userId),
      3000,
      'the ticket gone',
    );

  it('pairs two compatible people; both accepting get one private conversation they can use', async () => {
    const tag = tagFor();
    const [ana, ben] = await Promise.all([ready(tag, { firstName: 'Ana' }), ready(tag)]);
    const found = [nextEvent(ana.socket, 'match:found'), nextEvent(ben.socket, 'match:found')];
    const searching = nextEvent(ana.socket, 'match:searching');
    const joined = await join(ana.socket, tag);
    expect(joined.ok, JSON.stringify(joined)).to.equal(true);
    expect(joined.data.position).to.be.at.least(1);
    await searching;
    await join(ben.socket, tag);
    const [forAna, forBen] = (await Promise.all(found)) as [Found, Found];
    expect(forAna.partner.id).to.equal(ben.user.id);
    expect(forBen.partner.id).to.equal(ana.user.id);
    expect(forAna.matchId).to.equal(forBen.matchId);

    const accepted = [nextEvent(ana.socket, 'match:accepted'), nextEvent(ben.socket, 'match:accepted')];
    expect((await emitAck(ana.socket, 'match:respond', { matchId: forAna.matchId, accept: true })).data.status).to.equal(
      'waiting',
    );
    await emitAck(ben.socket, 'match:respond', { matchId: forAna.matchId, accept: true });
    const [a, b] = (await Promise.all(accepted)) as [Accepted, Accepted];
    expect(a.conversationId).to.be.a('string').and.equal(b.conversationId);
    // A yes sent again (its answer lost with a dropped connection) hears the same: accepted, and where.
    const again = await emitAck(ben.socket, 'match:respond', { matchId: forAna.matchId, accept: true });
    expect(again.data, JSON.stringify(again)).to.deep.equal({
      matchId: forAna.matchId,
      status: 'accepted',
      conversationId: a.conversationId,
    });
    // Strangers, yet they may talk in their match conversation.
    const hello = await emitAck(ana.socket, 'chat:send', {
      conversationId: a.conversationId,
      clientMessageId: clientId(),
      text: 'hi stranger',
    });
    expect(hello.ok, JSON.stringify(hello)).to.equal(true);
    expect((await Match.findById(forAna.matchId).lean())?.status).to.equal('accepted');
    const history = await (await api()).get('/api/v1/match/history').set(as(ben.user));
    expectDocumented(history, 'get', '/api/v1/match/history');
    expect(history.body.matches[0]).to.include({
      id: forAna.matchId,
      partnerId: ana.user.id,
      status: 'accepted',
      conversationId: a.conversationId,
    });
    // Each has the match and the yes in their notices, the yes naming the other.
    expect((await heard(ana.user, 'match_found')).target).to.deep.equal({ kind: 'match', id: forAna.matchId });
    const yes = await heard(ben.user, 'match_accepted');
    expect(yes.actor?.id).to.equal(ana.user.id);
    expect(yes.text).to.equal('You and Ana both said yes');
  });

  it('a reject puts the other back in the queue ahead of newcomers, and the pair cools down', async () => {
    const { tag, ana, ben, matchId } = await matchedPair();
    const ended = nextEvent(ben.socket, 'match:ended');
    const benNext = nextEvent(ben.socket, 'match:found', (f) => f.matchId !== matchId);
    await emitAck(ana.socket, 'match:respond', { matchId, accept: false });
    expect((await ended).reason).to.equal('rejected');
    // Ana joins again: the cool-down keeps her from ben; a newcomer gets ben, who waited first.
    await join(ana.socket, tag);
    const cara = await ready(tag);
    await join(cara.socket, tag);
    expect((await benNext).partner.id).to.equal(cara.user.id);
  });

  it('someone turned down cannot lift the cool-down by unblocking: nobody, or a block made for the purpose', async () => {
    const { tag, ana, ben, matchId } = await matchedPair();
    const ended = nextEvent(ben.socket, 'match:ended');
    await emitAck(ana.socket, 'match:respond', { matchId, accept: false });
    expect((await ended).reason).to.equal('rejected');
    // Ben, back in the queue, lifts a block he never made, then blocks Ana and lifts that.
    const client = await api();
    await client.delete(`/api/v1/users/${ana.user.id}/block`).set(as(ben.user)).expect(204);
    await client.post(`/api/v1/users/${ana.user.id}/block`).set(as(ben.user)).expect(204);
    await client.delete(`/api/v1/users/${ana.user.id}/block`).set(as(ben.user)).expect(204);
    const benNext = nextEvent(ben.socket, 'match:found', (f) => f.matchId !== matchId);
    const anaNext = nextEvent(ana.socket, 'match:found');
    await join(ana.socket, tag);
    const cara = await ready(tag);
    await join(cara.socket, tag);
    // Ben waited first: the newcomer is his; Ana, still cooling down with him, waits on.
    expect((await benNext).partner.id).to.equal(cara.user.id);
    await aRoundPassed();
    expect(await Promise.race([anaNext.then(() => 'matched'), Promise.resolve('waiting')])).to.equal('waiting');
  });

  /**
   * A seeker of exactly the age of two born the same day, a hider and a shower of it. The hider
   * looks for the seeker's age, not the shower's: only the seeker's range can keep them apart.
   */
  async function seekerAndTwins(hiderHidesNow: boolean) {
    const tag = tagFor();
    const born = '1992-06-01';
    const [seeker, hider, shower] = await Promise.all([
      ready(tag, { dateOfBirth: '1990-01-01' }),
      ready(tag, { dateOfBirth: born }),
      ready(tag, { dateOfBirth: born }),
    ]);
    const seekerAge = ageOn(new Date('1990-01-01'));
    await User.updateOne(
      { _id: hider.user.id },
      { $set: { 'settings.privacy.showAge': !hiderHidesNow, 'lookingFor.minAge': seekerAge, 'lookingFor.maxAge': seekerAge } },
    );
    const age = ageOn(new Date(born));
    await (
      await api()
    )
      .patch('/api/v1/users/me')
      .set(as(seeker.user))
      .send({ lookingFor: { minAge: age, maxAge: age } })
      .expect(200);
    return { tag, seeker, hider, shower };
  }

  it('someone who hides their age is never offered to a seeker of a narrowed age range: the offer would tell it', async () => {
    const { tag, seeker, hider, shower } = await seekerAndTwins(true);
    const found = nextEvent(seeker.socket, 'match:found');
    // The hider waits first: were the two a fit, the seeker's join would pair them.
    await join(hider.socket, tag);
    await join(seeker.socket, tag);
    await join(shower.socket, tag);
    expect((await found).partner.id).to.equal(shower.user.id);
  });

  /** A pending match past its time with no timer here to end it, as after a restart; what ben is told next. */
  async function pastItsTime() {
    const pair = await matchedPair();
    const matchmaker = devices.server().parts.matchmaker as unknown as { clearTimer(id: string): void };
    matchmaker.clearTimer(pair.matchId);
    await Match.updateOne({ _id: pair.matchId }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    return { ...pair, benTold: nextEvent(pair.ben.socket, 'match:ended', (e) => e.matchId === pair.matchId) };
  }

  it("a no after the offer's time (its timer lost) stores no rejection: the match expires then and there", async () => {
    const { ana, matchId, benTold } = await pastItsTime();
    const late = await emitAck(ana.socket, 'match:respond', { matchId, accept: false });
    expect(late.error?.code).to.equal('MATCH_NOT_PENDING');
    expect((await benTold).reason).to.equal('expired');
    expect((await Match.findById(matchId).lean())?.status).to.equal('expired');
    // Free to queue again at once.
    expect((await join(ana.socket, tagFor())).ok).to.equal(true);
  });

  it("two yeses after the offer's time (its timer lost) connect nobody: the match expires then and there", async () => {
    const { ana, ben, matchId, benTold } = await pastItsTime();
    for (const side of [ana, ben]) {
      const late = await emitAck(side.socket, 'match:respond', { matchId, accept: true });
      expect(late.error?.code).to.equal('MATCH_NOT_PENDING');
    }
    expect((await benTold).reason).to.equal('expired');
    const stored = await Match.findById(matchId).lean();
    expect(stored?.status).to.equal('expired');
    expect(stored).not.to.have.property('conversationId');
  });

  it('an unanswered match expires on the server; who said yes goes back', async () => {
    const { ana, ben, matchId } = await matchedPair();
    const active = await (await api()).get('/api/v1/match/active').set(as(ben.user));
    expectDocumented(active, 'get', '/api/v1/match/active');
    expect(active.body.match).to.include({ id: matchId, status: 'pending', partnerId: ana.user.id });
    const ended = nextEvent(ben.socket, 'match:ended');
    await emitAck(ana.socket, 'match:respond', { matchId, accept: true });
    const started = Date.now();
    expect((await ended).reason).to.equal('expired');
    expect(Date.now() - started).to.be.lessThan(config.match.responseMs + 500);
    expect((await Match.findById(matchId).lean())?.status).to.equal('expired');
    const late = await emitAck(ben.socket, 'match:respond', { matchId, accept: true });
    expect(late.error?.code).to.equal('MATCH_NOT_PENDING');
    const history = await (await api()).get('/api/v1/match/history').set(as(ben.user));
    expectDocumented(history, 'get', '/api/v1/match/history');
    const stored = history.body.matches.find((m: { id: string }) => m.id === matchId);
    expect(stored).to.include({ status: 'expired', durationSec: Math.round(config.match.responseMs / 1000) });
  });

  it('never draws a blocked pair, and one user on two devices holds one ticket', async () => {
    const tag = tagFor();
    const [a, b, c, d] = await Promise.all([ready(tag), ready(tag), ready(tag), ready(tag)]);
    await (await api()).post(`/api/v1/users/${b.user.id}/block`).set(as(a.user)).expect(204);
    const aSecond = await devices.connect(a.user);
    const foundA = collect(a.socket, 'match:found');
    const foundB = collect(b.socket, 'match:found');
    await join(a.socket, tag);
    await join(aSecond, tag);
    await join(b.socket, tag);
    await aRoundPassed();
    expect(foundA, 'a and b are blocked: nobody to pair').to.deep.equal([]);
    await join(c.socket, tag);
    await join(d.socket, tag);
    await eventually(() => foundA.length > 0 && foundB.length > 0);
    expect([foundA[0]?.partner.id, foundB[0]?.partner.id].sort()).to.deep.equal([c.user.id, d.user.id].sort());
    expect(foundA).to.have.length(1);
  });

  it('leaving the queue on one device tells every device; a second leave finds nothing and tells nobody', async () => {
    const tag = tagFor();
    const ana = await ready(tag);
    const phone = await devices.connect(ana.user);
    const searching = nextEvent(phone, 'match:searching');
    await join(ana.socket, tag);
    expect(await searching, 'the other device hears of the join').to.deep.equal({ mode: 'chat' });
    const heardLeft = [collect(ana.socket, 'match:left'), collect(phone, 'match:left')];
    const left = await emitAck(phone, 'match:leave', {});
    expect(left.data, JSON.stringify(left)).to.deep.equal({ left: true });
    await ticketGone(ana.user.id);
    await eventually(() => heardLeft.every((h) => h.length === 1), 3000, 'both devices told');
    expect(heardLeft[0]).to.deep.equal([{ reason: 'left' }]);
    expect((await emitAck(ana.socket, 'match:leave', {})).data).to.deep.equal({ left: false });
    // A later event on the same sockets comes after any second match:left would have.
    const again = nextEvent(phone, 'match:searching');
    await join(ana.socket, tag);
    await again;
    expect(heardLeft.map((h) => h.length)).to.deep.equal([1, 1]);
  });

  it('a disconnect mid-search leaves no ticket; mid-offer it ends the match for the partner', async () => {
    const tag = tagFor();
    const [ana, ben] = await Promise.all([ready(tag), ready(tag)]);
    await join(ana.socket, tag);
    ana.socket.close();
    await ticketGone(ana.user.id);
    const benFound = collect(ben.socket, 'match:found');
    await join(ben.socket, tag);
    await aRoundPassed();
    expect(benFound, 'nobody left to match with').to.deep.equal([]);

    const cara = await ready(tag);
    const found = nextEvent(ben.socket, 'match:found');
    await join(cara.socket, tag);
    expect((await found).partner.id).to.equal(cara.user.id);
    const ended = nextEvent(ben.socket, 'match:ended');
    cara.socket.close();
    expect((await ended).reason).to.equal('disconnected');
  });

  it('blocking or reporting from a match ends it as a no would: the other cannot tell which it was', async () => {
    const historyOf = async (u: SignedUp, matchId: string) =>
      ((await (await api()).get('/api/v1/match/history').set(as(u))).body.matches as { id: string; status: string }[]).find(
        (m) => m.id === matchId,
      )?.status;
    type Pair = Awaited<ReturnType<typeof matchedPair>>;
    /** What Ben hears and keeps of a match Ana ends one way or another; he leaves the queue after. */
    const seenByBen = async (endIt: (pair: Pair) => Promise<unknown>) => {
      const pair = await matchedPair();
      const ended = nextEvent(pair.ben.socket, 'match:ended');
      await endIt(pair);
      const heard = { ...(await ended), matchId: 'the match' };
      // Back in the queue or not: a leave says.
      const left = (await emitAck(pair.ben.socket, 'match:leave', {})).data;
      return { heard, left, history: await historyOf(pair.ben.user, pair.matchId) };
    };
    const asNo = await seenByBen(({ ana, matchId }) => emitAck(ana.socket, 'match:respond', { matchId, accept: false }));
    expect(asNo).to.deep.equal({
      heard: { matchId: 'the match', reason: 'rejected' },
      left: { left: true },
      history: 'rejected',
    });
    const byBlock = await seenByBen(({ ana, ben }) =>
      api().then((a) => a.post(`/api/v1/users/${ben.user.id}/block`).set(as(ana.user)).expect(204)),
    );
    const byReport = await seenByBen(({ ana, ben }) =>
      api().then((a) =>
        a
          .post('/api/v1/reports')
          .set(as(ana.user))
          .send({ targetType: 'user', targetId: ben.user.id, reason: 'harassment' })
          .expect(201),
      ),
    );
    expect(byBlock).to.deep.equal(asNo);
    expect(byReport).to.deep.equal(asNo);
  });

  it("a block found only when both have said yes ends the match as the blocker's no, whoever answered last", async () => {
    const { ana, ben, matchId } = await matchedPair();
    expect((await emitAck(ben.socket, 'match:respond', { matchId, accept: true })).data.status).to.equal('waiting');
    // Ana's block lands unheard by the queue (as one made between the offer's checks and its storing).
    await Block.create({ blockerId: ana.user.id, blockedId: ben.user.id });
    const ended = nextEvent(ben.socket, 'match:ended');
    expect((await emitAck(ana.socket, 'match:respond', { matchId, accept: true })).error?.code).to.equal('MATCH_NOT_PENDING');
    expect(await ended).to.deep.equal({ matchId, reason: 'rejected' });
    // Ben is back in the queue, as after anyone's no; Ana is not.
    expect((await emitAck(ben.socket, 'match:leave', {})).data).to.deep.equal({ left: true });
    expect((await emitAck(ana.socket, 'match:leave', {})).data).to.deep.equal({ left: false });
  });

  it('a match whose answer time is up (its timer gone with a stopped process) keeps nobody out of the queue', async () => {
    const { ana, ben, matchId, tag } = await matchedPair();
    // As if the process holding its response timer had stopped.
    await Match.updateOne({ _id: matchId }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    const joined = await join(ana.socket, tag);
    expect(joined.ok, JSON.stringify(joined)).to.equal(true);
    expect((await Match.findById(matchId).lean())?.status).to.equal('expired');
    await Promise.all([emitAck(ana.socket, 'match:leave', {}), emitAck(ben.socket, 'match:leave', {})]);
  });

  it('video matches become a connected call the two can signal on, by relay only: no address of either reaches the other', async () => {
    const { ana, ben, matchId, mode } = await matchedPair('video');
    expect(mode).to.equal('video');
    const accepted = nextEvent(ben.socket, 'match:accepted');
    await emitAck(ana.socket, 'match:respond', { matchId, accept: true });
    await emitAck(ben.socket, 'match:respond', { matchId, accept: true });
    const callId = (await accepted).callId!;
    // Both are told to gather relayed candidates only, and get the relay to do it with.
    for (const who of [ana, ben]) {
      const ice = await (await api()).get('/api/v1/rtc/ice-servers').query({ callId }).set(as(who.user));
      expectDocumented(ice, 'get', '/api/v1/rtc/ice-servers');
      expect(ice.body.iceTransportPolicy).to.equal('relay');
      expect(ice.body.iceServers.some((s: { username?: string }) => s.username?.endsWith(`:${who.user.id}`))).to.equal(true);
    }

    // A client that ignores the policy (or an attacker's own) sends everything it has: what
    // reaches the stranger names the relay only.
    const sdp = [
      'v=0',
      'o=- 4611731400430051336 2 IN IP4 203.0.113.7',
      's=-',
      't=0 0',
      'm=video 54400 UDP/TLS/RTP/SAVPF 96',
      'c=IN IP4 203.0.113.7',
      'a=rtcp:54401 IN IP4 203.0.113.7',
      'a=rtcp-mux',
      'a=candidate:1 1 udp 2122260223 192.168.1.20 54400 typ host generation 0',
      'a=candidate:2 1 udp 1686052607 203.0.113.7 54400 typ srflx raddr 192.168.1.20 rport 54400 generation 0',
      'a=candidate:3 1 udp 2122262783 2001:db8::7 54402 typ host generation 0',
      'a=candidate:4 1 udp 41885439 198.51.100.9 3478 typ relay raddr 203.0.113.7 rport 54400 generation 0',
      // Labelled relay, pointing at the sender's own server: the other's checks would go there.
      'a=candidate:8 1 udp 41885439 203.0.113.66 5000 typ relay raddr 0.0.0.0 rport 0',
      'a=candidate:10 1 udp 41885439 2001:db8::9 3478 typ relay raddr 2001:db8::7 rport 54402',
      'a=remote-candidates:1 203.0.113.7 54400',
      'a=sendrecv',
      '',
    ].join('\r\n');
    const offer = nextEvent(ben.socket, 'rtc:offer');
    expect((await emitAck(ana.socket, 'rtc:offer', { callId, sdp })).ok).to.equal(true);
    const passed = (await offer).sdp;
    for (const address of ['203.0.113.7', '192.168.1.20', '2001:db8::7', '203.0.113.66']) expect(passed).not.to.include(address);
    expect(passed.split('\r\n')).to.deep.equal([
      'v=0',
      'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
      's=-',
      't=0 0',
      'm=video 54400 UDP/TLS/RTP/SAVPF 96',
      'c=IN IP4 0.0.0.0',
      'a=rtcp:54401 IN IP4 0.0.0.0',
      'a=rtcp-mux',
      'a=candidate:4 1 udp 41885439 198.51.100.9 3478 typ relay raddr 0.0.0.0 rport 0 generation 0',
      'a=candidate:10 1 udp 41885439 2001:db8::9 3478 typ relay raddr 0.0.0.0 rport 0',
      'a=sendrecv',
      '',
    ]);

    // Trickled candidates: a host or server-reflexive one is refused and reaches nobody; a
    // relayed one passes with its related (the sender's public) address blanked.
    const benHears = collect(ben.socket, 'rtc:ice');
    for (const candidate of [
      'candidate:1 1 udp 2122260223 192.168.1.20 54400 typ host generation 0',
      'candidate:2 1 udp 1686052607 203.0.113.7 54400 typ srflx raddr 192.168.1.20 rport 54400',
      'candidate:5 1 tcp 1518280447 203.0.113.7 9 typ prflx tcptype active',
      'a=candidate:6 1 udp 2122260223 1f4712db-ea17-4bcf-a596-105139dfd8bf.local 54400 typ host',
      'candidate:7 1 udp 41885439 198.51.100.9 3478 typ  host raddr 203.0.113.7 rport 54400 typrelay',
      // Relay in name only: not one of our relays' addresses.
      'candidate:8 1 udp 41885439 203.0.113.66 5000 typ relay raddr 0.0.0.0 rport 0',
      'candidate:9 1 udp 41885439 198.51.100.9 3478 x typ relay',
    ]) {
      const refused = await emitAck(ana.socket, 'rtc:ice', {
        callId,
        candidate: { candidate, sdpMid: '0', sdpMLineIndex: 0 },
      });
      expect(refused.error?.code, candidate).to.equal('RELAY_ONLY');
    }
    const relayed = nextEvent(ben.socket, 'rtc:ice');
    const sent = await emitAck(ana.socket, 'rtc:ice', {
      callId,
      candidate: {
        candidate: 'candidate:4 1 udp 41885439 198.51.100.9 3478 typ relay raddr 203.0.113.7 rport 54400 generation 0',
        sdpMid: '0',
        sdpMLineIndex: 0,
      },
    });
    expect(sent.ok, JSON.stringify(sent)).to.equal(true);
    expect((await relayed).candidate).to.deep.equal({
      candidate: 'candidate:4 1 udp 41885439 198.51.100.9 3478 typ relay raddr 0.0.0.0 rport 0 generation 0',
      sdpMid: '0',
      sdpMLineIndex: 0,
    });
    // The end of candidates passes as it is.
    const done = nextEvent(ben.socket, 'rtc:ice');
    expect((await emitAck(ana.socket, 'rtc:ice', { callId, candidate: { candidate: '', sdpMid: '0' } })).ok).to.equal(true);
    expect((await done).candidate.candidate).to.equal('');
    expect(benHears.map((p) => p.candidate.candidate)).to.deep.equal([
      'candidate:4 1 udp 41885439 198.51.100.9 3478 typ relay raddr 0.0.0.0 rport 0 generation 0',
      '',
    ]);
    // In the call, looking for another video stranger is refused (a second call at once); a chat is not.
    const tag = tagFor();
    const refused = await join(ana.socket, tag, 'video');
    expect([refused.error?.code, refused.error?.details]).to.deep.equal(['ALREADY_IN_CALL', { callId }]);
    expect((await join(ben.socket, tag, 'chat')).ok).to.equal(true);
    expect((await emitAck(ben.socket, 'match:leave', {})).ok).to.equal(true);
    // Ended, it gives no relay any more, and still says relay-only (a client setting up late is still a stranger's peer).
    expect((await emitAck(ana.socket, 'rtc:hangup', { callId })).ok).to.equal(true);
    expect((await join(ana.socket, tag, 'video')).ok).to.equal(true);
    expect((await emitAck(ana.socket, 'match:leave', {})).ok).to.equal(true);
    const late = await (await api()).get('/api/v1/rtc/ice-servers').query({ callId }).set(as(ben.user));
    expect(late.body.iceTransportPolicy).to.equal('relay');
    expect(late.body.iceServers.some((s: { username?: string }) => s.username)).to.equal(false);
  });

  it('a video match of someone who got into another call since joining ends as their leaving; the other goes back', async () => {
    const { ana, ben, matchId } = await matchedPair('video');
    // Waiting for the answers, Ana takes a friend's call.
    const friend = await signupUser();
    await Call.create({
      callerId: friend.id,
      calleeId: ana.user.id,
      memberIds: [friend.id, ana.user.id],
      mode: 'audio',
      status: 'connected',
      outcome: 'accepted',
      ringingAt: new Date(),
      expiresAt: new Date(),
      connectedAt: new Date(),
    });
    expect((await emitAck(ben.socket, 'match:respond', { matchId, accept: true })).ok).to.equal(true);
    const ended = nextEvent(ben.socket, 'match:ended');
    expect((await emitAck(ana.socket, 'match:respond', { matchId, accept: true })).error?.code).to.equal('ALREADY_IN_CALL');
    // Told as a disconnect: 'left' after two yeses would tell Ben she took a call.
    expect(await ended).to.deep.include({ matchId, reason: 'disconnected' });
    expect((await Match.findById(matchId).lean())!.status).to.equal('disconnected');
    expect(await Call.countDocuments({ memberIds: ben.user.id })).to.equal(0);
    // Ben waits in the queue again; Ana does not.
    const waiting = (await devices.server().parts.matchmaker.store.all('video')).map((t) => t.userId);
    expect([waiting.includes(ben.user.id), waiting.includes(ana.user.id)]).to.deep.equal([true, false]);
    expect((await emitAck(ben.socket, 'match:leave', {})).ok).to.equal(true);

    // A friend's ring being answered at this very moment (its seats taken, not yet connected) counts too.
    const next = await matchedPair('video');
    const ring = await Call.create({
      callerId: friend.id,
      calleeId: next.ben.user.id,
      memberIds: [friend.id, next.ben.user.id],
      mode: 'audio',
      status: 'ringing',
      ringingAt: new Date(),
      expiresAt: new Date(Date.now() + 30_000),
    });
    await CallSeat.create({ _id: next.ben.user.id, callId: ring._id, at: new Date() });
    expect((await emitAck(next.ben.socket, 'match:respond', { matchId: next.matchId, accept: true })).ok).to.equal(true);
    const refused = await emitAck(next.ana.socket, 'match:respond', { matchId: next.matchId, accept: true });
    expect(refused.error?.code).to.equal('MATCH_NOT_PENDING');
    expect((await Match.findById(next.matchId).lean())!.status).to.equal('disconnected');
    expect(await Call.countDocuments({ memberIds: next.ana.user.id })).to.equal(0);
    expect(await CallSeat.countDocuments({ _id: next.ana.user.id })).to.equal(0);
    expect((await emitAck(next.ana.socket, 'match:leave', {})).ok).to.equal(true);

    // The call cannot be made (here: its id taken): the match ends for both, and no seat stays held.
    const failing = await matchedPair('video');
    await Call.create({
      _id: failing.matchId,
      callerId: friend.id,
      calleeId: failing.ana.user.id,
      memberIds: [friend.id, failing.ana.user.id],
      mode: 'audio',
      status: 'ended',
      ringingAt: new Date(),
      expiresAt: new Date(),
    });
    expect((await emitAck(failing.ben.socket, 'match:respond', { matchId: failing.matchId, accept: true })).ok).to.equal(true);
    const wound = nextEvent(failing.ben.socket, 'match:ended');
    expect((await emitAck(failing.ana.socket, 'match:respond', { matchId: failing.matchId, accept: true })).ok).to.equal(false);
    expect(await wound).to.deep.include({ matchId: failing.matchId, reason: 'disconnected' });
    expect((await Match.findById(failing.matchId).lean())!.status).to.equal('disconnected');
    expect(await CallSeat.countDocuments({ callId: failing.matchId })).to.equal(0);

    // Two yeses at the same moment, each seeing both (staged: both recorded as their updates would
    // be), connect them once, whichever goes first: both hear it accepted, with the call.
    for (let round = 0; round < 3; round++) {
      const pair = await matchedPair('video');
      const both = { [`answers.${pair.ana.user.id}`]: true, [`answers.${pair.ben.user.id}`]: true };
      await Match.updateOne({ _id: pair.matchId }, { $set: both });
      const answers = await Promise.all(
        [pair.ana, pair.ben].map((who) => emitAck(who.socket, 'match:respond', { matchId: pair.matchId, accept: true })),
      );
      expect(
        answers.map((r) => r.error?.code ?? r.data.status),
        `round ${round}`,
      ).to.deep.equal(['accepted', 'accepted']);
      // Where to meet, once the call is stored: the answer that made it says; the other may only hear it by the event.
      const callIds = answers.map((r) => (r.data as { callId?: string }).callId ?? null);
      expect(callIds.filter((id) => id !== null)).to.include(pair.matchId);
      expect(callIds.every((id) => id === null || id === pair.matchId)).to.equal(true);
      // Asked again once it is made (an answer lost on the way), it is the call's.
      const again = await emitAck(pair.ben.socket, 'match:respond', { matchId: pair.matchId, accept: true });
      expect(again.data).to.deep.include({ status: 'accepted', callId: pair.matchId });
      expect((await Match.findById(pair.matchId).lean())!.status).to.equal('accepted');
      const calls = await Call.find({ memberIds: pair.ana.user.id }).lean();
      expect(calls.map((c) => [String(c._id), c.status])).to.deep.equal([[pair.matchId, 'connected']]);
      expect(await CallSeat.countDocuments({ callId: pair.matchId })).to.equal(2);
      expect((await emitAck(pair.ana.socket, 'rtc:hangup', { callId: pair.matchId })).ok).to.equal(true);
    }
  });

  it('without a TURN relay a server offers no video matching (a stranger would get the address), chat matching as before', async () => {
    const tag = tagFor();
    const { user, socket } = await ready(tag);
    const turnUrls = config.calls.turnUrls;
    config.calls.turnUrls = [];
    try {
      expect((await join(socket, tag, 'video')).error?.code).to.equal('VIDEO_MATCH_UNAVAILABLE');
      expect((await join(socket, tag, 'chat')).ok).to.equal(true);
    } finally {
      config.calls.turnUrls = turnUrls;
    }
    expect((await devices.server().parts.matchmaker.store.all('video')).some((t) => t.userId === user.id)).to.equal(false);
    await emitAck(socket, 'match:leave', {});
  });

  it('the partner card is the profile as it is when the match is found, not as it was at the join; someone suspended since is not offered', async () => {
    const tag = tagFor();
    const here = { location: { lat: 52.52, lng: 13.405 }, locationConsent: true };
    const [ana, ben] = await Promise.all([ready(tag, { firstName: 'Ana', ...here }), ready(tag, here)]);
    expect((await join(ana.socket, tag)).ok).to.equal(true);
    const changed = await (
      await api()
    )
      .patch('/api/v1/users/me')
      .set(as(ana.user))
      .send({ firstName: 'Anabel', settings: { privacy: { showAge: false, showDistance: false } } });
    expect(changed.status, JSON.stringify(changed.body)).to.equal(200);
    const found = nextEvent(ben.socket, 'match:found');
    await join(ben.socket, tag);
    const { partner, matchId } = await found;
    expect(partner).to.include({ id: ana.user.id, firstName: 'Anabel' });
    expect(partner).not.to.have.any.keys('age', 'distance');
    const ended = nextEvent(ben.socket, 'match:ended');
    await emitAck(ana.socket, 'match:respond', { matchId, accept: false });
    await ended;

    // Cara waits, and is suspended: Ben, joining, is not offered her, and is matched with the next.
    await emitAck(ben.socket, 'match:leave', {});
    const [cara, dan] = await Promise.all([ready(tag), ready(tag)]);
    const benHears = collect(ben.socket, 'match:found');
    expect((await join(cara.socket, tag)).ok).to.equal(true);
    await User.updateOne({ _id: cara.user.id }, { $set: { suspendedUntil: new Date(Date.now() + 3_600_000) } });
    expect((await join(ben.socket, tag)).ok).to.equal(true);
    await aRoundPassed();
    const next = nextEvent(ben.socket, 'match:found', (f) => f.partner.id === dan.user.id);
    await join(dan.socket, tag);
    await next;
    expect(benHears.map((f) => f.partner.id)).not.to.include(cara.user.id);
  });

  it('someone who hides their age after joining is not placed in a narrowed range by the ticket of their join', async () => {
    const { tag, seeker, hider, shower } = await seekerAndTwins(false);
    // The hider joins showing the age, then hides it: the seeker's exact range must not find them.
    await join(hider.socket, tag);
    await (
      await api()
    )
      .patch('/api/v1/users/me')
      .set(as(hider.user))
      .send({ settings: { privacy: { showAge: false } } })
      .expect(200);
    const seekerHears = collect(seeker.socket, 'match:found');
    await join(seeker.socket, tag);
    await aRoundPassed();
    expect(seekerHears).to.deep.equal([]);
    const found = nextEvent(seeker.socket, 'match:found');
    await join(shower.socket, tag);
    expect((await found).partner.id).to.equal(shower.user.id);
  });

  it("a third person cannot answer or end someone else's match", async () => {
    const { ana, matchId } = await matchedPair();
    const stranger = await ready(tagFor());
    for (const accept of [true, false]) {
      const res = await emitAck(stranger.socket, 'match:respond', { matchId, accept });
      expect(res.error?.code).to.equal('MATCH_NOT_PENDING');
    }
    const operator = await emitUntyped(stranger.socket, 'match:respond', { matchId: { $ne: null }, accept: false });
    expect(operator.error?.code).to.equal('INVALID_INPUT_KEY');
    const stored = (await Match.findById(matchId).lean())!;
    expect(stored.status).to.equal('pending');
    expect(Object.keys(stored.answers ?? {})).to.deep.equal([]);
    await emitAck(ana.socket, 'match:respond', { matchId, accept: false });
  });

  it('refuses people not available for matching and bad payloads', async () => {
    const user = await signupUser();
    const socket = await devices.connect(user);
    expect((await emitAck(socket, 'match:join', { mode: 'chat' })).error?.code).to.equal('NOT_AVAILABLE');
    expect((await emitUntyped(socket, 'match:join', { mode: 'radio' })).error?.code).to.equal('VALIDATION_FAILED');
    expect((await emitAck(socket, 'match:respond', { matchId: 'x', accept: true })).error?.code).to.equal('VALIDATION_FAILED');
  });

  it('200 people joining at once are all matched exactly once', async function () {
    this.timeout(60_000);
    const tag = tagFor();
    const people = [];
    for (let i = 0; i < 20; i++) people.push(...(await Promise.all(Array.from({ length: 10 }, () => ready(tag)))));
    const found = new Map<string, Found[]>();
    for (const p of people) found.set(p.user.id, collect(p.socket, 'match:found'));
    await Promise.all(people.map((p) => join(p.socket, tag)));
    await eventually(() => [...found.values()].every((f) => f.length > 0), 10_000);
    const partners = new Map<string, string>();
    for (const [id, list] of found) {
      expect(list, `matches of ${id}`).to.have.length(1);
      partners.set(id, list[0]!.partner.id);
    }
    for (const [id, partner] of partners) expect(partners.get(partner)).to.equal(id);
  });

  // Both of a pending match leave, in either order, at once or one after the other: neither
  // may stay in the queue, so two newcomers are offered each other and nobody else.
  for (const order of ['ana then ben at once', 'ben then ana at once', 'ana, then ben once ana is gone'] as const) {
    it(`nobody who left is queued or offered when both of a pending match disconnect (${order})`, async () => {
      const { tag, ana, ben, matchId } = await matchedPair();
      const [first, second] = order.startsWith('ben') ? [ben, ana] : [ana, ben];
      if (order.includes('once')) {
        const told = nextEvent(second.socket, 'match:ended');
        first.socket.close();
        expect(await told).to.include({ matchId, reason: 'disconnected' });
        second.socket.close();
      } else {
        first.socket.close();
        second.socket.close();
      }
      // The match ends, and the last disconnect's handling has run by the time presence says so.
      await eventually(async () => (await Match.findById(matchId).lean())?.status === 'disconnected');
      const [carl, dana] = await Promise.all([ready(tag), ready(tag)]);
      const carlOffers = collect(carl.socket, 'match:found');
      const found = [nextEvent(carl.socket, 'match:found'), nextEvent(dana.socket, 'match:found')];
      await join(carl.socket, tag);
      await join(dana.socket, tag);
      const [forCarl, forDana] = await Promise.all(found);
      expect([forCarl!.partner.id, forDana!.partner.id]).to.deep.equal([dana.user.id, carl.user.id]);
      expect(carlOffers.map((o) => o.partner.id)).to.deep.equal([dana.user.id]);
    });
  }
});
