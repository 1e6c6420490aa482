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
  if (error) return <ErrorText error={error} />;
  if (!profile) return <p role="status">Loading…</p>;
  return (
    <section>
      <UserCard user={profile}>
        <button type="button" onClick={() => void action.run(() => post(`/connections/${profile.id}`, { action: 'interested' }))}>
          Connect
        </button>
        <button type="button" onClick={() => void action.run(() => post(`/users/${profile.id}/block`))}>
          Block
        </button>
        <button
          type="button"
          onClick={() => void action.run(() => post('/reports', { targetType: 'user', targetId: profile.id, reason: 'other' }))}
        >
          Report
        </button>
      </UserCard>
      <ErrorText error={action.error} />
      <div className="photos">
        {profile.gallery.map((photo, i) => (
          <img key={photo.id} src={photo.urls.card} alt={`${profile.firstName}'s photo ${i + 1}`} />
        ))}
      </div>
    </section>
  );
}
