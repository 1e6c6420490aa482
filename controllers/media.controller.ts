import type { Request, RequestHandler, Response } from 'express';
import { openMediaLink } from '../services/posts/media-delivery.service.js';
import { attachmentDisposition, type StorageProvider } from '../services/storage/storage.provider.js';
import { mediaLinkRules } from '../validators/media.validators.js';
import { inputOf } from './caller.js';

/** GET /media/s/<key>?e=&s=: a signed link to private media, served or redirected. */
export const openLink =
  (storage: StorageProvider): RequestHandler =>
  async (req: Request, res: Response) => {
    const { key, e, s, v } = inputOf(req, mediaLinkRules);
    const media = await openMediaLink(storage, key.join('/'), e, s, v);
    // Only the holder of the link: never a shared cache, and no longer than the link lives.
    res.set('Cache-Control', `private, max-age=${media.maxAge}`);
    if (media.kind === 'playlist') res.type('application/vnd.apple.mpegurl').send(media.body);
    else if (media.kind === 'redirect') res.redirect(302, media.url);
    else {
      // A chat file is only ever downloaded, never shown in the app's origin.
      if (media.downloadAs) res.set('Content-Disposition', attachmentDisposition(media.downloadAs));
      res.sendFile(media.file, { dotfiles: 'deny', headers: { 'Content-Security-Policy': "default-src 'none'; sandbox" } });
    }
  };
