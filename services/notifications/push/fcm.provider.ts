import jwt from 'jsonwebtoken';
import type { ServiceAccount } from '../../../config/areas/push.js';
import type { PushMessage, PushOutcome } from './push-message.js';

const SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';

/**
 * Firebase Cloud Messaging, HTTP v1: an OAuth 2.0 access token from the service account (a
 * JWT signed with its key, exchanged at its token_uri, kept until shortly before it expires),
 * then one messages:send per device token. A token FCM calls unregistered (404, UNREGISTERED)
 * is gone; a refused access token is fetched again once.
 */
export class FcmSender {
  private token: { value: string; until: number } | null = null;

  constructor(
    private readonly account: ServiceAccount,
    private readonly apiUrl: string,
    private readonly timeoutMs: number,
  ) {}

  private async accessToken(): Promise<string> {
    if (this.token && this.token.until > Date.now()) return this.token.value;
    const assertion = jwt.sign({ scope: SCOPE }, this.account.private_key, {
      algorithm: 'RS256',
      issuer: this.account.client_email,
      audience: this.account.token_uri,
      expiresIn: 3600,
    });
    const res = await fetch(this.account.token_uri, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const body = (await res.json().catch(() => ({}))) as { access_token?: string; expires_in?: number };
    if (!res.ok || !body.access_token) throw new Error(`FCM token endpoint answered ${res.status}`);
    // Renewed a minute early, so a token never expires on its way.
    this.token = { value: body.access_token, until: Date.now() + ((body.expires_in ?? 3600) - 60) * 1000 };
    return this.token.value;
  }

  async send(deviceToken: string, message: PushMessage, retried = false): Promise<PushOutcome> {
    const res = await fetch(`${this.apiUrl}/v1/projects/${encodeURIComponent(this.account.project_id)}/messages:send`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await this.accessToken()}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        message: { token: deviceToken, notification: { title: message.title, body: message.body }, data: message.data },
      }),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    if (res.ok) {
      await res.arrayBuffer();
      return 'sent';
    }
    const body = (await res.json().catch(() => ({}))) as { error?: { details?: { errorCode?: string }[] } };
    const code = body.error?.details?.find((d) => d.errorCode)?.errorCode;
    // Only FCM's word that the token is unregistered removes it: a bare 404 may be our own
    // misconfiguration (a wrong project), which must not wipe every device.
    if (code === 'UNREGISTERED') return 'gone';
    if (res.status === 401 && !retried) {
      this.token = null;
      return this.send(deviceToken, message, true);
    }
    return 'failed';
  }
}
