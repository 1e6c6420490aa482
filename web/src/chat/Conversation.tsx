import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { listen } from '../lib/listen';
import { get, messageOf, request } from '../api';
import { ErrorText } from '../components/Form';
import { nameOf } from '../lib/people';
import { useMe } from '../session';
import { emitAck, openSocket } from '../socket';
import { newClientMessageId, upsertMessages, type Conversation as ConversationView, type Message } from './types';
import { MessageItem } from './MessageItem';

type Page = { messages: Message[]; before: number | null; after: number | null };
interface Props {
  conversation?: ConversationView;
  /** A direct conversation that does not exist yet: the first message makes it. */
  toUserId?: string;
  title: string;
  onRead?: (conversationId: string) => void;
  onCreated?: (conversationId: string) => void;
}

const TYPING_REPEAT_MS = 3000;
const kindOf = (file: File) =>
  file.type.startsWith('image/')
    ? 'image'
    : file.type.startsWith('video/')
      ? 'video'
      : file.type.startsWith('audio/')
        ? 'voice'
        : 'file';

/** One conversation: history with infinite scroll up, live messages, typing, read receipts, reactions, attachments. */
export function Conversation({ conversation, toUserId, title, onRead, onCreated }: Props) {
  const me = useMe();
  const id = conversation?.id;
  const [messages, setMessages] = useState<Message[]>([]);
  const [before, setBefore] = useState<number | null>(null);
  const [typing, setTyping] = useState<Record<string, number>>({});
  const [readSeq, setReadSeq] = useState(0);
  const [text, setText] = useState('');
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loaded, setLoaded] = useState(false);
  // A message that came while the tab was hidden is read when the person comes back to it.
  const [visible, setVisible] = useState(document.visibilityState === 'visible');
  useEffect(() => {
    const onChange = () => setVisible(document.visibilityState === 'visible');
    document.addEventListener('visibilitychange', onChange);
    return () => document.removeEventListener('visibilitychange', onChange);
  }, []);
  const list = useRef<HTMLOListElement>(null);
  const stickToBottom = useRef(true);
  const keepOffset = useRef<number | null>(null);
  const lastTyping = useRef(0);
  const lastSeq = messages.at(-1)?.seq ?? 0;

  // The newest page first; on every reconnect, whatever came while the socket was down.
  const catchUp = useCallback(
    async (afterSeq: number) => {
      if (!id) return;
      // Until the server says there is nothing newer (a page may be short where numbers were skipped).
      let after: number | null = afterSeq;
      while (after !== null) {
        const page: Page = await get<Page>(`/conversations/${id}/messages`, { after, limit: 100 });
        setMessages((m) => upsertMessages(m, page.messages));
        after = page.after !== null && page.after > after ? page.after : null;
      }
    },
    [id],
  );
  useEffect(() => {
    if (!id) return;
    get<Page>(`/conversations/${id}/messages`, { limit: 30 }).then(
      (page) => {
        setMessages(page.messages);
        setBefore(page.before);
        setLoaded(true);
      },
      (err: unknown) => setError(messageOf(err)),
    );
  }, [id]);

  // What a reconnect catches up from: nothing before the first page is in (it has it all).
  const lastSeqRef = useRef<number | null>(null);
  useEffect(() => {
    if (loaded) lastSeqRef.current = lastSeq;
  }, [loaded, lastSeq]);
  useEffect(() => {
    const mine = (conversationId: string) => conversationId === id;
    const onMessage = (m: Message) => {
      if (!mine(m.conversationId)) return;
      stickToBottom.current = true;
      setMessages((list) => upsertMessages(list, [m]));
      setTyping((t) => ({ ...t, [m.senderId]: 0 }));
    };
    const onChanged = (m: Message) => mine(m.conversationId) && setMessages((list) => upsertMessages(list, [m]));
    const onDeleted = (d: { id: string; conversationId: string }) =>
      mine(d.conversationId) &&
      setMessages((list) =>
        list.map((m) =>
          m.id === d.id ? { ...m, text: undefined, attachment: undefined, deletedAt: new Date().toISOString() } : m,
        ),
      );
    const onTyping = (t: { conversationId: string; userId: string; isTyping: boolean; ttlMs: number }) =>
      mine(t.conversationId) && setTyping((all) => ({ ...all, [t.userId]: t.isTyping ? Date.now() + t.ttlMs : 0 }));
    const onRead = (r: { conversationId: string; userId: string; upToSeq: number }) =>
      mine(r.conversationId) && r.userId !== me.id && setReadSeq((s) => Math.max(s, r.upToSeq));
    const onReaction = (r: { messageId: string; conversationId: string; reactions: Record<string, number> }) =>
      mine(r.conversationId) &&
      setMessages((list) => list.map((m) => (m.id === r.messageId ? { ...m, reactions: r.reactions } : m)));
    const onReconnect = () => {
      if (lastSeqRef.current !== null) void catchUp(lastSeqRef.current).catch(() => undefined);
    };
    return listen({
      'chat:message': onMessage,
      'chat:edited': onChanged,
      'chat:deleted': onDeleted,
      'chat:typing': onTyping,
      'chat:read': onRead,
      'chat:reaction': onReaction,
      connect: onReconnect,
    });
  }, [id, me.id, catchUp]);

  // Typing notices expire on their own when the typist goes quiet.
  useEffect(() => {
    const timer = setInterval(
      () =>
        setTyping((t) =>
          Object.values(t).some((until) => until && until < Date.now())
            ? Object.fromEntries(Object.entries(t).filter(([, until]) => until > Date.now()))
            : t,
        ),
      1000,
    );
    return () => clearInterval(timer);
  }, []);

  // Reading: the newest message from someone else is marked read while this pane shows it.
  const newest = messages.at(-1);
  const newestId = newest?.id;
  const newestFromOther = Boolean(newest && newest.senderId !== me.id);
  useEffect(() => {
    if (!id || !newestId || !newestFromOther || !visible) return;
    emitAck('chat:read', { conversationId: id, upToMessageId: newestId }).then(
      () => onRead?.(id),
      () => undefined,
    );
  }, [id, newestId, newestFromOther, visible, onRead]);

  // Scroll: new messages keep the view at the bottom; older ones loaded above keep it in place.
  useLayoutEffect(() => {
    const el = list.current;
    if (!el) return;
    if (keepOffset.current !== null) {
      el.scrollTop = el.scrollHeight - keepOffset.current;
      keepOffset.current = null;
    } else if (stickToBottom.current) el.scrollTop = el.scrollHeight;
  }, [messages]);
  const loadingOlder = useRef(false);
  const onScroll = () => {
    const el = list.current;
    if (!el || !id) return;
    stickToBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
    if (el.scrollTop > 60 || before === null || loadingOlder.current) return;
    loadingOlder.current = true;
    get<Page>(`/conversations/${id}/messages`, { before, limit: 30 })
      .then((page) => {
        keepOffset.current = el.scrollHeight - el.scrollTop;
        setMessages((m) => upsertMessages(m, page.messages));
        setBefore(page.before);
      })
      .catch((err: unknown) => setError(messageOf(err)))
      .finally(() => (loadingOlder.current = false));
  };

  const target = id ? { conversationId: id } : { toUserId };
  const sendTyping = (isTyping: boolean) => {
    if (!id) return;
    if (isTyping && Date.now() - lastTyping.current < TYPING_REPEAT_MS) return;
    lastTyping.current = isTyping ? Date.now() : 0;
    openSocket().emit('chat:typing', { conversationId: id, isTyping }, () => undefined);
  };
  const send = async (extra: { text?: string; attachmentId?: string }) => {
    setError(null);
    try {
      const message = await emitAck<Message>('chat:send', { ...target, clientMessageId: newClientMessageId(), ...extra });
      stickToBottom.current = true;
      setMessages((list) => upsertMessages(list, [message]));
      if (!id) onCreated?.(message.conversationId);
      return true;
    } catch (err) {
      setError(messageOf(err));
      return false;
    }
  };
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const body = text.trim();
    if (!body) return;
    sendTyping(false);
    if (await send({ text: body })) setText('');
  };
  const attach = async (e: React.ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    e.target.value = '';
    if (!file || !id) return;
    setStatus(`Uploading ${file.name}…`);
    try {
      const form = new FormData();
      form.append('kind', kindOf(file));
      form.append('name', file.name.slice(0, 200));
      form.append('file', file);
      const { attachment } = await request<{ attachment: { id: string } }>(`/conversations/${id}/attachments`, {
        method: 'POST',
        body: form,
      });
      await untilReady(id, attachment.id);
      await send({ attachmentId: attachment.id });
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setStatus(null);
    }
  };
  const react = (m: Message, emoji: string) =>
    void emitAck('chat:react', { messageId: m.id, emoji }).catch((err: unknown) => setError(messageOf(err)));

  // Expired notices are pruned by the timer above.
  const typists = Object.entries(typing)
    .filter(([, until]) => until > 0)
    .map(([userId]) => nameOf(userId));
  const myLast = [...messages].reverse().find((m) => m.senderId === me.id);
  return (
    <div className="pane">
      <h2>{title}</h2>
      <ol className="messages" ref={list} onScroll={onScroll} aria-label={`Messages with ${title}`} aria-live="polite">
        {before !== null && <li className="muted">Scroll up for older messages</li>}
        {messages.map((m) => (
          <MessageItem key={m.id} message={m} mine={m.senderId === me.id} onReact={react} />
        ))}
      </ol>
      {myLast && (
        <p className="receipt muted" data-testid="receipt">
          {readSeq >= myLast.seq ? 'Seen' : 'Sent'}
        </p>
      )}
      <p className="typing muted" data-testid="typing" aria-live="polite">
        {typists.length > 0 && `${typists.join(', ')} is typing…`}
      </p>
      {status && <p role="status">{status}</p>}
      <ErrorText error={error} />
      <form onSubmit={(e) => void submit(e)} className="composer">
        <label className="sr-only" htmlFor="message-text">
          Message
        </label>
        <input
          id="message-text"
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            sendTyping(e.target.value.length > 0);
          }}
          onBlur={() => sendTyping(false)}
          placeholder="Write a message"
          maxLength={4000}
          autoComplete="off"
        />
        {id && (
          <label className="attach">
            <span className="sr-only">Attach a file</span>📎
            <input type="file" onChange={(e) => void attach(e)} />
          </label>
        )}
        <button type="submit">Send</button>
      </form>
    </div>
  );
}

/** An upload is processed in the background: wait for its chat:attachment push (or find it done). */
function untilReady(conversationId: string, attachmentId: string): Promise<void> {
  const socket = openSocket();
  return new Promise((resolve, reject) => {
    const done = (view: { id: string; status: string; failReason?: string }) => {
      if (view.id !== attachmentId) return;
      if (view.status === 'ready') finish(resolve);
      else if (view.status === 'failed')
        finish(() => reject(new Error(`The file could not be processed (${view.failReason ?? 'failed'})`)));
    };
    const timer = setInterval(() => {
      get<{ attachment: { id: string; status: string; failReason?: string } }>(
        `/conversations/${conversationId}/attachments/${attachmentId}`,
      ).then(
        (r) => done(r.attachment),
        () => undefined,
      );
    }, 2000);
    const finish = (then: () => void) => {
      clearInterval(timer);
      socket.off('chat:attachment', done);
      then();
    };
    socket.on('chat:attachment', done);
  });
}
