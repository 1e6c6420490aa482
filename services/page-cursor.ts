import { Types } from 'mongoose';
import { config } from '../config/index.js';
import { AppError } from '../utils/app-error.js';
import { CursorSeal } from '../utils/cursor-seal.js';

const seal = new CursorSeal(config.auth.jwtSecret, config.auth.jwtAcceptedSecrets);

const invalidCursor = () => new AppError('INVALID_CURSOR', 'This cursor did not come from a previous page');

/**
 * Cursors of pages whose position must stay private (a ranking score, the id of a post the
 * viewer may not see): sealed, so clients can only hand them back.
 */
export function sealCursor(purpose: string, position: unknown): string {
  return seal.seal(purpose, position);
}

/** The position of a sealed cursor, checked by `valid`; anything else is a 400 INVALID_CURSOR. */
export function openCursor<T>(purpose: string, cursor: string, valid: (position: unknown) => position is T): T {
  const position = seal.open(purpose, cursor);
  if (!valid(position)) throw invalidCursor();
  return position;
}

export const isObjectIdString = (v: unknown): v is string => typeof v === 'string' && /^[a-f0-9]{24}$/.test(v);

/** A page of rows newest first by _id, as every id-cursor list pages. */
export interface IdPage {
  limit: number;
  /** The last _id of the previous page. */
  cursor?: string;
}

/** The filter part of the next page: rows older than the cursor (none when it is the first page). */
export const olderThan = (cursor: string | undefined): { _id?: { $lt: Types.ObjectId } } =>
  cursor ? { _id: { $lt: new Types.ObjectId(cursor) } } : {};

/** The cursor of the page after `rows`: their last _id when the page is full, else null (the end). */
export const nextCursorOf = (rows: { _id: unknown }[], limit: number): string | null =>
  rows.length === limit ? String(rows.at(-1)!._id) : null;

/**
 * As nextCursorOf, sealed: for lists that read rows the viewer is not shown (a blocked
 * person's like, a hidden comment), whose ids a plain cursor would hand out.
 */
export const sealedNextCursorOf = (purpose: string, rows: { _id: unknown }[], limit: number): string | null =>
  rows.length === limit ? sealCursor(purpose, String(rows.at(-1)!._id)) : null;

/** The _id a sealed id cursor holds (undefined on a first page). */
export const openIdCursor = (purpose: string, cursor: string | undefined): string | undefined =>
  cursor ? openCursor(purpose, cursor, isObjectIdString) : undefined;
