import type { Request, Response } from 'express';
import {
  addPhoto,
  admitPhotoUpload,
  confirmUpload,
  createUploadTicket,
  deletePhoto,
  listPhotos,
  reorderGallery,
  type PhotoTarget,
} from '../services/people/photo.service.js';
import type { StorageProvider } from '../services/storage/storage.provider.js';
import { callerId, inputOf } from './caller.js';
import * as rules from '../validators/photo.validators.js';

const target = (value: PhotoTarget | undefined): PhotoTarget => value ?? 'gallery';

/** Handlers bound to the storage the app was built with. */
export function photoController(storage: StorageProvider) {
  return {
    async list(req: Request, res: Response) {
      res.json({ photos: await listPhotos(callerId(req)) });
    },
    async upload(req: Request, res: Response) {
      res
        .status(201)
        .json(await addPhoto(storage, callerId(req), req.file!.buffer, target(inputOf(req, rules.uploadRules).target)));
    },
    /** GET /users/me/photos/check, nginx's question before it reads a photo: room where it goes, its length; 204 and nginx reads it. */
    async check(req: Request, res: Response) {
      const { target: to, 'x-upload-length': declared } = inputOf(req, rules.uploadCheckRules);
      await admitPhotoUpload(callerId(req), target(to), { length: declared, requestId: req.id });
      res.status(204).end();
    },
    async ticket(req: Request, res: Response) {
      const { contentType, size } = inputOf(req, rules.uploadTicketRules);
      res.status(201).json({ upload: await createUploadTicket(storage, callerId(req), { contentType, size }) });
    },
    async confirm(req: Request, res: Response) {
      const { key, target: to } = inputOf(req, rules.confirmUploadRules);
      res.status(201).json(await confirmUpload(storage, callerId(req), key, target(to)));
    },
    async reorder(req: Request, res: Response) {
      res.json({ photos: await reorderGallery(callerId(req), inputOf(req, rules.reorderRules).photoIds) });
    },
    async remove(req: Request, res: Response) {
      res.json({ photos: await deletePhoto(storage, callerId(req), inputOf(req, rules.photoIdParam).photoId) });
    },
  };
}
