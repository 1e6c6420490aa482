/**
 * The one way the app talks HTTP to the API: same origin, cookies (HTTP-only, set by the
 * server), JSON in and out. An expired access cookie is renewed once through
 * /auth/refresh and the request retried; errors arrive as ApiError with the stable code.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export const API = '/api/v1';

type Query = Record<string, string | number | boolean | undefined | null>;

export interface RequestOptions {
  method?: string;
  body?: unknown;
  query?: Query;
  /** Skips the refresh-and-retry (the refresh call itself, sign-in). */
  noRefresh?: boolean;
}

function urlOf(path: string, query?: Query): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {}))
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  const search = params.toString();
  return `${API}${path}${search ? `?${search}` : ''}`;
}

/** 'renewed'; 'lost' (the server refused: signed out); 'unavailable' (network, 429, 5xx: try later, still signed in). */
export type Renewal = 'renewed' | 'lost' | 'unavailable';
const attempt = (path: string, method = 'GET'): Promise<Renewal> =>
  fetch(`${API}${path}`, { method, credentials: 'include' }).then(
    (res) => (res.ok ? 'renewed' : res.status === 401 ? 'lost' : 'unavailable'),
    () => 'unavailable',
  );

/**
 * Refresh tokens are single use: the same one shown twice ends the session. So one refresh
 * at a time across this browser's tabs (Web Locks), and a tab that waited first checks
 * whether another tab already renewed the shared cookies.
 */
async function refreshUnderLock(): Promise<Renewal> {
  const renew = () => attempt('/auth/refresh', 'POST');
  if (!navigator.locks) return renew();
  return navigator.locks.request('devtinder-refresh', async () =>
    (await attempt('/auth/me')) === 'renewed' ? 'renewed' : renew(),
  );
}

let refreshing: Promise<Renewal> | null = null;
/** One refresh at a time in this tab, however many requests found their token expired together. */
export function refreshSession(): Promise<Renewal> {
  refreshing ??= refreshUnderLock().finally(() => (refreshing = null));
  return refreshing;
}

const sessionListeners = new Set<() => void>();
/** Called when the server no longer knows this browser's session (refresh refused). */
export function onSessionLost(listener: () => void): () => void {
  sessionListeners.add(listener);
  return () => sessionListeners.delete(listener);
}

export const lostSession = () => sessionListeners.forEach((listener) => listener());

async function errorOf(res: Response): Promise<ApiError> {
  const body = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string; details?: unknown } } | null;
  return new ApiError(
    res.status,
    body?.error?.code ?? 'HTTP_' + res.status,
    body?.error?.message ?? res.statusText,
    body?.error?.details,
  );
}

export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const init: RequestInit = { method: options.method ?? 'GET', credentials: 'include', headers: {} };
  if (options.body instanceof FormData) init.body = options.body;
  else if (options.body !== undefined) {
    init.body = JSON.stringify(options.body);
    (init.headers as Record<string, string>)['Content-Type'] = 'application/json';
  }
  let res = await fetch(urlOf(path, options.query), init);
  if (res.status === 401 && !options.noRefresh) {
    const renewal = await refreshSession();
    if (renewal === 'renewed') res = await fetch(urlOf(path, options.query), init);
    else if (renewal === 'lost') lostSession();
  }
  if (!res.ok) throw await errorOf(res);
  if (res.status === 204) return undefined as T;
  const type = res.headers.get('content-type') ?? '';
  return (type.includes('json') ? await res.json() : await res.text()) as T;
}

export const get = <T>(path: string, query?: Query) => request<T>(path, { query });
export const post = <T>(path: string, body?: unknown) => request<T>(path, { method: 'POST', body });
export const patch = <T>(path: string, body?: unknown) => request<T>(path, { method: 'PATCH', body });
export const put = <T>(path: string, body?: unknown) => request<T>(path, { method: 'PUT', body });
export const del = <T>(path: string, body?: unknown) => request<T>(path, { method: 'DELETE', body });

/** A message fit to show for any error the app catches. */
export function messageOf(error: unknown): string {
  if (error instanceof ApiError) {
    const details = error.details as { errors?: { field?: string; message?: string }[] } | undefined;
    const fields = details?.errors?.map((e) => (e.field ? `${e.field}: ${e.message}` : e.message)).join('; ');
    return fields ? `${error.message} (${fields})` : error.message;
  }
  return error instanceof Error ? error.message : String(error);
}
