import { sniffImageType } from '../storage/image-processing.js';

export type PostMediaType =
  | { kind: 'image'; type: 'image/jpeg' | 'image/png' | 'image/webp' | 'image/heic'; ext: string }
  | { kind: 'video'; type: 'video/mp4' | 'video/quicktime' | 'video/webm'; ext: string };

const HEIF_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'mif1', 'msf1']);
const QUICKTIME_BRANDS = new Set(['qt  ']);

/**
 * What an upload is, by its first bytes; its name and declared type are never trusted
 * (a text file called clip.mp4 is nothing). ISO media files name their brand after "ftyp".
 */
export function sniffPostMedia(head: Buffer): PostMediaType | null {
  const image = sniffImageType(head);
  if (image) return { kind: 'image', type: image, ext: image.split('/')[1]!.replace('jpeg', 'jpg') };
  if (head.length >= 12 && head.toString('latin1', 4, 8) === 'ftyp') {
    const brand = head.toString('latin1', 8, 12);
    if (HEIF_BRANDS.has(brand)) return { kind: 'image', type: 'image/heic', ext: 'heic' };
    if (QUICKTIME_BRANDS.has(brand)) return { kind: 'video', type: 'video/quicktime', ext: 'mov' };
    return { kind: 'video', type: 'video/mp4', ext: 'mp4' };
  }
  if (head.length >= 4 && head.readUInt32BE(0) === 0x1a45dfa3) return { kind: 'video', type: 'video/webm', ext: 'webm' };
  return null;
}
