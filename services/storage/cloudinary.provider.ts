import cloudinary from 'cloudinary';
import { fileTooLarge, imageTooLarge, notAnImage, VARIANTS, type ProcessedImage, type VariantName } from './image-processing.js';
import { openAsBlob } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PRIVATE_PREFIX } from './media-links.js';
import { errorMessage, logger } from '../../utils/logger.js';
import type {
  ConfirmedUpload,
  DirectUploadRequest,
  DirectUploadTicket,
  FileStore,
  StorageProvider,
  StoredImage,
} from './storage.provider.js';

export interface CloudinaryOptions {
  cloudName: string;
  apiKey: string;
  apiSecret: string;
  /** https://api.cloudinary.com; a local stand-in in tests. */
  apiUrl: string;
}

interface CloudinaryResource {
  public_id: string;
  version: number;
  format: string;
  resource_type: string;
  bytes: number;
  width: number;
  height: number;
}

const FORMATS = ['jpg', 'png', 'webp'];
// Cloudinary accepts a signed request for an hour after its timestamp.
const SIGNATURE_LIFETIME_S = 3600;

/**
 * Cloudinary keeps one original per picture and serves every size by URL
 * transformation. The SDK is used for signing and URLs only: its HTTP client reads its
 * settings once per process, so the calls are plain fetch against `apiUrl`.
 */
export class CloudinaryStorageProvider implements StorageProvider {
  readonly name = 'cloudinary' as const;

  constructor(private readonly options: CloudinaryOptions) {}

  /**
   * Post files (uploads waiting for the media job, picture sizes, HLS playlists and
   * segments, posters) as raw resources of the private delivery type, whose public id is
   * the whole key with its extension: Cloudinary serves them only through download URLs
   * signed with the API secret and an expiry.
   */
  readonly files: FileStore = {
    put: async (key, file) => this.uploadPrivate(key, await openAsBlob(file)),
    putBytes: async (key, bytes) => this.uploadPrivate(key, new Blob([new Uint8Array(bytes)])),
    get: async (key, file) => {
      const bytes = await this.download(key);
      if (!bytes) return false;
      await writeFile(file, bytes);
      return true;
    },
    read: (key) => this.download(key),
    // Private raw downloads come as attachments already.
    deliver: async (key, expiresInSeconds) => ({ redirect: this.downloadUrl(key, expiresInSeconds) }),
    size: async (key) => (await this.download(key))?.length ?? null,
    // No direct upload tickets for files (chat attachments go through the API): Cloudinary's
    // signature leaves out the resource type, so a raw ticket's fields also stored a video or
    // an image, which the app never fetched or swept and whose transformations are public;
    // and a signed upload cannot bound its size.
  };

  private async uploadPrivate(key: string, blob: Blob): Promise<void> {
    const form = new FormData();
    const timestamp = Math.floor(Date.now() / 1000);
    for (const [k, v] of Object.entries(this.sign({ public_id: key, timestamp, type: 'private' }))) form.append(k, v);
    form.append('file', blob, path.basename(key));
    const stored = await this.call('raw/upload', { method: 'POST', body: form });
    if (!stored) throw new Error('Cloudinary raw upload endpoint not found');
  }

  /** A private raw file's download URL, signed, working for the next seconds only. */
  private downloadUrl(key: string, expiresInSeconds: number): string {
    const timestamp = Math.floor(Date.now() / 1000);
    const params = this.sign({ public_id: key, type: 'private', timestamp, expires_at: timestamp + expiresInSeconds });
    return `${this.endpoint('raw/download')}?${new URLSearchParams(params)}`;
  }

  private async download(key: string): Promise<Buffer | null> {
    const res = await fetch(this.downloadUrl(key, 300), { signal: AbortSignal.timeout(120_000) });
    if (res.status === 404) return null;
    if (!res.ok) throw new Error(`Cloudinary download answered ${res.status} for ${key}`);
    return Buffer.from(await res.arrayBuffer());
  }

