import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import multer from 'multer';
import sharp from 'sharp';
import supertest from 'supertest';
import { createApp } from '../../app.js';
import { config } from '../../config/index.js';
import { startMediaPipeline, type MediaPipeline } from '../../services/posts/media-queue.js';
import { CloudinaryStorageProvider } from '../../services/storage/cloudinary.provider.js';

/**
 * A local stand-in for Cloudinary's upload and admin APIs, enough for our provider:
 * it checks every signature the way Cloudinary documents it (SHA-1 of the sorted
 * parameters plus the API secret), the timestamp's age, allowed formats, and Basic
 * auth on the admin API. Resources live in memory; `resources` is what tests inspect.
 */
export interface StandIn {
  apiUrl: string;
  cloudName: string;
  apiKey: string;
  apiSecret: string;
  resources: Map<string, Resource>;
  /** The bytes Cloudinary keeps of each image resource (after any incoming transformation). */
  stored: Map<string, Buffer>;
  /** Raw resources of the public delivery type by public id (none of ours). */
  raw: Map<string, Buffer>;
  /** Raw resources of the private delivery type (post files), reachable only by signed download. */
  privateRaw: Map<string, Buffer>;
  close(): Promise<void>;
}

interface Resource {
  public_id: string;
  version: number;
  format: string;
  resource_type: 'image';
  /** The delivery type: only `upload` is served at a public address. */
  type: 'upload' | 'authenticated' | 'private';
  created_at: string;
  bytes: number;
  width: number;
  height: number;
}

const UNSIGNED = new Set(['file', 'cloud_name', 'resource_type', 'api_key', 'signature']);

