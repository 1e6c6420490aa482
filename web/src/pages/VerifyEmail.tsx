import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { request } from '../api';
import { ErrorText, Field, useAction } from '../components/Form';
import { useSession, type Me } from '../session';

/**
 * The link in the sign-up mail. Signed in, the token alone verifies; signed out, the
 * account's password goes with it (without it the server treats the click as the real
 * owner claiming the address, which ends every session and removes the password).
 */
export function VerifyEmail() {
  const { me, setMe } = useSession();
  const token = useSearchParams()[0].get('token') ?? '';
  const [password, setPassword] = useState('');
  const [done, setDone] = useState(false);
  const { busy, error, onSubmit } = useAction();
  const submit = onSubmit(async () => {
    const { user } = await request<{ user: Me }>('/auth/verify-email', {
      method: 'POST',
      body: me ? { token } : { token, password },
      noRefresh: !me,
    });
    setDone(true);
    if (me) setMe(user);
  });
  if (done) return <p role="status">Your email is verified.{!me && ' You can sign in now.'}</p>;
  return (
    <section className="narrow">
      <h1>Verify your email</h1>
      <form onSubmit={submit}>
        {!me && (
          <Field label="Password">
            <input type="password" value={password} onChange={(e) => setPassword(e.target.value)} required />
          </Field>
        )}
        <ErrorText error={error} />
        <button type="submit" disabled={busy || !token}>
          Verify
        </button>
      </form>
    </section>
  );
}
