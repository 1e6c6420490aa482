import type { Request, Response } from 'express';
import {
  addPhoto,
  confirmUpload,
  createUploadTicket,
  deletePhoto,
  listPhotos,
  reorderGallery,
  type PhotoTarget,
} from '../services/people/photo.service.js';
import type { StorageProvider } from '../services/storage/storage.provider.js';
import { callerId } from './caller.js';

const target = (value: unknown): PhotoTarget => (value === 'avatar' ? 'avatar' : 'gallery');

/** Handlers bound to the storage the app was built with. */
export function photoController(storage: StorageProvider) {
  return {
    async list(req: Request, res: Response) {
      res.json({ photos: await listPhotos(callerId(req)) });
    },
    async upload(req: Request, res: Response) {
      res.status(201).json(await addPhoto(storage, callerId(req), req.file!.buffer, target(req.input.target)));
    },
    async ticket(req: Request, res: Response) {
      const { contentType, size } = req.input as { contentType: string; size: number };
      res.status(201).json({ upload: await createUploadTicket(storage, callerId(req), { contentType, size }) });
    },
    async confirm(req: Request, res: Response) {
      res.status(201).json(await confirmUpload(storage, callerId(req), req.input.key as string, target(req.input.target)));
    },
    async reorder(req: Request, res: Response) {
      res.json({ photos: await reorderGallery(callerId(req), req.input.photoIds as string[]) });
    },
    async remove(req: Request, res: Response) {
      res.json({ photos: await deletePhoto(storage, callerId(req), req.input.photoId as string) });
    },
  };
}
