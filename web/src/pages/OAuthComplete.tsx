import { useState } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router';
import { request } from '../api';
import type { ProfileRequired } from '../components/GoogleButton';
import { ErrorText, Field, useAction } from '../components/Form';
import { emptyProfile, interestsOf, ProfileFields } from '../components/ProfileFields';
import { useSession, type Me } from '../session';

/** A first Google sign-in: the fields the provider did not give, then the account is made. */
export function OAuthComplete() {
  const { setMe } = useSession();
  const navigate = useNavigate();
  const pending = useLocation().state as ProfileRequired | null;
  const [names, setNames] = useState({ firstName: '', lastName: '', email: '' });
  const [profile, setProfile] = useState(emptyProfile);
  const { busy, error, onSubmit } = useAction();
  if (!pending) return <Navigate to="/" replace />;
  const asks = (field: keyof typeof names) => pending.missing.includes(field);
  const submit = onSubmit(async () => {
    const given = Object.fromEntries(Object.entries(names).filter(([key]) => asks(key as keyof typeof names)));
    const body = { signupToken: pending.signupToken, ...given, ...profile, interests: interestsOf(profile.interests) };
    const { user } = await request<{ user: Me }>('/auth/oauth/complete', { method: 'POST', body, noRefresh: true });
    // Away from this page and its history entry, which holds the used sign-up token.
    void navigate('/discover', { replace: true });
    setMe(user);
  });
  return (
    <section className="narrow">
      <h1>Finish your profile</h1>
      {pending.profile.email && <p>Signing up as {pending.profile.email}</p>}
      <form onSubmit={submit}>
        {(['firstName', 'lastName', 'email'] as const).filter(asks).map((field) => (
          <Field key={field} label={{ firstName: 'First name', lastName: 'Last name', email: 'Email' }[field]}>
            <input value={names[field]} onChange={(e) => setNames({ ...names, [field]: e.target.value })} required />
          </Field>
        ))}
        <ProfileFields value={profile} onChange={setProfile} />
        <ErrorText error={error} />
        <button type="submit" disabled={busy}>
          Create account
        </button>
      </form>
    </section>
  );
}
