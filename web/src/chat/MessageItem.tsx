import type { Message } from './types';

const REACTIONS = ['👍', '❤️', '😂'];

function Attachment({ attachment }: { attachment: NonNullable<Message['attachment']> }) {
  const urls = attachment.urls ?? {};
  switch (attachment.kind) {
    case 'image':
      return (
        <a href={urls.full} target="_blank" rel="noreferrer">
          <img src={urls.thumb} alt={attachment.name ?? 'Picture'} />
        </a>
      );
    case 'photo':
      return <img src={attachment.url} alt="Photo" />;
    case 'video':
      return <video controls src={urls.video} poster={urls.poster} />;
    case 'voice':
      return <audio controls src={urls.audio} />;
    default:
      return (
        <a href={urls.file} target="_blank" rel="noreferrer" download={attachment.name}>
          {attachment.name ?? 'File'}
        </a>
      );
  }
}

export function MessageItem({
  message,
  mine,
  onReact,
}: {
  message: Message;
  mine: boolean;
  onReact: (m: Message, emoji: string) => void;
}) {
  const reactions = Object.entries(message.reactions ?? {}).filter(([, n]) => n > 0);
  return (
    <li className={mine ? 'message mine' : 'message'} data-seq={message.seq}>
      {message.deletedAt ? (
        <em className="muted">Message deleted</em>
      ) : (
        <>
          {message.text && <span className="text">{message.text}</span>}
          {message.attachment && <Attachment attachment={message.attachment} />}
          {message.editedAt && <small className="muted"> (edited)</small>}
        </>
      )}
      {reactions.length > 0 && (
        <span className="reactions" aria-label="Reactions">
          {reactions.map(([emoji, n]) => `${emoji} ${n}`).join(' ')}
        </span>
      )}
      {!message.deletedAt && (
        <span className="react">
          {REACTIONS.map((emoji) => (
            <button key={emoji} type="button" onClick={() => onReact(message, emoji)} aria-label={`React ${emoji}`}>
              {emoji}
            </button>
          ))}
        </span>
      )}
    </li>
  );
}
