import { randomBytes } from 'node:crypto';
import { CreateBucketCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import supertest from 'supertest';
import { createApp } from '../../app.js';
import { config } from '../../config/index.js';
import { startMediaPipeline, type MediaPipeline } from '../../services/posts/media-queue.js';
import { S3StorageProvider } from '../../services/storage/s3.provider.js';

/**
 * The S3-compatible test server (SeaweedFS from ../shared/s3/start.sh, SigV4 and presigned
 * POST conditions checked); CI sets TEST_S3_ENDPOINT. Undefined when none is running.
 */
export const s3Endpoint = process.env.TEST_S3_ENDPOINT;

/** A provider on a fresh bucket of the test server. */
export async function freshS3Bucket(prefix: string): Promise<{ s3: S3StorageProvider; bucket: string }> {
  const bucket = `${prefix}-${randomBytes(4).toString('hex')}`;
  const s3 = new S3StorageProvider({
    bucket,
    region: 'us-east-1',
    endpoint: s3Endpoint,
    forcePathStyle: true,
    credentials: {
      accessKeyId: process.env.S3_TEST_ACCESS_KEY ?? 'test-access-key',
      secretAccessKey: process.env.S3_TEST_SECRET_KEY ?? 'test-secret-key',
    },
  });
  await s3.client.send(new CreateBucketCommand({ Bucket: bucket }));
  return { s3, bucket };
}

export interface S3App {
  s3: S3StorageProvider;
  bucket: string;
  /** An app storing in the bucket, with its own in-process media queue and worker. */
  app: ReturnType<typeof supertest>;
  /** The keys stored under a prefix. */
  keys(prefix: string): Promise<string[]>;
}

/**
 * A describe's app on a fresh bucket, started before its tests and stopped after; the
 * tests are skipped (with a word why) where no S3 test server runs.
 */
export function useS3App(prefix: string): S3App {
  const state = {} as S3App;
  let media: MediaPipeline | undefined;
  before(async function () {
    if (!s3Endpoint) {
      console.warn('    TEST_S3_ENDPOINT is not set: S3 tests skipped (start one with ../shared/s3/start.sh)');
      this.skip();
    }
    const { s3, bucket } = await freshS3Bucket(prefix);
    media = startMediaPipeline({ media: config.media }, s3, true);
    Object.assign(state, {
      s3,
      bucket,
      app: supertest(createApp({ config, storage: s3, media: media.queue })),
      keys: async (under: string) =>
        ((await s3.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: under }))).Contents ?? []).map((o) => o.Key!),
    });
  });
  after(async () => {
    await media?.close();
  });
  return state;
}
