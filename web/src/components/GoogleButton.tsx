import { useEffect, useRef, useState } from 'react';
import { useNavigate } from 'react-router';
import { get, messageOf, request } from '../api';
import { useSession, type Me } from '../session';
import { loadScript } from '../lib/load-script';
import { ErrorText } from './Form';

interface GoogleIdentity {
  accounts: {
    id: {
      initialize(options: { client_id: string; nonce: string; callback: (r: { credential: string }) => void }): void;
      renderButton(parent: HTMLElement, options: Record<string, string>): void;
    };
  };
}

export interface ProfileRequired {
  status: 'profile_required';
  signupToken: string;
  missing: string[];
  profile: { firstName?: string; lastName?: string; email?: string };
}

const randomNonce = () => btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(24)))).replace(/[+/=]/g, '');

/**
 * "Sign in with Google" through Google Identity Services, shown only when the server has a
 * web client id. The ID token (bound to a fresh nonce) goes to POST /auth/oauth/google: a
 * known account is signed in; a new person finishes the profile on /oauth/complete.
 */
export function GoogleButton() {
  const { setMe } = useSession();
  const navigate = useNavigate();
  const holder = useRef<HTMLDivElement>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let cancelled = false;
    void (async () => {
      const { google } = await get<{ google: { clientId: string } | null }>('/auth/oauth/providers');
      if (!google || cancelled) return;
      await loadScript('https://accounts.google.com/gsi/client');
      const gsi = (window as unknown as { google?: GoogleIdentity }).google;
      if (!gsi || cancelled || !holder.current) return;
      const nonce = randomNonce();
      gsi.accounts.id.initialize({
        client_id: google.clientId,
        nonce,
        callback: ({ credential }) =>
          void request<{ status: 'signed_in'; user: Me } | ProfileRequired>('/auth/oauth/google', {
            method: 'POST',
            body: { idToken: credential, nonce },
            noRefresh: true,
          })
            .then((result) =>
              result.status === 'signed_in' ? setMe(result.user) : navigate('/oauth/complete', { state: result }),
            )
            .catch((err: unknown) => setError(messageOf(err))),
      });
      gsi.accounts.id.renderButton(holder.current, { type: 'standard', text: 'signin_with' });
    })().catch((err: unknown) => setError(messageOf(err)));
    return () => {
      cancelled = true;
    };
  }, [navigate, setMe]);
  return (
    <div className="google">
      <div ref={holder} data-testid="google-button" />
      <ErrorText error={error} />
    </div>
  );
}
