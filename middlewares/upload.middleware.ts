import type { RequestHandler } from 'express';
import multer from 'multer';
import { fileTooLarge } from '../services/storage/image-processing.js';
import { AppError } from '../utils/app-error.js';

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
      next(new AppError(415, 'MULTIPART_REQUIRED', `Send the picture as multipart/form-data in the "${field}" field`));
      return;
    }
    parse(req, res, (err: unknown) => {
      if (err instanceof multer.MulterError) {
        if (err.code === 'LIMIT_FILE_SIZE') return next(fileTooLarge(maxBytes));
        return next(
          new AppError(400, 'INVALID_UPLOAD', `Send one file in the "${field}" field and nothing else`, { reason: err.code }),
        );
      }
      if (err) return next(new AppError(400, 'INVALID_UPLOAD', 'The multipart body could not be read'));
      if (!req.file) return next(new AppError(400, 'FILE_REQUIRED', `Send the picture in the "${field}" field`));
      next();
    });
  };
}
