import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { listen } from '../lib/listen';
import { messageOf } from '../api';
import { nameOf, rememberPerson } from '../lib/people';
import { onBeforeSignOut, useMe } from '../session';
import { emitAck } from '../socket';
import { CallOverlay } from './CallOverlay';
import { Peer } from './peer';

type Mode = 'video' | 'audio';
interface Person {
  id: string;
  firstName?: string;
  username?: string;
}
export type CallState =
  | { phase: 'idle'; note?: string }
  | { phase: 'outgoing' | 'incoming'; callId: string; person: Person; mode: Mode }
  | { phase: 'active'; callId: string; person: Person; mode: Mode; connection: RTCPeerConnectionState };

interface Calls {
  ring: (person: Person, mode: Mode) => Promise<void>;
  /** A random match in video mode: the call exists already, connected; only WebRTC remains. */
  joinMatchedCall: (callId: string, person: Person, callerId: string) => void;
}
const CallContext = createContext<Calls | null>(null);
export const useCalls = () => {
  const calls = useContext(CallContext);
  if (!calls) throw new Error('useCalls outside CallProvider');
  return calls;
};

/** Calls for the whole signed-in app: an incoming call rings on any page. */
export function CallProvider({ children }: { children: ReactNode }) {
  const me = useMe();
  const [call, setCallState] = useState<CallState>({ phase: 'idle' });
  const [streams, setStreams] = useState<{ local?: MediaStream; remote?: MediaStream }>({});
  // The socket handlers read the call as it is now, not as of their render: the ref leads, state follows.
  const current = useRef<CallState>({ phase: 'idle' });
  const setCall = useCallback((next: CallState | ((c: CallState) => CallState)) => {
    current.current = typeof next === 'function' ? next(current.current) : next;
    setCallState(current.current);
  }, []);
  const peer = useRef<Peer | null>(null);
  // Signaling that arrived for a call before this side built its peer.
  const early = useRef<{ callId: string; offer?: string; ice: RTCIceCandidateInit[] }>({ callId: '', ice: [] });

  const end = useCallback(
    (note?: string) => {
      peer.current?.close();
      peer.current = null;
      setStreams({});
      setCall({ phase: 'idle', note });
    },
    [setCall],
  );
  /** A call this side cannot carry on (no camera, signaling failed): the other side hears it ended. */
  const abort = useCallback(
    (note: string) => {
      const c = current.current;
      if (c.phase === 'active') void emitAck('rtc:hangup', { callId: c.callId }).catch(() => undefined);
      end(note);
    },
    [end],
  );
  // Signing out mid-call hangs up first, while the session can still say so; a session lost
  // some other way lets go of the camera and microphone here (the server ends the call after
  // its reconnect grace).
  useEffect(() => {
    const unregister = onBeforeSignOut(async () => {
      const c = current.current;
      if (c.phase === 'active') await emitAck('rtc:hangup', { callId: c.callId }, 3000).catch(() => undefined);
      else if (c.phase === 'outgoing') await emitAck('call:cancel', { callId: c.callId }, 3000).catch(() => undefined);
      else if (c.phase === 'incoming') await emitAck('call:decline', { callId: c.callId }, 3000).catch(() => undefined);
    });
    return () => {
      unregister();
      peer.current?.close();
      peer.current = null;
    };
  }, []);

  const start = useCallback(
    (callId: string, person: Person, mode: Mode, offerer: boolean) => {
      const p = new Peer(
        callId,
        mode,
        (connection) => setCall((c) => (c.phase === 'active' && c.callId === callId ? { ...c, connection } : c)),
        (remote) => setStreams((s) => ({ ...s, remote })),
      );
      peer.current = p;
      setCall({ phase: 'active', callId, person, mode, connection: 'new' });
      p.local.then(
        (local) => setStreams((s) => ({ ...s, local })),
        (err: unknown) => abort(`Camera or microphone unavailable: ${messageOf(err)}`),
      );
      const pending = early.current.callId === callId ? early.current : { offer: undefined, ice: [] };
      early.current = { callId: '', ice: [] };
      const fail = (err: unknown) => abort(`Call failed: ${messageOf(err)}`);
      if (offerer) p.offer().catch(fail);
      else if (pending.offer) p.answer(pending.offer).catch(fail);
      for (const c of pending.ice) void p.candidate(c).catch(() => undefined);
    },
    [abort, setCall],
  );

  useEffect(() => {
    const stash = (callId: string) => {
      if (early.current.callId !== callId) early.current = { callId, ice: [] };
      return early.current;
    };
    const handlers = {
      'call:incoming': (p: { callId: string; mode: Mode; from: Person }) => {
        if (current.current.phase !== 'idle') return;
        rememberPerson(p.from);
        setCall({ phase: 'incoming', callId: p.callId, person: p.from, mode: p.mode });
      },
      'call:accepted': (p: { callId: string }) => {
        const c = current.current;
        if (c.phase === 'outgoing' && c.callId === p.callId) start(c.callId, c.person, c.mode, true);
        // Another device of ours answered: this one stops ringing.
        else if (c.phase === 'incoming' && c.callId === p.callId) end('Answered on another device');
      },
      'call:ended': (p: { callId: string; reason: string }) => {
        const c = current.current;
        if (c.phase !== 'idle' && c.callId === p.callId) end(`Call ended (${p.reason})`);
      },
      'rtc:offer': (p: { callId: string; sdp: string }) => {
        if (peer.current?.callId === p.callId)
          void peer.current.answer(p.sdp).catch((err: unknown) => abort(`Call failed: ${messageOf(err)}`));
        else stash(p.callId).offer = p.sdp;
      },
      'rtc:answer': (p: { callId: string; sdp: string }) => {
        if (peer.current?.callId === p.callId)
          void peer.current.accepted(p.sdp).catch((err: unknown) => abort(`Call failed: ${messageOf(err)}`));
      },
      'rtc:ice': (p: { callId: string; candidate: RTCIceCandidateInit }) => {
        if (peer.current?.callId === p.callId) void peer.current.candidate(p.candidate).catch(() => undefined);
        else stash(p.callId).ice.push(p.candidate);
      },
    };
    return listen(handlers);
  }, [start, end, abort, setCall]);

  const ring = useCallback(
    async (person: Person, mode: Mode) => {
      if (current.current.phase !== 'idle') return;
      try {
        const { callId } = await emitAck<{ callId: string }>('call:ring', { toUserId: person.id, mode });
        setCall({ phase: 'outgoing', callId, person, mode });
      } catch (err) {
        setCall({ phase: 'idle', note: `Could not call: ${messageOf(err)}` });
      }
    },
    [setCall],
  );

  const joinMatchedCall = useCallback(
    // One side offers: the one the server recorded as the call's caller.
    (callId: string, person: Person, callerId: string) => start(callId, person, 'video', callerId === me.id),
    [me.id, start],
  );

  const answer = (accept: boolean) => {
    const c = current.current;
    if (c.phase !== 'incoming') return;
    if (!accept) return void emitAck('call:decline', { callId: c.callId }).catch(() => end());
    start(c.callId, c.person, c.mode, false);
    void emitAck('call:accept', { callId: c.callId }).catch((err: unknown) => end(`Could not answer: ${messageOf(err)}`));
  };
  const hangUp = () => {
    const c = current.current;
    if (c.phase === 'outgoing') void emitAck('call:cancel', { callId: c.callId }).catch(() => end());
    else if (c.phase === 'active') void emitAck('rtc:hangup', { callId: c.callId }).catch(() => end('Call ended'));
  };
  const dismiss = () => setCall({ phase: 'idle' });

  const value = useMemo(() => ({ ring, joinMatchedCall }), [ring, joinMatchedCall]);
  return (
    <CallContext.Provider value={value}>
      {children}
      <CallOverlay
        call={call}
        name={call.phase === 'idle' ? '' : (call.person.firstName ?? nameOf(call.person.id))}
        streams={streams}
        onAnswer={answer}
        onHangUp={hangUp}
        onDismiss={dismiss}
      />
    </CallContext.Provider>
  );
}
