import { useState } from 'react';
import { useParams } from 'react-router';
import { get, post } from '../api';
import { ErrorText, useAction } from '../components/Form';
import { UserCard, type UserCardView } from '../components/UserCard';
import { useLoad } from '../lib/use-load';
import type { Photo } from '../session';

type PublicProfile = UserCardView & { gallery: Photo[]; gender: string; preference: string };

/** Someone's public profile: gallery, connect, block, report. */
export function PersonPage() {
  const { username = '' } = useParams();
  const { data: profile, error } = useLoad(
    () => get<{ profile: PublicProfile }>(`/users/${encodeURIComponent(username)}`).then((r) => r.profile),
    [username],
  );
  const action = useAction();
  // What the last action did, said aloud: a tap with no visible answer gets tapped again.
  const [done, setDone] = useState<string | null>(null);
  const act = <T,>(request: () => Promise<T>, outcome: (result: T) => string) =>
    void action.run(async () => {
      setDone(null);
      setDone(outcome(await request()));
    });
  if (error) return <ErrorText error={error} />;
  if (!profile) return <p role="status">Loading…</p>;
  return (
    <section>
      <UserCard user={profile}>
        <button
          type="button"
          disabled={action.busy}
          onClick={() =>
            act(
              () => post<{ matched: boolean }>(`/connections/${profile.id}`, { action: 'interested' }),
              (result) => (result.matched ? 'You are connected' : 'Request sent'),
            )
          }
        >
          Connect
        </button>
        <button
          type="button"
          disabled={action.busy}
          onClick={() =>
            act(
              () => post(`/users/${profile.id}/block`),
              () => 'Blocked',
            )
          }
        >
          Block
        </button>
        <button
          type="button"
          disabled={action.busy}
          onClick={() =>
            act(
              () => post('/reports', { targetType: 'user', targetId: profile.id, reason: 'other' }),
              () => 'Reported: thank you',
            )
          }
        >
          Report
        </button>
      </UserCard>
      {done && <p role="status">{done}</p>}
      <ErrorText error={action.error} />
      <div className="photos">
        {profile.gallery.map((photo, i) => (
          <img key={photo.id} src={photo.urls.card} alt={`${profile.firstName}'s photo ${i + 1}`} />
        ))}
      </div>
    </section>
  );
}
