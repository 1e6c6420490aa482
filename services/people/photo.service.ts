import { randomBytes } from 'node:crypto';
import { config } from '../../config/index.js';
import { User } from '../../models/user.model.js';
import { AppError, notFound } from '../../utils/app-error.js';
import { errorMessage, logger } from '../../utils/logger.js';
import { admitPictureLength, type DeclaredUpload } from '../uploads/upload-admission.service.js';
import { fileTooLarge, processImage } from '../storage/image-processing.js';
import type { DirectUploadTicket, StorageProvider, StoredImage } from '../storage/storage.provider.js';

export type PhotoTarget = 'avatar' | 'gallery';

interface StoredPhoto extends StoredImage {
  id: string;
  createdAt: Date;
}

/** A picture as clients see it: never the storage keys. */
export interface PhotoView {
  id: string;
  urls: StoredImage['urls'];
  width: number;
  height: number;
  createdAt: Date;
}

export interface Photos {
  avatar: PhotoView | null;
  gallery: PhotoView[];
}

export const photoView = (p: StoredPhoto): PhotoView => ({
  id: p.id,
  urls: { thumb: p.urls.thumb, card: p.urls.card, full: p.urls.full },
  width: p.width,
  height: p.height,
  createdAt: p.createdAt,
});

export type PhotoState = { avatar?: StoredPhoto | null; gallery?: StoredPhoto[]; photosVersion?: number };

export const photosOf = (user: PhotoState): Photos => ({
  avatar: user.avatar ? photoView(user.avatar) : null,
  gallery: (user.gallery ?? []).map(photoView),
});

const readState = async (userId: string): Promise<PhotoState> => {
  // A deleted account has no pictures to change (an upload in flight when it went puts none back).
  const user = await User.findOne(
    { _id: userId, deletedAt: null },
    { avatar: 1, gallery: 1, photosVersion: 1 },
  ).lean<PhotoState>();
  if (!user) throw notFound('User');
  return user;
};

export async function listPhotos(userId: string): Promise<Photos> {
  return photosOf(await readState(userId));
}

const galleryFull = () =>
  new AppError('GALLERY_FULL', `A gallery holds at most ${config.uploads.galleryMax} photos`, {
    max: config.uploads.galleryMax,
  });

/**
 * Applies `change` to the user's pictures as one conditional write on photosVersion,
 * retried when another edit got in first: never read-decide-write without the guard.
 * Returns the new pictures and the photos the change dropped.
 */
async function changePhotos(
  userId: string,
  change: (state: Required<PhotoState>) => { avatar: StoredPhoto | null; gallery: StoredPhoto[] },
): Promise<{ photos: Photos; dropped: StoredPhoto[] }> {
  for (let attempt = 0; attempt < 8; attempt++) {
    const raw = await readState(userId);
    const state = { avatar: raw.avatar ?? null, gallery: raw.gallery ?? [], photosVersion: raw.photosVersion ?? 0 };
    const next = change(state);
    const kept = new Set([next.avatar, ...next.gallery].filter(Boolean).map((p) => p!.id));
    const dropped = [state.avatar, ...state.gallery].filter((p): p is StoredPhoto => Boolean(p) && !kept.has(p!.id));
    const res = await User.updateOne(
      { _id: userId, deletedAt: null, photosVersion: raw.photosVersion ?? { $exists: false } },
      next.avatar
        ? { $set: { avatar: next.avatar, gallery: next.gallery }, $inc: { photosVersion: 1 } }
        : { $set: { gallery: next.gallery }, $unset: { avatar: 1 }, $inc: { photosVersion: 1 } },
    );
    if (res.modifiedCount === 1) return { photos: photosOf(next), dropped };
  }
  throw new AppError('CONCURRENT_UPDATE', 'Your photos changed at the same time; try again');
}

/** Deleting objects never fails the request that replaced them; a failure is logged for clean-up. */
async function deleteStored(storage: StorageProvider, photos: StoredImage[]): Promise<void> {
  for (const photo of photos) {
    if (photo.provider !== storage.name) {
      logger.warn('photo objects left in a storage provider no longer configured', {
        provider: photo.provider,
        objects: photo.objects,
      });
      continue;
    }
    await storage.deleteObjects(photo.objects).catch((err: unknown) => {
      logger.error('deleting photo objects failed', {
        objects: photo.objects,
        error: errorMessage(err),
      });
    });
  }
}

/** Makes a stored picture the avatar (replacing the old one) or appends it to the gallery. */
async function attach(storage: StorageProvider, userId: string, image: StoredImage, target: PhotoTarget) {
  const photo: StoredPhoto = { ...image, id: randomBytes(12).toString('hex'), createdAt: new Date() };
  try {
    const { photos, dropped } = await changePhotos(userId, (state) => {
      const used = new Set([state.avatar, ...state.gallery].flatMap((p) => p?.objects ?? []));
      if (image.objects.some((o) => used.has(o))) throw new AppError('UPLOAD_ALREADY_USED', 'This upload is already a photo');
      if (target === 'avatar') return { avatar: photo, gallery: state.gallery };
      if (state.gallery.length >= config.uploads.galleryMax) throw galleryFull();
      return { avatar: state.avatar, gallery: [...state.gallery, photo] };
    });
    await deleteStored(storage, dropped);
    return { photo: photoView(photo), photos };
  } catch (err) {
    // Not attached: the objects just stored would be orphans. (A repeat of a used upload keeps them.)
    if (!(err instanceof AppError && err.code === 'UPLOAD_ALREADY_USED')) await deleteStored(storage, [image]);
    throw err;
  }
}

