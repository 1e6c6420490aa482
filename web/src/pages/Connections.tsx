import { useNavigate } from 'react-router';
import { listen } from '../lib/listen';
import { del, get, post } from '../api';
import { ErrorText, useAction } from '../components/Form';
import { UserCard, type UserCardView } from '../components/UserCard';
import { useCalls } from '../calls/CallProvider';
import { useLoad } from '../lib/use-load';
import { useEffect } from 'react';

interface Item {
  id: string;
  user: UserCardView;
  status: string;
}
type Page = { items: Item[]; nextCursor: string | null };

/** Requests received (accept or decline) and friends (message, call, unfriend), live as requests arrive. */
export function Connections() {
  const received = useLoad(() => get<Page>('/connections/requests/received', { limit: 50 }));
  const friends = useLoad(() => get<Page>('/connections', { limit: 100 }));
  const action = useAction();
  const navigate = useNavigate();
  const { ring } = useCalls();
  useEffect(() => {
    const refresh = () => {
      void received.reload();
      void friends.reload();
    };
    return listen({ 'connection:request': refresh, 'connection:accepted': refresh });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  const review = (item: Item, decision: 'accepted' | 'rejected') =>
    action.run(async () => {
      await post(`/connections/requests/${item.id}`, { action: decision });
      await Promise.all([received.reload(), friends.reload()]);
    });
  const unfriend = (item: Item) =>
    action.run(async () => {
      await del(`/connections/${item.user.id}`);
      await friends.reload();
    });
  return (
    <section>
      <h1>Connections</h1>
      <ErrorText error={action.error ?? received.error ?? friends.error} />
      <h2>Requests</h2>
      {received.data?.items.length === 0 && <p>No requests waiting.</p>}
      <div className="grid">
        {received.data?.items.map((item) => (
          <UserCard key={item.id} user={item.user}>
            <button type="button" onClick={() => void review(item, 'accepted')} aria-label={`Accept ${item.user.firstName}`}>
              Accept
            </button>
            <button type="button" onClick={() => void review(item, 'rejected')} aria-label={`Decline ${item.user.firstName}`}>
              Decline
            </button>
          </UserCard>
        ))}
      </div>
      <h2>Friends</h2>
      {friends.data?.items.length === 0 && <p>No connections yet.</p>}
      <div className="grid">
        {friends.data?.items.map((item) => (
          <UserCard key={item.id} user={item.user}>
            <button
              type="button"
              onClick={() => void navigate(`/chat?with=${item.user.id}`)}
              aria-label={`Message ${item.user.firstName}`}
            >
              Message
            </button>
            <button type="button" onClick={() => void ring(item.user, 'video')} aria-label={`Video call ${item.user.firstName}`}>
              Video call
            </button>
            <button type="button" onClick={() => void unfriend(item)} aria-label={`Remove ${item.user.firstName}`}>
              Remove
            </button>
          </UserCard>
        ))}
      </div>
    </section>
  );
}
