import type { Request, RequestHandler, Response } from 'express';
import { mkdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import multer from 'multer';
import { fileTooLarge } from '../services/storage/image-processing.js';
import { AppError } from '../utils/app-error.js';
import { cappedDiskStorage } from './capped-disk-storage.js';
import type { FileCap } from '../utils/file-cap.js';

/**
 * One file from a multipart form, kept in memory (it is at most maxBytes) for the
 * image pipeline. Limits refuse extra files, fields and parts before they are read.
 */
export function singleUpload(field: string, maxBytes: number): RequestHandler {
  const parse = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: maxBytes, files: 1, fields: 0, parts: 1, headerPairs: 20 },
  }).single(field);
  return (req, res, next) => {
    if (!req.is('multipart/form-data')) {
      next(new AppError('MULTIPART_REQUIRED', `Send the picture as multipart/form-data in the "${field}" field`));
      return;
    }
    parse(req, res, (err: unknown) => {
      if (err instanceof multer.MulterError) {
        if (err.code === 'LIMIT_FILE_SIZE') return next(fileTooLarge(maxBytes));
        return next(
          new AppError('INVALID_UPLOAD', `Send one file in the "${field}" field and nothing else`, { reason: err.code }),
        );
      }
      if (err) return next(new AppError('INVALID_UPLOAD', 'The multipart body could not be read'));
      if (!req.file) return next(new AppError('FILE_REQUIRED', `Send the picture in the "${field}" field`));
      next();
    });
  };
}

/**
 * A post's files (up to maxFiles in the "media" field) and its text fields. Files go to a
 * temporary folder, not memory (a video can be hundreds of megabytes); the service moves
 * them to storage and removes them.
 */
export function postUpload(maxFiles: number, maxBytes: number): RequestHandler {
  return diskUpload('media', maxFiles, maxBytes, 'the post');
}

/** The cap of a request's file (services decide it: a kind's size, the day's room); may throw to refuse it. */
export type FileCapOf = (req: Request, res: Response) => FileCap;

/**
 * A chat attachment: one file in the "file" field (to disk: a video can be large), with its
 * kind and name sent before it; read no further than `capOf` says (its kind's size, or the
 * uploader's room left today when that is less), whatever the largest kind allows.
 */
export function attachmentUpload(maxBytes: number, capOf: FileCapOf): RequestHandler {
  return diskUpload('file', 1, maxBytes, 'the attachment', capOf);
}

function diskUpload(field: string, maxFiles: number, maxBytes: number, what: string, capOf?: FileCapOf): RequestHandler {
  const dir = path.join(tmpdir(), 'devtinder-uploads');
  mkdirSync(dir, { recursive: true });
  const limits = { fileSize: maxBytes, files: maxFiles, fields: 10, fieldSize: 16 * 1024, parts: maxFiles + 10, headerPairs: 20 };
  const parse = multer({ dest: dir, limits }).array(field, maxFiles);
  // A capped parser holds its request (the cap reads it), so it is made per request.
  const cappedParser = (req: Request, res: Response) =>
    multer({ storage: cappedDiskStorage(dir, () => capOf!(req, res)), limits }).array(field, maxFiles);
  return (req, res, next) => {
    if (!req.is('multipart/form-data')) {
      next(new AppError('MULTIPART_REQUIRED', `Send ${what} as multipart/form-data with files in the "${field}" field`));
      return;
    }
    (capOf ? cappedParser(req, res) : parse)(req, res, (err: unknown) => {
      // A cap's answer (too large for its kind, past the day's room, no kind before the file).
      if (err instanceof AppError) return next(err);
      if (err instanceof multer.MulterError) {
        if (err.code === 'LIMIT_FILE_SIZE') return next(fileTooLarge(maxBytes));
        if (err.code === 'LIMIT_FILE_COUNT' || err.code === 'LIMIT_UNEXPECTED_FILE') {
          return next(
            new AppError('TOO_MANY_MEDIA', `Send one to ${maxFiles} files in the "${field}" field`, { reason: err.code }),
          );
        }
        return next(new AppError('INVALID_UPLOAD', 'The multipart body could not be read', { reason: err.code }));
      }
      if (err) return next(new AppError('INVALID_UPLOAD', 'The multipart body could not be read'));
      // Whatever happens next (a 400 from validation, an error), the temporary files go.
      const files = (req.files as Express.Multer.File[] | undefined) ?? [];
      res.on('close', () => void Promise.all(files.map((f) => rm(f.path, { force: true }))));
      next();
    });
  };
}

/** An optional picture with a JSON-like text form (a comment with an image); plain JSON passes through. */
export function optionalImageUpload(field: string, maxBytes: number): RequestHandler {
  const parse = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: maxBytes, files: 1, fields: 5, fieldSize: 16 * 1024, parts: 6, headerPairs: 20 },
  }).single(field);
  return (req, res, next) => {
    if (!req.is('multipart/form-data')) return next();
    parse(req, res, (err: unknown) => {
      if (err instanceof multer.MulterError) {
        if (err.code === 'LIMIT_FILE_SIZE') return next(fileTooLarge(maxBytes));
        return next(new AppError('INVALID_UPLOAD', `Send at most one picture in the "${field}" field`, { reason: err.code }));
      }
      if (err) return next(new AppError('INVALID_UPLOAD', 'The multipart body could not be read'));
      next();
    });
  };
}
