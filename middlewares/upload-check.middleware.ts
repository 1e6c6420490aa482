import type { RequestHandler } from 'express';
import { config } from '../config/index.js';
import type { RateAction } from '../config/rate-rules.js';
import { forgetTake } from '../services/uploads/upload-admission.service.js';
import { authenticate } from './auth.middleware.js';
import { csrfProtection } from './csrf.middleware.js';
import { errorsInHeaders } from './error.middleware.js';
import type { RateLimiters } from './rate-limit.middleware.js';

/**
 * nginx's question before it reads an upload (nginx/devtinder.conf, auth_request), asked with
 * the upload's headers: its refusal's JSON goes in a header too. Refused when the upload would be
 * at its route: the Origin of a cookie's write, the write budget and the upload's own (`upload`),
 * read and not taken; counted on a budget of its own (`asked`: a refused question never reaches
 * the upload's count). The route's own checks follow.
 */
export const uploadCheck = (limit: RateLimiters, asked: RateAction, upload: RateAction): RequestHandler[] => [
  errorsInHeaders,
  authenticate,
  // Before any count: a page elsewhere that sends a visitor here with their cookie spends nothing of theirs.
  csrfProtection(config.corsOrigins, { asWrite: true }),
  limit.action(asked),
  limit.actionRoom('write'),
  limit.actionRoom(upload),
  nameTheUploader,
];

/** The account an admitted upload is counted for: nginx holds a few of each at once (devtinder_upload_accounts). */
const nameTheUploader: RequestHandler = (req, res, next) => {
  res.setHeader('X-Upload-Account', req.auth!.sub);
  next();
};

/**
 * On each route nginx asks about, before its limits: the upload reached the app, so nginx read
 * it, and what its check took from the sender's reading is never given back (GET /uploads/unread).
 */
export const uploadArrived: RequestHandler = async (req, _res, next) => {
  await forgetTake(req.id, req.auth!.sub);
  next();
};
