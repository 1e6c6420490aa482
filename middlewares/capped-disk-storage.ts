import type { Request } from 'express';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs';
import path from 'node:path';
import { pipeline, Transform } from 'node:stream';
import type multer from 'multer';
import type { AppError } from '../utils/app-error.js';

/** How far one file may be read, and the answer once it goes past. */
export interface FileCap {
  maxBytes: number;
  pastIt: AppError;
}

/**
 * Multer's disk storage with a cap decided per file when it starts (from the fields sent before
 * it, and what earlier middleware found): nothing past its first byte over the cap is written,
 * whatever the parser's outer limit (multer then reads and drops the rest of the body before
 * the answer, to spare the client an EPIPE). `capOf` may throw an AppError to refuse the file
 * at its first byte. A file cut off leaves nothing on disk.
 */
export function cappedDiskStorage(dir: string, capOf: (req: Request) => FileCap): multer.StorageEngine {
  return {
    _handleFile(req, file, done) {
      let cap: FileCap;
      try {
        cap = capOf(req);
      } catch (err) {
        done(err as Error);
        return;
      }
      const filename = randomBytes(16).toString('hex');
      const filePath = path.join(dir, filename);
      let size = 0;
      const counted = new Transform({
        transform(chunk: Buffer, _encoding, next) {
          size += chunk.length;
          next(size > cap.maxBytes ? cap.pastIt : null, chunk);
        },
      });
      // Callbacks, not promises: a failed removal must not become an unhandled rejection.
      pipeline(file.stream, counted, createWriteStream(filePath), (err) => {
        if (!err) done(null, { destination: dir, filename, path: filePath, size });
        else rm(filePath, { force: true }, () => done(err));
      });
    },
    _removeFile(_req, file, done) {
      rm(file.path, { force: true }, (err) => done(err));
    },
  };
}
