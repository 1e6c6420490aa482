import { parse as parseCookie } from 'cookie';
import type { ExtendedError } from 'socket.io';
import { ACCESS_COOKIE } from '../config/constants.js';
import { isSessionEnded } from '../services/auth/session-revocations.js';
import { unauthorized } from '../utils/app-error.js';
import type { ErrorCode } from '../utils/error-codes.js';
import type { AccessClaims, AccessTokens } from '../utils/jwt.js';
import type { AppServer, AppSocket } from './socket.types.js';

export const refuse = (code: ErrorCode, message: string): ExtendedError => Object.assign(new Error(message), { data: { code } });

/** Claims of a token that works now: ours, unexpired, its session not ended. */
export function currentClaims(tokens: AccessTokens, token: unknown): AccessClaims | null {
  if (typeof token !== 'string' || token.length === 0) return null;
  const claims = tokens.verify(token);
  return claims && !isSessionEnded(claims.sid) ? claims : null;
}

/**
 * Handshake: the same access token as HTTP, from `auth.token` (apps) or the cookie (web).
 * Anything else ends in connect_error before a single event is read.
 */
export function socketAuth(tokens: AccessTokens) {
  return (socket: AppSocket, next: (err?: ExtendedError) => void) => {
    const auth = socket.handshake.auth as Record<string, unknown> | undefined;
    let token: unknown = auth?.token;
    if (token === undefined) {
      const header = socket.handshake.headers.cookie;
      token = header ? parseCookie(header)[ACCESS_COOKIE] : undefined;
    }
    if (typeof token !== 'string' || token.length === 0) return next(refuse('UNAUTHORIZED', 'Authentication required'));
    const claims = currentClaims(tokens, token);
    if (!claims) return next(refuse('INVALID_TOKEN', 'Access token is invalid or expired'));
    socket.data.user = claims;
    // The handshake is kept for the socket's life: the token (about 300 bytes) is not needed again.
    if (auth) delete auth.token;
    next();
  };
}

/**
 * A socket hands in its next access token before the current one expires (`auth:refresh`):
 * the same account only; from then on it belongs to the new token's session (ending that
 * session closes it).
 */
export function refreshSocketToken(socket: AppSocket, tokens: AccessTokens, token: string): { expiresAt: string } {
  const claims = currentClaims(tokens, token);
  if (!claims || claims.sub !== socket.data.user.sub) throw unauthorized('Access token is invalid or expired', 'INVALID_TOKEN');
  socket.data.user = claims;
  return { expiresAt: new Date(claims.exp! * 1000).toISOString() };
}

const EXPIRY_SWEEP_MS = 5_000;

/**
 * Sockets do not outlive their access token: one whose token has expired without an
 * `auth:refresh` hears `auth:expired` and is disconnected (the client reconnects with a
 * fresh token), and one of an ended session goes too. One sweep over this process's sockets,
 * not a timer per socket.
 */
export function watchTokenExpiry(io: AppServer): () => void {
  const timer = setInterval(() => {
    const now = Date.now() / 1000;
    for (const socket of io.of('/').sockets.values()) {
      const user = socket.data.user;
      if (user?.exp !== undefined && user.exp <= now) {
        socket.emit('auth:expired', { reason: 'token_expired' });
        socket.disconnect(true);
      } else if (user && isSessionEnded(user.sid)) {
        // Its session ended while its handshake was still under way: past the check, not yet
        // listed when the session's sockets were closed.
        socket.disconnect(true);
      }
    }
  }, EXPIRY_SWEEP_MS);
  timer.unref();
  return () => clearInterval(timer);
}
