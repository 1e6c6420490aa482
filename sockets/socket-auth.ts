import { parse as parseCookie } from 'cookie';
import type { ExtendedError } from 'socket.io';
import { ACCESS_COOKIE } from '../config/constants.js';
import { isSessionEnded } from '../services/session-revocations.js';
import type { AccessTokens } from '../utils/jwt.js';
import type { AppSocket } from './socket.types.js';

const refuse = (code: string, message: string): ExtendedError => Object.assign(new Error(message), { data: { code } });

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
    const claims = tokens.verify(token);
    if (!claims || isSessionEnded(claims.sid)) return next(refuse('INVALID_TOKEN', 'Access token is invalid or expired'));
    socket.data.user = claims;
    next();
  };
}
