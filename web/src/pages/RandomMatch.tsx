import { useEffect, useRef, useState } from 'react';
import { listen } from '../lib/listen';
import { useNavigate } from 'react-router';
import { messageOf, patch } from '../api';
import { ErrorText } from '../components/Form';
import { UserCard, type UserCardView } from '../components/UserCard';
import { useCalls } from '../calls/CallProvider';
import { rememberPerson } from '../lib/people';
import { emitAck } from '../socket';

type Mode = 'chat' | 'video';
type State =
  | { step: 'idle'; note?: string }
  | { step: 'searching'; mode: Mode }
  | { step: 'found'; matchId: string; mode: Mode; partner: UserCardView; answered: boolean };

const ENDED: Record<string, string> = {
  rejected: 'The match was declined.',
  expired: 'Nobody answered in time.',
  disconnected: 'Your match left.',
  left: 'The match ended.',
};

/** Random match: queue for a chat or a video call, accept or pass, then go to the chat or the call. */
export function RandomMatch() {
  const [state, setState] = useState<State>({ step: 'idle' });
  const [error, setError] = useState<string | null>(null);
  // The socket handlers read the latest state through this.
  const stateRef = useRef(state);
  useEffect(() => {
    stateRef.current = state;
  }, [state]);
  const navigate = useNavigate();
  const { joinMatchedCall } = useCalls();

  useEffect(() => {
    const onFound = (p: { matchId: string; mode: Mode; partner: UserCardView }) => {
      rememberPerson(p.partner);
      setState({ step: 'found', matchId: p.matchId, mode: p.mode, partner: p.partner, answered: false });
    };
    const onAccepted = (p: { matchId: string; conversationId?: string; callId?: string; callerId?: string }) => {
      const s = stateRef.current;
      setState({ step: 'idle', note: 'Matched!' });
      if (p.conversationId) void navigate(`/chat/${p.conversationId}`);
      else if (p.callId && p.callerId && s.step === 'found') joinMatchedCall(p.callId, s.partner, p.callerId);
    };
    const onEnded = (p: { reason: string }) => setState({ step: 'idle', note: ENDED[p.reason] ?? 'The match ended.' });
    // The queue is one per person: a join or a leave on another device (or tab) changes this screen too.
    const onSearching = (p: { mode: Mode }) => setState((s) => (s.step === 'found' ? s : { step: 'searching', mode: p.mode }));
    const onLeft = () => setState((s) => (s.step === 'searching' ? { step: 'idle' } : s));
    // Back after a drop while searching: the ticket may have gone meanwhile, so queue again (a join replaces one).
    const onReconnect = () => {
      const s = stateRef.current;
      if (s.step === 'searching') void emitAck('match:join', { mode: s.mode }).catch(() => undefined);
    };
    const unsubscribe = listen({
      'match:found': onFound,
      'match:accepted': onAccepted,
      'match:ended': onEnded,
      'match:searching': onSearching,
      'match:left': onLeft,
      connect: onReconnect,
    });
    return () => {
      unsubscribe();
      // Leaving the page while in the queue leaves the queue.
      if (stateRef.current.step === 'searching') void emitAck('match:leave', {}).catch(() => undefined);
    };
  }, [navigate, joinMatchedCall]);

  const join = async (mode: Mode) => {
    setError(null);
    try {
      await patch('/users/me/status', { availableForMatching: true });
      await emitAck('match:join', { mode });
      setState({ step: 'searching', mode });
    } catch (err) {
      setError(messageOf(err));
    }
  };
  const leave = async () => {
    await emitAck('match:leave', {}).catch(() => undefined);
    setState({ step: 'idle' });
  };
  const respond = async (accept: boolean) => {
    if (state.step !== 'found') return;
    const { matchId } = state;
    // Only this match's screen changes: match:ended or match:accepted may have come meanwhile.
    const ofThisMatch = (change: (s: State & { step: 'found' }) => State) =>
      setState((s) => (s.step === 'found' && s.matchId === matchId ? change(s) : s));
    try {
      const result = await emitAck<{ status: string }>('match:respond', { matchId, accept });
      if (result.status === 'waiting') ofThisMatch((s) => ({ ...s, answered: true }));
      if (result.status === 'rejected') ofThisMatch(() => ({ step: 'idle', note: 'You passed.' }));
    } catch (err) {
      setError(messageOf(err));
    }
  };

  return (
    <section>
      <h1>Random match</h1>
      <ErrorText error={error} />
      {state.step === 'idle' && (
        <>
          {state.note && <p role="status">{state.note}</p>}
          <button type="button" onClick={() => void join('chat')}>
            Find someone to chat with
          </button>
          <button type="button" onClick={() => void join('video')}>
            Find someone for a video call
          </button>
        </>
      )}
      {state.step === 'searching' && (
        <>
          <p role="status">Looking for someone ({state.mode})…</p>
          <button type="button" onClick={() => void leave()}>
            Stop looking
          </button>
        </>
      )}
      {state.step === 'found' && (
        <>
          <p role="status">{state.answered ? 'Waiting for them to answer…' : `Matched for a ${state.mode}!`}</p>
          <UserCard user={state.partner}>
            <button type="button" onClick={() => void respond(true)} disabled={state.answered}>
              Accept match
            </button>
            <button type="button" onClick={() => void respond(false)} disabled={state.answered}>
              Pass
            </button>
          </UserCard>
        </>
      )}
    </section>
  );
}
