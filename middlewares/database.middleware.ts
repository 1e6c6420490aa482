import type { RequestHandler } from 'express';
import { isDatabaseConnected } from '../services/database.service.js';
import { AppError } from '../utils/app-error.js';

/** While the database is unreachable, API calls fail at once instead of waiting on the driver. */
export const requireDatabase: RequestHandler = (_req, res, next) => {
  if (isDatabaseConnected()) return next();
  res.setHeader('Retry-After', '5');
  throw new AppError('DATABASE_UNAVAILABLE', 'The service is temporarily unavailable');
};
