import { z } from 'zod';
import { bool, defineArea, int } from '../env-rules.js';
import { MB } from '../../utils/units.js';

/** Where files go (local folder, S3 or Cloudinary), upload sizes, and how long media links live. */
export const storage = defineArea({
  vars: {
    STORAGE_PROVIDER: z.enum(['local', 's3', 'cloudinary']).default('local'),
    STORAGE_LOCAL_DIR: z.string().min(1).default('.data/media'),
    STORAGE_LOCAL_PRIVATE_DIR: z.string().min(1).optional(),
    UPLOAD_MAX_BYTES: int(10 * MB, 1024, 50 * MB),
    IMAGE_MAX_PIXELS: int(40_000_000, 10_000, 268_402_689),
    GALLERY_MAX_PHOTOS: int(6, 1, 30),
    DIRECT_UPLOAD_TTL_SECONDS: int(300, 30, 3600),
    MEDIA_LINK_TTL_SECONDS: int(900, 60, 86_400),
    S3_BUCKET: z.string().min(3).optional(),
    S3_REGION: z.string().min(1).optional(),
    S3_ENDPOINT: z.url().optional(),
    S3_FORCE_PATH_STYLE: bool(false),
    S3_PUBLIC_URL: z.url().optional(),
    CLOUDINARY_CLOUD_NAME: z.string().min(1).optional(),
    CLOUDINARY_API_KEY: z.string().min(1).optional(),
    CLOUDINARY_API_SECRET: z.string().min(1).optional(),
    CLOUDINARY_API_URL: z.url().default('https://api.cloudinary.com'),
  },
  check: (e) => {
    if (e.STORAGE_PROVIDER === 's3' && !e.S3_BUCKET) return ['S3_BUCKET: required when STORAGE_PROVIDER is s3'];
    if (e.STORAGE_PROVIDER !== 'cloudinary') return [];
    return (['CLOUDINARY_CLOUD_NAME', 'CLOUDINARY_API_KEY', 'CLOUDINARY_API_SECRET'] as const)
      .filter((key) => !e[key])
      .map((key) => `${key}: required when STORAGE_PROVIDER is cloudinary`);
  },
  settings: (e, { publicUrl, awsRegion }) => ({
    storage: {
      provider: e.STORAGE_PROVIDER,
      localDir: e.STORAGE_LOCAL_DIR,
      // Private objects (post and comment media) live outside the folder /media serves.
      localPrivateDir: e.STORAGE_LOCAL_PRIVATE_DIR ?? `${e.STORAGE_LOCAL_DIR.replace(/\/$/, '')}-private`,
      localBaseUrl: `${publicUrl}/media`,
      s3: {
        bucket: e.S3_BUCKET ?? '',
        region: e.S3_REGION ?? awsRegion,
        endpoint: e.S3_ENDPOINT,
        forcePathStyle: e.S3_FORCE_PATH_STYLE,
        publicBaseUrl: e.S3_PUBLIC_URL,
      },
      cloudinary: {
        cloudName: e.CLOUDINARY_CLOUD_NAME ?? '',
        apiKey: e.CLOUDINARY_API_KEY ?? '',
        apiSecret: e.CLOUDINARY_API_SECRET ?? '',
        apiUrl: e.CLOUDINARY_API_URL,
      },
      // Post and comment media are served only through signed links this long-lived.
      mediaLinkTtlSeconds: e.MEDIA_LINK_TTL_SECONDS,
    },
    uploads: {
      maxBytes: e.UPLOAD_MAX_BYTES,
      maxPixels: e.IMAGE_MAX_PIXELS,
      galleryMax: e.GALLERY_MAX_PHOTOS,
      directUploadTtlSeconds: e.DIRECT_UPLOAD_TTL_SECONDS,
    },
  }),
});
