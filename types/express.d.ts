import type { Logger } from 'winston';
import type { PastAccountFailures } from '../services/auth/auth.service.js';
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
    /** What one middleware leaves a later handler of the same request. */
    interface Locals {
      /** The password line's share lets this sign-in take the kept lane (middlewares/password-line-share.ts). */
      mayTakeKeptLane?: boolean;
      /** Past its account's failures (middlewares/rate-limit.middleware.ts loginPerAccount). */
      pastAccountFailures?: PastAccountFailures;
      /** The day's attachment bytes left, found before the upload is read (attachment.controller mayUpload). */
      chatBytesLeft?: number;
      /** A refusal's JSON goes in a header too: nginx asked (middlewares/error.middleware.ts errorsInHeaders). */
      errorInHeaders?: boolean;
    }
  }
}

export {};
