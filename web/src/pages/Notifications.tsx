import { useEffect, useState } from 'react';
import { listen } from '../lib/listen';
import { Link } from 'react-router';
import { del, get, post } from '../api';
import { ErrorText, useAction } from '../components/Form';
import { enableWebPush, pushState } from '../lib/web-push';

interface Notice {
  id: string;
  type: string;
  text: string;
  read: boolean;
  createdAt: string;
  target: { kind: string; id: string; postId?: string } | null;
}
type Page = { items: Notice[]; nextCursor: string | null; unread: number };

const linkOf = (n: Notice): string | null => {
  if (n.type.startsWith('connection')) return '/requests';
  if (n.type === 'message' && n.target) return `/chat/${n.target.id}`;
  if (n.type.startsWith('membership') || n.type === 'payment_failed') return '/membership';
  return null;
};

/** The inbox: newest first, live; read one or all; web push opt-in. */
export function Notifications() {
  const [items, setItems] = useState<Notice[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [push, setPush] = useState<string>('');
  const action = useAction();
  const load = (from: string | null) =>
    action.run(async () => {
      const page = await get<Page>('/notifications', { limit: 20, cursor: from });
      setItems((list) => (from ? [...list, ...page.items] : page.items));
      setCursor(page.nextCursor);
    });
  useEffect(() => {
    void load(null);
    void pushState().then(setPush);
    // A grouped notice comes again with the same id: replace it and move it to the top.
    const onNew = (n: Notice) => setItems((list) => [n, ...list.filter((x) => x.id !== n.id)]);
    return listen({ 'notification:new': onNew });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  const read = (n: Notice) =>
    action.run(async () => {
      await post(`/notifications/${n.id}/read`);
      setItems((list) => list.map((x) => (x.id === n.id ? { ...x, read: true } : x)));
    });
  const readAll = () =>
    action.run(async () => {
      await post('/notifications/read-all');
      setItems((list) => list.map((x) => ({ ...x, read: true })));
    });
  const remove = (n: Notice) =>
    action.run(async () => {
      await del(`/notifications/${n.id}`);
      setItems((list) => list.filter((x) => x.id !== n.id));
    });
  const optIn = () => action.run(async () => setPush(await enableWebPush()));
  return (
    <section>
      <h1>Notifications</h1>
      <div className="actions">
        <button type="button" onClick={() => void readAll()}>
          Mark all as read
        </button>
        {push === 'available' && (
          <button type="button" onClick={() => void optIn()}>
            Turn on push notifications
          </button>
        )}
        {push === 'enabled' && <span className="muted">Push notifications are on.</span>}
      </div>
      <ErrorText error={action.error} />
      <ul className="list notifications">
        {items.map((n) => {
          const link = linkOf(n);
          return (
            <li key={n.id} className={n.read ? 'read' : 'unread'}>
              {link ? <Link to={link}>{n.text}</Link> : n.text}
              <small className="muted"> · {new Date(n.createdAt).toLocaleString()}</small>{' '}
              {!n.read && (
                <button type="button" onClick={() => void read(n)}>
                  Mark read
                </button>
              )}
              <button type="button" onClick={() => void remove(n)} aria-label="Delete notification">
                ✕
              </button>
            </li>
          );
        })}
      </ul>
      {!action.busy && items.length === 0 && <p>You are all caught up.</p>}
      {cursor && (
        <button type="button" onClick={() => void load(cursor)}>
          Older
        </button>
      )}
    </section>
  );
}
