import type { Request, Response } from 'express';
import { giveBackReading } from '../services/storage/upload-admission.js';

/**
 * GET /uploads/unread, asked by nginx (with the upload's headers and its id) when an upload its
 * check admitted finds no place left for its account or address: nothing of it was read, so
 * what the check took from the sender's day of reading goes back; nginx then answers the 429.
 * Asked by anyone else, it gives back nothing (nginx gives each request an id of its own).
 */
export async function giveBackUnread(req: Request, res: Response) {
  if (req.auth) await giveBackReading(req.id, req.auth.sub);
  res.status(204).end();
}
