import type { Logger } from 'winston';
import type { AccessClaims } from '../utils/jwt.js';

declare global {
  namespace Express {
    interface Request {
      /** X-Request-Id, accepted from the proxy or generated. */
      id: string;
      log: Logger;
      /** Set by authenticate: who is calling and how the token arrived. */
      auth?: AccessClaims & { via: 'cookie' | 'bearer' };
      /** Validated input (express-validator's matchedData); never req.query itself. */
      input: Record<string, unknown>;
    }
  }
}

export {};
