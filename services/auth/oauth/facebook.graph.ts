import { createHmac } from 'node:crypto';
import { invalidProviderToken, providerUnavailable } from './id-token.verifier.js';

export interface GraphSettings {
  appId: string;
  appSecret: string;
  graphUrl: string;
  timeoutMs: number;
}

interface DebugToken {
  data?: { app_id?: string; is_valid?: boolean; user_id?: string; expires_at?: number; type?: string };
}

interface GraphUser {
  id?: string;
  email?: string;
  first_name?: string;
  last_name?: string;
}

async function graphGet<T>(settings: GraphSettings, path: string, params: Record<string, string>): Promise<T> {
  const url = new URL(`${settings.graphUrl}/${path}`);
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(settings.timeoutMs) });
  } catch {
    throw providerUnavailable();
  }
  if (res.status >= 500) throw providerUnavailable();
  const body = (await res.json().catch(() => null)) as T | null;
  if (!res.ok || !body) throw invalidProviderToken('rejected');
  return body;
}

/**
 * A Facebook user access token, checked the way Facebook asks servers to: debug_token with
 * our app's credentials says whether it is valid and was issued to our app (a token from
 * another app is refused), then /me (with appsecret_proof) gives the profile.
 */
export async function facebookProfile(settings: GraphSettings, accessToken: string) {
  const appToken = `${settings.appId}|${settings.appSecret}`;
  const { data } = await graphGet<DebugToken>(settings, 'debug_token', { input_token: accessToken, access_token: appToken });
  if (!data?.is_valid || !data.user_id) throw invalidProviderToken('rejected');
  if (data.app_id !== settings.appId) throw invalidProviderToken('audience');
  if (data.expires_at && data.expires_at * 1000 <= Date.now()) throw invalidProviderToken('expired');
  const proof = createHmac('sha256', settings.appSecret).update(accessToken).digest('hex');
  const me = await graphGet<GraphUser>(settings, 'me', {
    fields: 'id,email,first_name,last_name',
    access_token: accessToken,
    appsecret_proof: proof,
  });
  if (me.id !== data.user_id) throw invalidProviderToken('subject');
  return me;
}
