import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { Router, type RequestHandler } from 'express';
import type { Config } from '../config/index.js';
import { notFoundHandler } from '../middlewares/error.middleware.js';

// Paths the API, media and sockets own: a miss there stays a JSON 404, never the app's page
// (whatever its case, as Express matches those mounts).
const NOT_APP = /^\/(api|media|socket\.io|healthz|readyz|metrics)(\/|$)/i;

/** Origins of one URL, or none when it is unset or not a URL. */
function originOf(url: string | undefined): string[] {
  if (!url) return [];
  try {
    return [new URL(url).origin];
  } catch {
    return [];
  }
}

/**
 * The page's Content-Security-Policy: its own scripts only (plus Razorpay's checkout when real
 * keys are set, and Google's sign-in script when its button is on, as each documents), pictures
 * and videos from the storage in use, uploads straight to it.
 */
export function webContentSecurityPolicy(config: Pick<Config, 'storage' | 'payments' | 'oauth'>): string {
  const { storage } = config;
  const s3 = storage.s3;
  const media =
    storage.provider === 's3'
      ? [
          ...originOf(s3.publicBaseUrl),
          ...(s3.endpoint
            ? originOf(s3.forcePathStyle ? s3.endpoint : s3.endpoint.replace('://', `://${s3.bucket}.`))
            : [`https://${s3.bucket}.s3.${s3.region}.amazonaws.com`]),
        ]
      : storage.provider === 'cloudinary'
        ? ['https://res.cloudinary.com', ...originOf(storage.cloudinary.apiUrl)]
        : [];
  const src = {
    script: ["'self'"],
    // React and the charts set style attributes.
    style: ["'self'", "'unsafe-inline'"],
    img: ["'self'", 'data:', 'blob:', ...media],
    media: ["'self'", 'blob:', ...media],
    connect: ["'self'", ...media],
    frame: [] as string[],
  };
  if (config.payments.gateway === 'razorpay') {
    src.script.push('https://checkout.razorpay.com');
    src.connect.push('https://api.razorpay.com', 'https://lumberjack.razorpay.com');
    src.frame.push('https://api.razorpay.com', 'https://checkout.razorpay.com');
  }
  if (config.oauth.google.webClientId) {
    src.script.push('https://accounts.google.com/gsi/client');
    src.style.push('https://accounts.google.com/gsi/style');
    src.connect.push('https://accounts.google.com/gsi/');
    src.frame.push('https://accounts.google.com/gsi/');
  }
  return [
    "default-src 'self'",
    `script-src ${src.script.join(' ')}`,
    `style-src ${src.style.join(' ')}`,
    `img-src ${src.img.join(' ')}`,
    `media-src ${src.media.join(' ')}`,
    `connect-src ${src.connect.join(' ')}`,
    `frame-src ${src.frame.length ? src.frame.join(' ') : "'none'"}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    // hls.js plays reels from a worker it makes from a blob.
    "worker-src 'self' blob:",
  ].join('; ');
}

/**
 * The built web client (web/, `npm run build`), when its folder holds an index.html: hashed
 * assets cached for a year (a missing one is a 404), other top-level files (the service
 * worker) revalidated, and every other page path answered with index.html under the page's
 * policy, never cached, so a deploy is seen at the next load (the app routes itself).
 */
export function webAppRoutes(dir: string, contentSecurityPolicy: string): Router | null {
  const index = path.resolve(dir, 'index.html');
  if (!existsSync(index)) return null;
  const router = Router();
  const page: RequestHandler = (req, res, next) => {
    // "//media/x" is still a media path.
    if (NOT_APP.test(req.path.replace(/\/{2,}/g, '/')) || !req.accepts('html')) return next();
    res.setHeader('Content-Security-Policy', contentSecurityPolicy);
    // Google's sign-in and Razorpay's checkout open popups that talk back to the page.
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin-allow-popups');
    // The origin only, never a path (a /verify-email?token=… must not travel in a Referer).
    res.setHeader('Referrer-Policy', 'strict-origin');
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  };
  router.get('/index.html', page);
  router.use(
    '/assets',
    express.static(path.join(dir, 'assets'), { immutable: true, maxAge: '365d', index: false }),
    notFoundHandler,
  );
  router.use(express.static(dir, { index: false, maxAge: 0 }));
  router.get(/.*/, page);
  return router;
}
