import { copyFile, mkdir, readFile, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ProcessedImage, VariantName } from './image-processing.js';
import { PRIVATE_PREFIX } from './media-links.js';
import { storedVariants, variantKeys, type FileStore, type StorageProvider, type StoredImage } from './storage.provider.js';

/** The promise's value, or `fallback` when it failed because the file does not exist. */
function missingAs<T, F>(fallback: F, promise: Promise<T>): Promise<T | F> {
  return promise.catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return fallback;
    throw err;
  });
}

/**
 * Files under a local folder, served by the app at /media. The default for development
 * and a single host; uploads go through the API only.
 */
export class LocalStorageProvider implements StorageProvider {
  readonly name = 'local' as const;
  readonly root: string;
  /** Where keys under `private/` live: a folder of its own, which no static route serves. */
  readonly privateRoot: string;

  constructor(
    root: string,
    private readonly publicBaseUrl: string,
    privateRoot = `${root.replace(/\/$/, '')}-private`,
  ) {
    this.root = path.resolve(root);
    this.privateRoot = path.resolve(privateRoot);
  }

  readonly files: FileStore = {
    put: async (key, file) => {
      await mkdir(path.dirname(this.fileOf(key)), { recursive: true });
      await copyFile(file, this.fileOf(key));
    },
    putBytes: async (key, bytes) => {
      await mkdir(path.dirname(this.fileOf(key)), { recursive: true });
      await writeFile(this.fileOf(key), bytes);
    },
    get: async (key, file) =>
      missingAs(
        false,
        copyFile(this.fileOf(key), file).then(() => true),
      ),
    read: (key) => missingAs(null, readFile(this.fileOf(key))),
    // The app serves the file itself, behind the signed link (never from the public /media folder route).
    deliver: async (key) => ({ file: this.fileOf(key) }),
    size: (key) =>
      missingAs(
        null,
        stat(this.fileOf(key)).then((s) => s.size),
      ),
  };

  /** Keys are ours, but a path is still checked to stay inside its folder. */
  private fileOf(key: string): string {
    const isPrivate = key.startsWith(PRIVATE_PREFIX);
    const root = isPrivate ? this.privateRoot : this.root;
    const file = path.resolve(root, isPrivate ? key.slice(PRIVATE_PREFIX.length) : key);
    if (!file.startsWith(root + path.sep)) throw new Error(`storage key escapes the media folder: ${key}`);
    return file;
  }

  async storeImage(prefix: string, image: ProcessedImage): Promise<StoredImage> {
    const keys = variantKeys(prefix);
    await mkdir(this.fileOf(prefix), { recursive: true });
    for (const name of Object.keys(keys) as VariantName[]) await writeFile(this.fileOf(keys[name]), image.variants[name]);
    return storedVariants(this.name, prefix, this.publicBaseUrl, image);
  }

  async deleteObjects(objects: string[]): Promise<void> {
    const folders = new Set<string>();
    for (const key of objects) {
      await rm(this.fileOf(key), { force: true });
      folders.add(path.dirname(this.fileOf(key)));
    }
    // A picture's folder holds only its sizes: remove it once empty (rmdir refuses a non-empty one),
    // deepest first, so a post's nested rendition folders go too.
    const deepestFirst = [...folders].sort((a, b) => b.length - a.length);
    for (const folder of deepestFirst) {
      const root = folder.startsWith(this.privateRoot + path.sep) ? this.privateRoot : this.root;
      for (let dir = folder; dir.startsWith(root + path.sep); dir = path.dirname(dir)) {
        if (
          !(await rmdir(dir).then(
            () => true,
            () => false,
          ))
        )
          break;
      }
    }
  }
}
