import express, { Router } from 'express';
import { param, query } from 'express-validator';
import { openLink } from '../controllers/media.controller.js';
import { validate } from '../middlewares/validate.middleware.js';
import type { StorageProvider } from '../services/storage/storage.provider.js';

/** Signed links to private media (posts, comments), whatever the provider: /media/s/<key>?e=&s=. */
export function mediaLinkRoutes(storage: StorageProvider): Router {
  const router = Router();
  router.get(
    '/*key',
    validate([
      param('key').isArray({ min: 1, max: 12 }).withMessage('is not a media key'),
      query('e').isInt({ min: 0, max: 99_999_999_999 }).withMessage('is not an expiry').toInt(),
      query('s')
        .isString()
        .matches(/^[A-Za-z0-9_-]{32}$/)
        .withMessage('is not a signature'),
    ]),
    openLink(storage),
  );
  return router;
}

/**
 * Pictures of the local storage provider. Names are random and never rewritten, so
 * they cache for a year; nosniff (helmet) keeps browsers from guessing other types.
 */
export function mediaRoutes(root: string): Router {
  const router = Router();
  router.use(
    express.static(root, {
      immutable: true,
      maxAge: '365d',
      index: false,
      dotfiles: 'deny',
      fallthrough: true,
      setHeaders: (res) => res.setHeader('Content-Security-Policy', "default-src 'none'"),
    }),
  );
  return router;
}
