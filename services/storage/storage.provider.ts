import type { ProcessedImage, VariantName } from './image-processing.js';

export type StorageName = 'local' | 's3' | 'cloudinary';

/** Where a stored picture lives: the objects to delete with it and the URLs it is served from. */
export interface StoredImage {
  provider: StorageName;
  objects: string[];
  urls: Record<VariantName, string>;
  width: number;
  height: number;
}

/** What a client needs to upload straight to the provider (an HTML form POST, multipart). */
export interface DirectUploadTicket {
  provider: StorageName;
  key: string;
  url: string;
  fields: Record<string, string>;
  expiresAt: string;
}

export interface DirectUploadRequest {
  /** The caller's own folder: the ticket can only write under it. */
  key: string;
  contentType: string;
  maxBytes: number;
  expiresInSeconds: number;
}

/**
 * A confirmed direct upload: either raw bytes for our own image pipeline (S3), or an
 * image the provider checked and serves in all sizes itself (Cloudinary).
 */
export type ConfirmedUpload = { kind: 'bytes'; bytes: Buffer } | { kind: 'stored'; image: StoredImage };

/** One place pictures are kept: a local folder (default), S3 or Cloudinary. */
export interface StorageProvider {
  readonly name: StorageName;
  /** Stores the served sizes under `prefix`. */
  storeImage(prefix: string, image: ProcessedImage): Promise<StoredImage>;
  deleteObjects(objects: string[]): Promise<void>;
  /** Absent when the provider takes uploads only through the API (local). */
  createDirectUpload?(request: DirectUploadRequest): Promise<DirectUploadTicket>;
  /** Checks that a direct upload exists and is within limits; null when there is no such upload. */
  confirmDirectUpload?(key: string, limits: { maxBytes: number; maxPixels: number }): Promise<ConfirmedUpload | null>;
  /** Removes a direct upload that was refused or has been processed. */
  discardDirectUpload?(key: string): Promise<void>;
  /** Deletes direct uploads made before `before` and never confirmed; how many went. */
  sweepUnconfirmedUploads?(before: Date): Promise<number>;
  /** Private objects: post uploads and media, comment images. */
  readonly files: FileStore;
}

/**
 * Private objects by key (post uploads, post and comment media), streamed from and to
 * local files (videos do not fit in memory). Nothing here is served at a public address:
 * clients reach an object only through a signed media link, which the app answers from
 * `deliver`.
 */
export interface FileStore {
  put(key: string, file: string, contentType: string): Promise<void>;
  putBytes(key: string, bytes: Buffer, contentType: string): Promise<void>;
  /** Copies the object to a local file; false when there is no such object. */
  get(key: string, file: string): Promise<boolean>;
  /** A small object's bytes (a playlist); null when there is none. */
  read(key: string): Promise<Buffer | null>;
  /**
   * How to hand the object to a client for the next seconds: a local file, or a provider URL
   * signed that long; with `downloadAs`, as a download of that name (never shown inline).
   */
  deliver(key: string, expiresInSeconds: number, downloadAs?: string): Promise<{ file: string } | { redirect: string }>;
  /** The object's size in bytes; null when there is none. */
  size(key: string): Promise<number | null>;
  /** A ticket for a client to upload one private object straight to the provider; absent where uploads go through the API (local). */
  createUpload?(request: DirectUploadRequest): Promise<DirectUploadTicket>;
}

/** A Content-Disposition that downloads under `name`, safe for any characters in it (RFC 6266). */
export function attachmentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

export interface PrivateImage {
  objects: string[];
  keys: Record<VariantName, string>;
  width: number;
  height: number;
}

/** A processed picture kept as private objects, one per size. */
export async function storePrivateImage(files: FileStore, prefix: string, image: ProcessedImage): Promise<PrivateImage> {
  const keys = variantKeys(prefix);
  await Promise.all(
    (Object.keys(keys) as VariantName[]).map((name) => files.putBytes(keys[name], image.variants[name], 'image/webp')),
  );
  return { objects: Object.values(keys), keys, width: image.width, height: image.height };
}

export const IMMUTABLE = 'public, max-age=31536000, immutable';

/** The object key of each served size of a picture stored under `prefix`. */
export function variantKeys(prefix: string): Record<VariantName, string> {
  return { thumb: `${prefix}/thumb.webp`, card: `${prefix}/card.webp`, full: `${prefix}/full.webp` };
}

/** A picture kept as one object per size, each served from `baseUrl/key`. */
export function storedVariants(provider: StorageName, prefix: string, baseUrl: string, image: ProcessedImage): StoredImage {
  const keys = variantKeys(prefix);
  return {
    provider,
    objects: Object.values(keys),
    urls: { thumb: `${baseUrl}/${keys.thumb}`, card: `${baseUrl}/${keys.card}`, full: `${baseUrl}/${keys.full}` },
    width: image.width,
    height: image.height,
  };
}
