import { useState } from 'react';
import { Link } from 'react-router';
import { request } from '../api';
import { ErrorText, Field, useAction } from '../components/Form';
import { emptyProfile, interestsOf, ProfileFields } from '../components/ProfileFields';
import { useSession, type Me } from '../session';

export function SignUp() {
  const { setMe } = useSession();
  const [names, setNames] = useState({ firstName: '', lastName: '', email: '', password: '' });
  const [profile, setProfile] = useState(emptyProfile);
  const { busy, error, onSubmit } = useAction();
  const set = (key: keyof typeof names) => (e: { target: { value: string } }) => setNames({ ...names, [key]: e.target.value });
  const submit = onSubmit(async () => {
    const body = { ...names, ...profile, interests: interestsOf(profile.interests) };
    const { user } = await request<{ user: Me }>('/auth/signup', { method: 'POST', body, noRefresh: true });
    setMe(user);
  });
  return (
    <section className="narrow">
      <h1>Create an account</h1>
      <form onSubmit={submit}>
        <Field label="First name">
          <input value={names.firstName} onChange={set('firstName')} autoComplete="given-name" required />
        </Field>
        <Field label="Last name">
          <input value={names.lastName} onChange={set('lastName')} autoComplete="family-name" required />
        </Field>
        <Field label="Email">
          <input type="email" value={names.email} onChange={set('email')} autoComplete="email" required />
        </Field>
        <Field label="Password">
          <input
            type="password"
            value={names.password}
            onChange={set('password')}
            autoComplete="new-password"
            minLength={8}
            required
          />
        </Field>
        <ProfileFields value={profile} onChange={setProfile} />
        <ErrorText error={error} />
        <button type="submit" disabled={busy}>
          Sign up
        </button>
      </form>
      <p>
        Have an account? <Link to="/">Sign in</Link>
      </p>
    </section>
  );
}
