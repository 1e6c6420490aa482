import { useEffect, useRef } from 'react';
import type { CallState } from './CallProvider';

function Video({ stream, muted, label }: { stream?: MediaStream; muted?: boolean; label: string }) {
  const ref = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    if (ref.current && stream && ref.current.srcObject !== stream) ref.current.srcObject = stream;
  }, [stream]);
  return <video ref={ref} autoPlay playsInline muted={muted} aria-label={label} />;
}

interface Props {
  call: CallState;
  name: string;
  streams: { local?: MediaStream; remote?: MediaStream };
  onAnswer: (accept: boolean) => void;
  onHangUp: () => void;
  onDismiss: () => void;
}

/** The call on top of every page: ringing, answering, the two videos and hang-up. */
export function CallOverlay({ call, name, streams, onAnswer, onHangUp, onDismiss }: Props) {
  if (call.phase === 'idle')
    return call.note ? (
      <div className="toast" role="status" data-testid="call-note">
        {call.note}{' '}
        <button type="button" onClick={onDismiss}>
          Dismiss
        </button>
      </div>
    ) : null;
  return (
    <div className="call" role="dialog" aria-label={`Call with ${name}`}>
      {call.phase === 'incoming' && (
        <>
          <p>
            {name} is calling ({call.mode})…
          </p>
          <button type="button" onClick={() => onAnswer(true)}>
            Answer
          </button>
          <button type="button" onClick={() => onAnswer(false)}>
            Decline
          </button>
        </>
      )}
      {call.phase === 'outgoing' && (
        <>
          <p>Calling {name}…</p>
          <button type="button" onClick={onHangUp}>
            Cancel
          </button>
        </>
      )}
      {call.phase === 'active' && (
        <>
          <p>
            In a call with {name}: <span data-testid="call-connection">{call.connection}</span>
          </p>
          <div className="videos">
            <Video stream={streams.remote} label={`${name}'s video`} />
            <Video stream={streams.local} muted label="Your video" />
          </div>
          <button type="button" onClick={onHangUp}>
            Hang up
          </button>
        </>
      )}
    </div>
  );
}
