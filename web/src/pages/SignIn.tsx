import { useState } from 'react';
import { Link } from 'react-router';
import { request } from '../api';
import { ErrorText, Field, useAction } from '../components/Form';
import { GoogleButton } from '../components/GoogleButton';
import { useSession, type Me } from '../session';

export function SignIn() {
  const { setMe } = useSession();
  const [identifier, setIdentifier] = useState('');
  const [password, setPassword] = useState('');
  const { busy, error, onSubmit } = useAction();
  const submit = onSubmit(async () => {
    const { user } = await request<{ user: Me }>('/auth/login', {
      method: 'POST',
      body: { identifier, password },
      noRefresh: true,
    });
    setMe(user);
  });
  return (
    <section className="narrow">
      <h1>Sign in</h1>
      <form onSubmit={submit}>
        <Field label="Email or username">
          <input value={identifier} onChange={(e) => setIdentifier(e.target.value)} autoComplete="username" required />
        </Field>
        <Field label="Password">
          <input
            type="password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            autoComplete="current-password"
            required
          />
        </Field>
        <ErrorText error={error} />
        <button type="submit" disabled={busy}>
          Sign in
        </button>
      </form>
      <GoogleButton />
      <p>
        New here? <Link to="/signup">Create an account</Link>
      </p>
    </section>
  );
}
