import type { Config } from '../../config/index.js';
import { CloudinaryStorageProvider } from './cloudinary.provider.js';
import { LocalStorageProvider } from './local.provider.js';
import { S3StorageProvider } from './s3.provider.js';
import type { StorageProvider } from './storage.provider.js';

/** The provider config names; the app builds one and hands it to the routes that store pictures. */
export function createStorageProvider(storage: Config['storage']): StorageProvider {
  switch (storage.provider) {
    case 's3':
      return new S3StorageProvider(storage.s3);
    case 'cloudinary':
      return new CloudinaryStorageProvider(storage.cloudinary);
    default:
      return new LocalStorageProvider(storage.localDir, storage.localBaseUrl, storage.localPrivateDir);
  }
}
