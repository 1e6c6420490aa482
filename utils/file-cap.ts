import type { AppError } from './app-error.js';

/** How far one uploaded file may be read, and the answer once it goes past (middlewares/capped-disk-storage.ts). */
export interface FileCap {
  maxBytes: number;
  pastIt: AppError;
  /** What its first bytes must be (its type, read from them): the answer when they are not, once `bytes` are in (or the file ends). */
  head?: { bytes: number; fits: (head: Buffer) => boolean; notIt: AppError };
}