function signatureOk(params: Record<string, string>, secret: string): boolean {
  const toSign = Object.keys(params)
    .filter((k) => !UNSIGNED.has(k) && params[k] !== '')
    .sort()
    .map((k) => `${k}=${params[k]}`)
    .join('&');
  const expected = createHash('sha1')
    .update(toSign + secret)
    .digest();
  const given = Buffer.from(params.signature ?? '', 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export async function startCloudinaryStandIn(): Promise<StandIn> {
  const cloudName = 'standin';
  const apiKey = '123456789012345';
  const apiSecret = 'standin-secret-abcdefghijklmnop';
  const resources = new Map<string, Resource>();
  const stored = new Map<string, Buffer>();
  const app = express();
  // Known once listening; the admin API's secure_url points back at this server.
  const baseUrl = () => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const fail = (res: express.Response, status: number, message: string) => res.status(status).json({ error: { message } });

  const checkSigned = (params: Record<string, string>, res: express.Response): boolean => {
    if (params.api_key !== apiKey || !signatureOk(params, apiSecret)) return (fail(res, 401, 'Invalid Signature'), false);
    if (Math.abs(Date.now() / 1000 - Number(params.timestamp)) > 3600) return (fail(res, 401, 'Stale request'), false);
    return true;
  };

  app.post(`/v1_1/${cloudName}/image/upload`, multer({ storage: multer.memoryStorage() }).single('file'), async (req, res) => {
    const params = req.body as Record<string, string>;
    if (!checkSigned(params, res) || !req.file) return;
    let meta;
    let bytes = req.file.buffer;
    try {
      meta = await sharp(bytes, { limitInputPixels: false }).metadata();
      // An incoming transformation (c_limit,w_W,h_H): what is kept is re-encoded, so no metadata survives.
      const limit = /^c_limit,w_(\d+),h_(\d+)$/.exec(params.transformation ?? '');
      if (limit) {
        bytes = await sharp(bytes)
          .rotate()
          .resize(Number(limit[1]), Number(limit[2]), { fit: 'inside', withoutEnlargement: true })
          .toFormat(meta.format === 'png' ? 'png' : 'jpeg')
          .toBuffer();
        meta = await sharp(bytes).metadata();
      }
    } catch {
      return fail(res, 400, 'Invalid image file');
    }
    const format = meta.format === 'jpeg' ? 'jpg' : meta.format;
    if (params.allowed_formats && !params.allowed_formats.split(',').includes(format))
      return fail(res, 400, 'Image format not allowed');
    const publicId = params.public_id ?? Math.random().toString(36).slice(2);
    if (params.overwrite === 'false' && resources.has(publicId)) return res.json(resources.get(publicId));
    const resource: Resource = {
      public_id: publicId,
      version: Math.floor(Date.now() / 1000),
      format,
      resource_type: 'image',
      type: (params.type ?? 'upload') as Resource['type'],
      created_at: new Date().toISOString(),
      bytes: bytes.length,
      width: meta.width ?? 0,
      height: meta.height ?? 0,
    };
    resources.set(publicId, resource);
    stored.set(publicId, bytes);
    res.json(resource);
  });

  const raw = new Map<string, Buffer>();
  const privateRaw = new Map<string, Buffer>();
  const rawOf = (type: string | undefined) => (type === 'private' ? privateRaw : raw);
  app.post(`/v1_1/${cloudName}/raw/upload`, multer({ storage: multer.memoryStorage() }).single('file'), (req, res) => {
    const params = req.body as Record<string, string>;
    if (!checkSigned(params, res) || !req.file || !params.public_id) return;
    rawOf(params.type).set(params.public_id, req.file.buffer);
    res.json({ public_id: params.public_id, resource_type: 'raw', bytes: req.file.size, version: Math.floor(Date.now() / 1000) });
  });
  // Private download (api.cloudinary.com/v1_1/<cloud>/raw/download): signed, and refused after expires_at.
  app.get(`/v1_1/${cloudName}/raw/download`, (req, res) => {
    const params = req.query as Record<string, string>;
    if (!checkSigned(params, res)) return;
    if (!(Number(params.expires_at) > Date.now() / 1000)) return fail(res, 401, 'Expired');
    const body = rawOf(params.type).get(params.public_id ?? '');
    if (!body) return fail(res, 404, 'Not found');
    res.type('application/octet-stream').send(body);
  });
  const adminAuthOk = (req: express.Request, res: express.Response) => {
    const expected = `Basic ${Buffer.from(`${apiKey}:${apiSecret}`).toString('base64')}`;
    return req.headers.authorization === expected || (fail(res, 401, 'Invalid credentials'), false);
  };
  app.get(`/v1_1/${cloudName}/resources/raw/upload/*publicId`, (req, res) => {
    if (!adminAuthOk(req, res)) return;
    const publicId = (req.params as { publicId: string[] }).publicId.join('/');
    if (!raw.has(publicId)) return fail(res, 404, `Resource not found - ${publicId}`);
    res.json({ public_id: publicId, resource_type: 'raw', secure_url: `${baseUrl()}/delivery/raw/${publicId}` });
  });
  // Delivery (res.cloudinary.com in production) of raw files.
  app.get('/delivery/raw/*publicId', (req, res) => {
    const body = raw.get((req.params as { publicId: string[] }).publicId.join('/'));
    if (!body) return fail(res, 404, 'Not found');
    res.type('application/octet-stream').send(body);
  });
  app.post(`/v1_1/${cloudName}/raw/destroy`, express.urlencoded({ extended: false }), (req, res) => {
    const params = req.body as Record<string, string>;
    if (!checkSigned(params, res)) return;
    res.json({ result: rawOf(params.type).delete(params.public_id ?? '') ? 'ok' : 'not found' });
  });

  // An image resource of one delivery type (Cloudinary keeps each type apart).
  const imageOf = (publicId: string | undefined, type: string | undefined) => {
    const resource = resources.get(publicId ?? '');
    return resource && resource.type === (type ?? 'upload') ? resource : undefined;
  };
  // The Admin API's listing of one delivery type, by prefix, a page at a time (next_cursor: where the next starts).
  app.get(`/v1_1/${cloudName}/resources/image/:type`, (req, res) => {
    if (!adminAuthOk(req, res)) return;
    const { prefix = '', max_results = '10', next_cursor = '0' } = req.query as Record<string, string>;
    const all = [...resources.values()].filter((r) => r.type === req.params.type && r.public_id.startsWith(prefix));
    const from = Number(next_cursor);
    const page = all.slice(from, from + Number(max_results));
    res.json({ resources: page, ...(from + page.length < all.length && { next_cursor: String(from + page.length) }) });
  });
  app.get(`/v1_1/${cloudName}/resources/image/:type/*publicId`, (req, res) => {
    if (!adminAuthOk(req, res)) return;
    const publicId = (req.params as { publicId: string[] }).publicId.join('/');
    const resource = imageOf(publicId, req.params.type);
    if (!resource) return fail(res, 404, `Resource not found - ${publicId}`);
    res.json(resource);
  });
  // Rename, here only what changes the delivery type in place (to_public_id = from_public_id).
  app.post(`/v1_1/${cloudName}/image/rename`, express.urlencoded({ extended: false }), (req, res) => {
    const params = req.body as Record<string, string>;
    if (!checkSigned(params, res)) return;
    const resource = imageOf(params.from_public_id, params.type);
    if (!resource) return fail(res, 404, `Resource not found - ${params.from_public_id}`);
    if (params.to_public_id !== params.from_public_id) return fail(res, 400, 'The stand-in renames in place only');
    Object.assign(resource, { type: params.to_type ?? resource.type, version: resource.version + 1 });
    res.json(resource);
  });

  app.post(`/v1_1/${cloudName}/image/destroy`, express.urlencoded({ extended: false }), (req, res) => {
    const params = req.body as Record<string, string>;
    if (!checkSigned(params, res)) return;
    const found = imageOf(params.public_id, params.type);
    res.json({ result: found && resources.delete(found.public_id) ? 'ok' : 'not found' });
  });

  const server: Server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    apiUrl: baseUrl(),
    cloudName,
    apiKey,
    apiSecret,
    resources,
    stored,
    raw,
    privateRaw,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Our provider pointed at a stand-in. */
export function cloudinaryProviderFor(cloud: StandIn): CloudinaryStorageProvider {
  return new CloudinaryStorageProvider({
    cloudName: cloud.cloudName,
    apiKey: cloud.apiKey,
    apiSecret: cloud.apiSecret,
    apiUrl: cloud.apiUrl,
  });
}

export interface CloudinaryApp {
  cloud: StandIn;
  /** An app storing on the stand-in, with its own in-process media queue and worker. */
  app: ReturnType<typeof supertest>;
}

/** A describe's stand-in and app, started before its tests and stopped after. */
export function useCloudinaryApp(): CloudinaryApp {
  const state = {} as CloudinaryApp;
  let media: MediaPipeline | undefined;
  before(async () => {
    const cloud = await startCloudinaryStandIn();
    const storage = cloudinaryProviderFor(cloud);
    media = startMediaPipeline({ media: config.media }, storage, true);
    Object.assign(state, { cloud, app: supertest(createApp({ config, storage, media: media.queue })) });
  });
  after(async () => {
    await media?.close();
    await state.cloud?.close();
  });
  return state;
}
