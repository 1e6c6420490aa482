import type { ReactNode } from 'react';
import { Link } from 'react-router';
import type { Photo } from '../session';

export interface UserCardView {
  id: string;
  username: string;
  firstName: string;
  lastName: string;
  age?: number;
  interests: string[];
  avatar: Photo | null;
  verifiedBadge: boolean;
  distance?: string;
  bio?: string;
}

/** One person as lists show them: photo, name, age, distance band, interests; actions below. */
export function UserCard({ user, children }: { user: UserCardView; children?: ReactNode }) {
  return (
    <article className="card" aria-label={`${user.firstName} ${user.lastName}`} data-username={user.username}>
      {user.avatar ? <img src={user.avatar.urls.card} alt="" /> : <div className="placeholder" aria-hidden="true" />}
      <h3>
        <Link to={`/people/${user.username}`}>
          {user.firstName} {user.lastName}
        </Link>
        {user.age !== undefined && <span>, {user.age}</span>}
        {user.verifiedBadge && <span title="Verified"> ✔</span>}
      </h3>
      <p className="muted">
        @{user.username}
        {user.distance && ` · ${user.distance}`}
      </p>
      {user.bio && <p>{user.bio}</p>}
      <ul className="tags" aria-label="Interests">
        {user.interests.map((tag) => (
          <li key={tag}>{tag}</li>
        ))}
      </ul>
      {children && <div className="actions">{children}</div>}
    </article>
  );
}
