import { useCallback, useEffect, useRef, useState } from 'react';
import { listen } from '../lib/listen';
import { useNavigate, useParams, useSearchParams } from 'react-router';
import { get } from '../api';
import { ErrorText } from '../components/Form';
import { Conversation as ConversationPane } from '../chat/Conversation';
import type { Conversation, Message } from '../chat/types';
import { usePeople } from '../lib/people';
import { useMe } from '../session';

/** Conversations with unread counts, live; the open one beside them. */
export function Chat() {
  const me = useMe();
  const nameOf = usePeople();
  const navigate = useNavigate();
  const { conversationId } = useParams();
  const withUser = useSearchParams()[0].get('with');
  const [conversations, setConversations] = useState<Conversation[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(
    () =>
      get<{ conversations: Conversation[] }>('/conversations', { limit: 50 }).then(
        (r) => setConversations(r.conversations),
        (err: Error) => setError(err.message),
      ),
    [],
  );
  // What the socket handlers read: the list and the open conversation as they are now.
  const listRef = useRef(conversations);
  const openRef = useRef(conversationId);
  useEffect(() => {
    listRef.current = conversations;
    openRef.current = conversationId;
  }, [conversations, conversationId]);
  useEffect(() => {
    void load();
    const onMessage = (m: Message) => {
      // A conversation this list has not seen (a first message to me): read the list again.
      if (!listRef.current?.some((c) => c.id === m.conversationId)) return void load();
      const counts = m.senderId !== me.id && m.conversationId !== openRef.current;
      setConversations((list) => {
        const known = list?.find((c) => c.id === m.conversationId);
        if (!list || !known) return list;
        const updated = { ...known, lastMessageAt: m.createdAt, unread: counts ? known.unread + 1 : known.unread };
        return [updated, ...list.filter((c) => c.id !== m.conversationId)];
      });
    };
    return listen({ 'chat:message': onMessage, 'conversation:updated': load, connect: load });
  }, [load, me.id]);

  // "Message" from a friend's card: their direct conversation if there is one yet.
  const existing = withUser ? conversations?.find((c) => c.type === 'direct' && c.memberIds.includes(withUser)) : undefined;
  useEffect(() => {
    if (existing) void navigate(`/chat/${existing.id}`, { replace: true });
  }, [existing, navigate]);

  const titleOf = (c: Conversation) =>
    c.name ??
    c.memberIds
      .filter((id) => id !== me.id)
      .map(nameOf)
      .join(', ');
  const open = conversations?.find((c) => c.id === conversationId);
  const markRead = useCallback(
    (id: string) => setConversations((list) => list?.map((c) => (c.id === id ? { ...c, unread: 0 } : c)) ?? null),
    [],
  );

  return (
    <section className="chat">
      <nav aria-label="Conversations" className="conversations">
        <h1>Chats</h1>
        <ErrorText error={error} />
        {conversations?.length === 0 && <p>No conversations yet. Message a connection to start one.</p>}
        <ul>
          {conversations?.map((c) => (
            <li key={c.id}>
              <button type="button" aria-current={c.id === conversationId} onClick={() => void navigate(`/chat/${c.id}`)}>
                {titleOf(c)}
                {c.type === 'match' && ' (match)'}
                {c.unread > 0 && (
                  <span className="badge" aria-label={`${c.unread} unread`}>
                    {c.unread}
                  </span>
                )}
              </button>
            </li>
          ))}
        </ul>
      </nav>
      {open && <ConversationPane key={open.id} conversation={open} title={titleOf(open)} onRead={markRead} />}
      {!open && withUser && !existing && conversations && (
        <ConversationPane
          key={withUser}
          toUserId={withUser}
          title={nameOf(withUser)}
          onCreated={(id) => {
            void load().then(() => navigate(`/chat/${id}`, { replace: true }));
          }}
        />
      )}
      {!open && !withUser && <p className="pane">Pick a conversation.</p>}
    </section>
  );
}
