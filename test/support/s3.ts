import { randomBytes } from 'node:crypto';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
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
