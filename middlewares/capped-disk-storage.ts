import type { Request } from 'express';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs';
import path from 'node:path';
import { pipeline, Transform } from 'node:stream';
import type multer from 'multer';
import type { FileCap } from '../utils/file-cap.js';

/**
 * Multer's disk storage with a cap decided per file when it starts (from the fields sent before
 * it, and what earlier middleware found): nothing past its first byte over the cap is written,
 * nor past its head when that is not what the file must be (a "video" of junk stops there),
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
      // The first bytes, until the head is checked (then nothing more is kept).
      let head: Buffer[] | null = cap.head ? [] : null;
      const headRefuses = () => {
        const whole = Buffer.concat(head!);
        head = null;
        return cap.head!.fits(whole.subarray(0, cap.head!.bytes)) ? null : cap.head!.notIt;
      };
      const counted = new Transform({
        transform(chunk: Buffer, _encoding, next) {
          size += chunk.length;
          if (size > cap.maxBytes) return next(cap.pastIt);
          if (head) {
            head.push(chunk);
            if (size >= cap.head!.bytes) return next(headRefuses(), chunk);
          }
          next(null, chunk);
        },
        flush(next) {
          next(head ? headRefuses() : null);
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