async function ensureRoom(userId: string, target: PhotoTarget): Promise<void> {
  if (target !== 'gallery') return;
  const state = await readState(userId);
  if ((state.gallery?.length ?? 0) >= config.uploads.galleryMax) throw galleryFull();
}

/**
 * Before nginx reads a photo upload (GET /users/me/photos/check, asked with the upload's
 * headers and target): room in the gallery it goes to, and its length (admitPictureLength).
 */
export async function admitPhotoUpload(userId: string, target: PhotoTarget, upload: DeclaredUpload): Promise<void> {
  await ensureRoom(userId, target);
  await admitPictureLength(userId, upload);
}

const photoPrefix = (userId: string) => `users/${userId}/photos/${randomBytes(12).toString('hex')}`;

/** An upload through the API (multer): checked, resized and stored by us. */
export async function addPhoto(storage: StorageProvider, userId: string, bytes: Buffer, target: PhotoTarget) {
  await ensureRoom(userId, target);
  const image = await processImage(bytes, config.uploads.maxPixels);
  return attach(storage, userId, await storage.storeImage(photoPrefix(userId), image), target);
}

/** Direct uploads land under the caller's own folder; the key names nothing else. */
const uploadKeyPattern = (userId: string) => new RegExp(`^uploads/${userId}/[0-9a-f]{32}$`);

export async function createUploadTicket(
  storage: StorageProvider,
  userId: string,
  request: { contentType: string; size: number },
): Promise<DirectUploadTicket> {
  if (!storage.createDirectUpload) {
    throw new AppError('DIRECT_UPLOAD_UNAVAILABLE', `The ${storage.name} storage takes uploads at POST /users/me/photos`);
  }
  if (request.size > config.uploads.maxBytes) throw fileTooLarge(config.uploads.maxBytes);
  return storage.createDirectUpload({
    key: `uploads/${userId}/${randomBytes(16).toString('hex')}`,
    contentType: request.contentType,
    maxBytes: config.uploads.maxBytes,
    expiresInSeconds: config.uploads.directUploadTtlSeconds,
  });
}

/** Checks a direct upload and makes it a photo; a refused upload is deleted from storage. */
export async function confirmUpload(storage: StorageProvider, userId: string, key: string, target: PhotoTarget) {
  if (!storage.confirmDirectUpload || !uploadKeyPattern(userId).test(key)) {
    throw new AppError('UPLOAD_NOT_FOUND', 'No such upload of yours');
  }
  await ensureRoom(userId, target);
  const limits = { maxBytes: config.uploads.maxBytes, maxPixels: config.uploads.maxPixels };
  let image: StoredImage;
  try {
    const confirmed = await storage.confirmDirectUpload(key, limits);
    if (!confirmed) throw new AppError('UPLOAD_NOT_FOUND', 'No such upload of yours');
    if (confirmed.kind === 'stored') image = confirmed.image;
    else {
      const processed = await processImage(confirmed.bytes, limits.maxPixels);
      image = await storage.storeImage(photoPrefix(userId), processed);
      await storage.discardDirectUpload?.(key);
    }
  } catch (err) {
    if (err instanceof AppError && err.status !== 404) await storage.discardDirectUpload?.(key);
    throw err;
  }
  return attach(storage, userId, image, target);
}

export async function deletePhoto(storage: StorageProvider, userId: string, photoId: string): Promise<Photos> {
  const { photos, dropped } = await changePhotos(userId, (state) => {
    if (state.avatar?.id === photoId) return { avatar: null, gallery: state.gallery };
    if (!state.gallery.some((p) => p.id === photoId)) throw notFound('Photo');
    return { avatar: state.avatar, gallery: state.gallery.filter((p) => p.id !== photoId) };
  });
  await deleteStored(storage, dropped);
  return photos;
}

/** Reorders the gallery: `photoIds` must name each gallery photo exactly once. */
export async function reorderGallery(userId: string, photoIds: string[]): Promise<Photos> {
  const { photos } = await changePhotos(userId, (state) => {
    const byId = new Map(state.gallery.map((p) => [p.id, p]));
    if (photoIds.length !== byId.size || new Set(photoIds).size !== byId.size || !photoIds.every((id) => byId.has(id))) {
      throw new AppError('INVALID_ORDER', 'List every gallery photo id exactly once');
    }
    return { avatar: state.avatar, gallery: photoIds.map((id) => byId.get(id)!) };
  });
  return photos;
}
