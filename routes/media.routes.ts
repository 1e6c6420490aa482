import express, { Router } from 'express';

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
