import express, { Router } from 'express';
import { openLink } from '../controllers/media.controller.js';
import { validate } from '../middlewares/validate.middleware.js';
import { mediaLinkRules } from '../validators/media.validators.js';
import type { StorageProvider } from '../services/storage/storage.provider.js';

/** Signed links to private media (posts, comments), whatever the provider: /media/s/<key>?e=&s=. */
export function mediaLinkRoutes(storage: StorageProvider): Router {
  const router = Router();
  router.get('/*key', validate(mediaLinkRules), openLink(storage));
  return router;
}

/**
 * Pictures of the local storage provider. Names are random and never rewritten, so
 * they cache for a year; nosniff (helmet) keeps browsers from guessing other types.
 */
export function mediaRoutes(root: string): Router {
  const router = Router();
  // No fall-through: what send refuses is the answer (a missing file 404 NOT_FOUND; a Range
  // past the end 416 with the size, which players read), not "no such route". Only GET and
  // HEAD reach it; other methods have no route here.
  const files = express.static(root, {
    immutable: true,
    maxAge: '365d',
    index: false,
    dotfiles: 'deny',
    fallthrough: false,
    setHeaders: (res) => res.setHeader('Content-Security-Policy', "default-src 'none'"),
  });
  router.use((req, res, next) => (req.method === 'GET' || req.method === 'HEAD' ? files(req, res, next) : next()));
  return router;
}
