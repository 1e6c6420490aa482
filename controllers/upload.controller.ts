import type { Request, Response } from 'express';
import { giveBackReading } from '../services/uploads/upload-admission.service.js';
import { errorMessage, logger } from '../utils/logger.js';

/**
 * GET /uploads/unread, asked by nginx (with the upload's headers and its id) when an upload its
 * check admitted finds no place left for its account or address: nothing of it was read, so
 * what the check took from the sender's day of reading goes back; nginx then answers the 429.
 * Asked by anyone else, it gives back nothing (nginx gives each request an id of its own).
 */
export async function giveBackUnread(req: Request, res: Response) {
  // Whatever becomes of it, nginx answers the upload's 429: a give-back lost is the take it was.
  if (req.auth) {
    await giveBackReading(req.id, req.auth.sub).catch((err: unknown) =>
      logger.warn('upload reading not given back', { requestId: req.id, error: errorMessage(err) }),
    );
  }
  res.status(204).end();
}
