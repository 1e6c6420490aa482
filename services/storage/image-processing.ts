import sharp, { type Metadata } from 'sharp';
import { AppError } from '../../utils/app-error.js';
import { Semaphore } from '../../utils/semaphore.js';
import { IMAGE_TYPES } from '../../config/constants.js';

export type ImageType = (typeof IMAGE_TYPES)[number];

/** The sizes every picture is served in; all WebP, metadata (EXIF, GPS) stripped. */
export const VARIANTS = {
  thumb: { width: 160, height: 160, fit: 'cover' },
  card: { width: 480, height: 640, fit: 'cover' },
  full: { width: 1600, height: 1600, fit: 'inside' },
} as const;
export type VariantName = keyof typeof VARIANTS;

export interface ProcessedImage {
  variants: Record<VariantName, Buffer>;
  /** Of the full variant, after EXIF rotation. */
  width: number;
  height: number;
}

/** What the bytes are, by their magic numbers; the name and the declared type are never trusted. */
export function sniffImageType(bytes: Buffer): ImageType | null {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) {
    return 'image/png';
  }
  if (bytes.length >= 12 && bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WEBP') {
    return 'image/webp';
  }
  return null;
}

export const fileTooLarge = (maxBytes: number) =>
  new AppError('FILE_TOO_LARGE', `Files may be at most ${maxBytes} bytes`, { maxBytes });

export const imageTooLarge = (maxPixels: number) =>
  new AppError('IMAGE_TOO_LARGE', `Images may have at most ${maxPixels} pixels and one frame`, { maxPixels });

export const notAnImage = () =>
  new AppError('UNSUPPORTED_IMAGE_TYPE', `Upload a JPEG, PNG or WebP image (${IMAGE_TYPES.join(', ')})`);

// Decoding is CPU and memory heavy and runs on libuv's small thread pool (bcrypt shares it).
const decoding = new Semaphore(2);

/**
 * Checks and converts an upload: magic numbers first, then the header's dimensions
 * against maxPixels before anything is decoded (a tiny PNG can claim 20000x20000),
 * then a strict decode into the served sizes.
 */
export async function processImage(bytes: Buffer, maxPixels: number): Promise<ProcessedImage> {
  if (!sniffImageType(bytes)) throw notAnImage();
  return decoding.run(async () => {
    const options = { limitInputPixels: maxPixels, failOn: 'error' as const, sequentialRead: true };
    let meta: Metadata;
    try {
      // Reading the header decodes no pixels, so it runs without the limit that would hide the size.
      meta = await sharp(bytes, { limitInputPixels: false }).metadata();
    } catch {
      throw unreadable();
    }
    if (!meta.width || !meta.height) throw unreadable();
    if (meta.width * meta.height > maxPixels || (meta.pages ?? 1) > 1) {
      throw imageTooLarge(maxPixels);
    }
    try {
      // One decode, cloned per size; rotate() applies EXIF orientation before it is dropped.
      const base = sharp(bytes, options).rotate();
      const entries = await Promise.all(
        (Object.keys(VARIANTS) as VariantName[]).map(async (name) => {
          const v = VARIANTS[name];
          const out = await base
            .clone()
            .resize({ width: v.width, height: v.height, fit: v.fit, withoutEnlargement: v.fit === 'inside' })
            .webp({ quality: 80 })
            .toBuffer({ resolveWithObject: true });
          return [name, out] as const;
        }),
      );
      const variants = Object.fromEntries(entries.map(([name, out]) => [name, out.data])) as Record<VariantName, Buffer>;
      const full = entries.find(([name]) => name === 'full')![1].info;
      return { variants, width: full.width, height: full.height };
    } catch {
      throw unreadable();
    }
  });
}

const unreadable = () => new AppError('IMAGE_UNREADABLE', 'The image could not be decoded');
