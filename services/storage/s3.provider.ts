import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { fileTooLarge, type ProcessedImage, type VariantName } from './image-processing.js';
import {
  attachmentDisposition,
  IMMUTABLE,
  storedVariants,
  variantKeys,
  type ConfirmedUpload,
  type DirectUploadRequest,
  type DirectUploadTicket,
  type FileStore,
  type StorageProvider,
  type StoredImage,
} from './storage.provider.js';

// Private objects are fetched through presigned links: shared caches must not keep them.
const PRIVATE_CACHE = 'private, max-age=3600';

export interface S3Options {
  bucket: string;
  region: string;
  /** Only for S3-compatible servers (tests, MinIO); AWS needs none. */
  endpoint?: string;
  forcePathStyle?: boolean;
  /** Where objects are read from, e.g. a CloudFront domain; defaults to the bucket's URL. */
  publicBaseUrl?: string;
  /** Explicit keys for tests; production uses the SDK chain (the EC2 instance role). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/**
 * Amazon S3. Clients upload straight to the bucket with a presigned POST whose policy
 * pins the key, the content type and a size range; the server then processes the
 * upload like any other and deletes the original.
 */
export class S3StorageProvider implements StorageProvider {
  readonly name = 's3' as const;
  readonly client: S3Client;
  private readonly publicBaseUrl: string;

  constructor(private readonly options: S3Options) {
    this.client = new S3Client({
      region: options.region,
      endpoint: options.endpoint,
      forcePathStyle: options.forcePathStyle,
      credentials: options.credentials,
    });
    const base =
      options.publicBaseUrl ??
      (options.endpoint
        ? `${options.endpoint.replace(/\/$/, '')}/${options.bucket}`
        : `https://${options.bucket}.s3.${options.region}.amazonaws.com`);
    this.publicBaseUrl = base.replace(/\/$/, '');
  }

  /**
   * Private objects (no public-read: keep `private/*` out of any bucket policy or CloudFront
   * origin); clients get presigned GETs, each for one object and a few minutes.
   */
  readonly files: FileStore = {
    put: async (key, file, contentType) => {
      const { size } = await stat(file);
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.options.bucket,
          Key: key,
          Body: createReadStream(file),
          ContentLength: size,
          ContentType: contentType,
          CacheControl: PRIVATE_CACHE,
        }),
      );
    },
    putBytes: async (key, bytes, contentType) => {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.options.bucket,
          Key: key,
          Body: bytes,
          ContentType: contentType,
          CacheControl: PRIVATE_CACHE,
        }),
      );
    },
    get: (key, file) =>
      this.orMissing(false, async () => {
        const object = await this.client.send(new GetObjectCommand({ Bucket: this.options.bucket, Key: key }));
        await pipeline(object.Body as Readable, createWriteStream(file));
        return true;
      }),
    read: (key) =>
      this.orMissing(null, async () => {
        const object = await this.client.send(new GetObjectCommand({ Bucket: this.options.bucket, Key: key }));
        return Buffer.from(await object.Body!.transformToByteArray());
      }),
    deliver: async (key, expiresInSeconds, downloadAs) => ({
      redirect: await getSignedUrl(
        this.client,
        new GetObjectCommand({
          Bucket: this.options.bucket,
          Key: key,
          ...(downloadAs && { ResponseContentDisposition: attachmentDisposition(downloadAs) }),
        }),
        { expiresIn: Math.max(1, Math.min(expiresInSeconds, 7 * 86_400)) },
      ),
    }),
    size: (key) =>
      this.orMissing(null, async () => {
        const head = await this.client.send(new HeadObjectCommand({ Bucket: this.options.bucket, Key: key }));
        return head.ContentLength ?? 0;
      }),
    // A presigned POST pinned to the key and a size range, like profile photos'.
    createUpload: (request) => this.createDirectUpload(request),
  };

  private async orMissing<T, F>(fallback: F, read: () => Promise<T>): Promise<T | F> {
    try {
      return await read();
    } catch (err) {
      if (err instanceof S3ServiceException && err.$metadata.httpStatusCode === 404) return fallback;
      throw err;
    }
  }

  async storeImage(prefix: string, image: ProcessedImage): Promise<StoredImage> {
    const keys = variantKeys(prefix);
    await Promise.all(
      (Object.keys(keys) as VariantName[]).map((name) =>
        this.client.send(
          new PutObjectCommand({
            Bucket: this.options.bucket,
            Key: keys[name],
            Body: image.variants[name],
            ContentType: 'image/webp',
            CacheControl: IMMUTABLE,
          }),
        ),
      ),
    );
    return storedVariants(this.name, prefix, this.publicBaseUrl, image);
  }

  async deleteObjects(objects: string[]): Promise<void> {
    if (objects.length === 0) return;
    const res = await this.client.send(
      new DeleteObjectsCommand({
        Bucket: this.options.bucket,
        Delete: { Objects: objects.map((Key) => ({ Key })), Quiet: true },
      }),
    );
    if (res.Errors?.length) throw new Error(`S3 kept ${res.Errors.length} object(s): ${res.Errors[0]?.Code ?? 'unknown'}`);
  }

  async createDirectUpload(request: DirectUploadRequest): Promise<DirectUploadTicket> {
    const { url, fields } = await createPresignedPost(this.client, {
      Bucket: this.options.bucket,
      Key: request.key, // adds an exact {key} condition
      Conditions: [
        ['content-length-range', 1, request.maxBytes],
        ['eq', '$Content-Type', request.contentType],
      ],
      Fields: { 'Content-Type': request.contentType },
      Expires: request.expiresInSeconds,
    });
    return {
      provider: this.name,
      key: request.key,
      url,
      fields,
      expiresAt: new Date(Date.now() + request.expiresInSeconds * 1000).toISOString(),
    };
  }

  async confirmDirectUpload(key: string, limits: { maxBytes: number }): Promise<ConfirmedUpload | null> {
    const target = { Bucket: this.options.bucket, Key: key };
    try {
      const head = await this.client.send(new HeadObjectCommand(target));
      if ((head.ContentLength ?? 0) > limits.maxBytes) throw fileTooLarge(limits.maxBytes);
      const object = await this.client.send(new GetObjectCommand(target));
      const bytes = Buffer.from(await object.Body!.transformToByteArray());
      if (bytes.length > limits.maxBytes) throw fileTooLarge(limits.maxBytes);
      return { kind: 'bytes', bytes };
    } catch (err) {
      if (err instanceof S3ServiceException && err.$metadata.httpStatusCode === 404) return null;
      throw err;
    }
  }

  async discardDirectUpload(key: string): Promise<void> {
    await this.deleteObjects([key]);
  }
}