  private adminAuth() {
    return { Authorization: `Basic ${Buffer.from(`${this.options.apiKey}:${this.options.apiSecret}`).toString('base64')}` };
  }

  private endpoint(path: string): string {
    return `${this.options.apiUrl.replace(/\/$/, '')}/v1_1/${this.options.cloudName}/${path}`;
  }

  private sign(params: Record<string, string | number>): Record<string, string> {
    const signature = cloudinary.v2.utils.api_sign_request(params, this.options.apiSecret);
    return {
      ...Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)])),
      signature,
      api_key: this.options.apiKey,
    };
  }

  private async call<T>(path: string, init: RequestInit): Promise<T | null> {
    const res = await fetch(this.endpoint(path), { ...init, signal: AbortSignal.timeout(15_000) });
    if (res.status === 404) return null;
    const body = (await res.json().catch(() => ({}))) as T & { error?: { message?: string } };
    if (!res.ok) throw new Error(`Cloudinary ${path} answered ${res.status}: ${body.error?.message ?? 'no message'}`);
    return body;
  }

  private toStored(resource: CloudinaryResource): StoredImage {
    const urls = {} as Record<VariantName, string>;
    for (const [name, v] of Object.entries(VARIANTS) as [VariantName, (typeof VARIANTS)[VariantName]][]) {
      urls[name] = cloudinary.v2.url(resource.public_id, {
        cloud_name: this.options.cloudName,
        secure: true,
        urlAnalytics: false,
        version: resource.version,
        format: 'webp',
        transformation: [{ width: v.width, height: v.height, crop: v.fit === 'cover' ? 'fill' : 'limit' }, { quality: 'auto' }],
      });
    }
    return { provider: this.name, objects: [resource.public_id], urls, width: resource.width, height: resource.height };
  }

  async storeImage(prefix: string, image: ProcessedImage): Promise<StoredImage> {
    const form = new FormData();
    const timestamp = Math.floor(Date.now() / 1000);
    for (const [k, v] of Object.entries(this.sign({ public_id: prefix, timestamp }))) form.append(k, v);
    form.append('file', new Blob([new Uint8Array(image.variants.full)], { type: 'image/webp' }), 'full.webp');
    const resource = await this.call<CloudinaryResource>('image/upload', { method: 'POST', body: form });
    if (!resource) throw new Error('Cloudinary upload endpoint not found');
    return this.toStored(resource);
  }

  /** Profile pictures are image resources (ids without an extension); post files are private raw ones (with). */
  async deleteObjects(objects: string[]): Promise<void> {
    await Promise.all(
      objects.map((publicId) =>
        this.destroy(
          path.extname(publicId) ? 'raw' : 'image',
          publicId,
          publicId.startsWith(PRIVATE_PREFIX) ? 'private' : undefined,
        ),
      ),
    );
  }

  private async destroy(resourceType: 'raw' | 'image', publicId: string, type?: 'private' | 'authenticated'): Promise<void> {
    await this.call(`${resourceType}/destroy`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(
        this.sign({ public_id: publicId, timestamp: Math.floor(Date.now() / 1000), invalidate: 'true', ...(type && { type }) }),
      ),
    });
  }

  /**
   * Signed form fields fixing the public id and the formats, the authenticated delivery
   * type (nobody can fetch it until it is confirmed: a ticket is no free public hosting),
   * and an incoming transformation: Cloudinary keeps a re-encoded picture (no EXIF, no GPS,
   * at most the full size) instead of the upload itself. The size is checked on confirm.
   */
  async createDirectUpload(request: DirectUploadRequest): Promise<DirectUploadTicket> {
    const timestamp = Math.floor(Date.now() / 1000);
    const full = VARIANTS.full;
    return {
      provider: this.name,
      key: request.key,
      url: this.endpoint('image/upload'),
      fields: this.sign({
        public_id: request.key,
        timestamp,
        allowed_formats: FORMATS.join(','),
        overwrite: 'false',
        type: 'authenticated',
        transformation: `c_limit,w_${full.width},h_${full.height}`,
      }),
      expiresAt: new Date((timestamp + SIGNATURE_LIFETIME_S) * 1000).toISOString(),
    };
  }

  /**
   * A waiting upload is checked, then made public (renamed to the upload delivery type) and
   * served. One confirmed already (or uploaded public under an older ticket) is found
   * public and answered the same, so a repeat reaches the caller's own check of reuse.
   */
  async confirmDirectUpload(key: string, limits: { maxBytes: number; maxPixels: number }): Promise<ConfirmedUpload | null> {
    const waiting = await this.call<CloudinaryResource>(`resources/image/authenticated/${key}`, { headers: this.adminAuth() });
    if (waiting) checkUpload(waiting, limits);
    let failure: unknown;
    const published = waiting && (await this.publish(key).catch((err: unknown) => ((failure = err), null)));
    const resource =
      published ?? (await this.call<CloudinaryResource>(`resources/image/upload/${key}`, { headers: this.adminAuth() }));
    if (!resource) {
      if (failure) throw failure;
      return null;
    }
    // A second upload with a confirmed ticket cannot take the public id the first holds: the
    // rename fails, that copy goes, and the confirm answers as a repeat.
    if (waiting && !published) await this.destroy('image', key, 'authenticated');
    checkUpload(resource, limits);
    return { kind: 'stored', image: this.toStored(resource) };
  }

  /** Moves a checked upload to the public delivery type; null when it is no longer waiting. */
  private publish(key: string): Promise<CloudinaryResource | null> {
    const params = this.sign({
      from_public_id: key,
      to_public_id: key,
      type: 'authenticated',
      to_type: 'upload',
      timestamp: Math.floor(Date.now() / 1000),
    });
    return this.call<CloudinaryResource>('image/rename', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(params),
    });
  }

  /** A refused upload goes. Only the waiting copy: a public one under the key is a photo in use. */
  async discardDirectUpload(key: string): Promise<void> {
    await this.destroy('image', key, 'authenticated');
  }

  /**
   * Uploads never confirmed are still waiting (authenticated) under uploads/: whoever holds
   * the upload's signed URL could serve it, so they go once no ticket can be confirmed in
   * time. A page of the Admin API's listing at a time.
   */
  async sweepUnconfirmedUploads(before: Date): Promise<number> {
    let swept = 0;
    let cursor: string | undefined;
    do {
      const query = new URLSearchParams({ prefix: 'uploads/', max_results: '500', ...(cursor && { next_cursor: cursor }) });
      const page = await this.call<{ resources: { public_id: string; created_at: string }[]; next_cursor?: string }>(
        `resources/image/authenticated?${query}`,
        { headers: this.adminAuth() },
      );
      const stale = (page?.resources ?? []).filter((r) => Date.parse(r.created_at) < before.getTime());
      for (const r of stale) {
        // One that will not go is left to the next run; the rest still go.
        const gone = await this.destroy('image', r.public_id, 'authenticated').then(
          () => true,
          (err: unknown) => (logger.warn('unconfirmed upload not swept', { key: r.public_id, error: errorMessage(err) }), false),
        );
        if (gone) swept++;
      }
      cursor = page?.next_cursor;
    } while (cursor);
    return swept;
  }
}

function checkUpload(resource: CloudinaryResource, limits: { maxBytes: number; maxPixels: number }): void {
  if (resource.resource_type !== 'image' || !FORMATS.includes(resource.format)) throw notAnImage();
  if (resource.bytes > limits.maxBytes) throw fileTooLarge(limits.maxBytes);
  if (resource.width * resource.height > limits.maxPixels) throw imageTooLarge(limits.maxPixels);
}
