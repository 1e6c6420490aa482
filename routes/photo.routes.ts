import { Router } from 'express';
import { config } from '../config/index.js';
import { photoController } from '../controllers/photo.controller.js';
import { authenticate } from '../middlewares/auth.middleware.js';
import type { RateLimiters } from '../middlewares/rate-limit.middleware.js';
import { singleUpload } from '../middlewares/upload.middleware.js';
import { validate } from '../middlewares/validate.middleware.js';
import type { StorageProvider } from '../services/storage/storage.provider.js';
import * as rules from '../validators/photo.validators.js';
import { uploadArrived, uploadCheck } from '../middlewares/upload-check.middleware.js';

/** The caller's profile picture and gallery, under /users/me/photos. */
export function photoRoutes(storage: StorageProvider, limit: RateLimiters): Router {
  const router = Router();
  const photos = photoController(storage);
  // nginx's question before it reads a photo: room where it goes (its query's target), its length.
  router.get('/check', ...uploadCheck(limit, 'pictureCheck', 'photo'), validate(rules.uploadCheckRules), photos.check);
  router.use(authenticate);
  router.get('/', photos.list);
  router.post(
    '/',
    uploadArrived,
    limit.action('photo'),
    validate(rules.uploadRules),
    singleUpload('photo', config.uploads.maxBytes),
    photos.upload,
  );
  router.post('/uploads', limit.action('photo'), validate(rules.uploadTicketRules), photos.ticket);
  // Each confirm reads and decodes the upload: budgeted as uploads are (a ticket is reusable until it expires).
  router.post('/uploads/confirm', limit.action('photoConfirm'), validate(rules.confirmUploadRules), photos.confirm);
  router.put('/order', validate(rules.reorderRules), photos.reorder);
  router.delete('/:photoId', validate(rules.photoIdParam), photos.remove);
  return router;
}
