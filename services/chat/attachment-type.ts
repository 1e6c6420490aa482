import { open } from 'node:fs/promises';
import { fileTypeFromFile } from 'file-type';
import { NEVER_SENT_TYPES } from '../../config/constants.js';
import type { AttachmentKind } from '../../models/chat-attachment.model.js';
import { sniffPostMedia } from '../posts/media-type.js';
import type { VideoContainer } from '../posts/video.js';

/** How much of an upload its type is read from (pictures and videos: all of it that is looked at). */
export const SNIFFED_HEAD_BYTES = 64 * 1024;

const NEVER_SENT: ReadonlySet<string> = new Set(NEVER_SENT_TYPES);
const MACRO_ENABLED = /macroenabled/i;

/** What an upload is, by its content: the name and the declared type are never trusted. */
export type SniffedAttachment =
  | { kind: 'image'; type: string; ext: string }
  | { kind: 'video'; type: string; ext: string; container: VideoContainer }
  | { kind: 'voice'; type: string; ext: string; demuxer: string }
  | { kind: 'file'; type: string; ext: string };

// Recorders' containers (phones, browsers' MediaRecorder) and the ffmpeg demuxer each is opened with, and only with.
const AUDIO_DEMUXERS: Record<string, string> = {
  'audio/ogg': 'ogg',
  'audio/opus': 'ogg',
  'audio/webm': 'matroska,webm',
  'video/webm': 'matroska,webm',
  'audio/mp4': 'mov,mp4,m4a,3gp,3g2,mj2',
  'audio/x-m4a': 'mov,mp4,m4a,3gp,3g2,mj2',
  'video/mp4': 'mov,mp4,m4a,3gp,3g2,mj2',
  'video/3gpp': 'mov,mp4,m4a,3gp,3g2,mj2',
  'audio/mpeg': 'mp3',
  'audio/wav': 'wav',
  'audio/aac': 'aac',
  'audio/amr': 'amr',
  'audio/flac': 'flac',
};

async function headOf(file: string, bytes: number): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(bytes), 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** Plain UTF-8 text with no NUL byte, and not a script (a "#!" line). */
function isPlainText(head: Buffer): boolean {
  if (head.length === 0 || head.includes(0) || head.subarray(0, 2).toString('latin1') === '#!') return false;
  try {
    // A multi-byte character cut at the end of the head is not a fault of the file.
    new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, Math.max(0, head.length - 3)));
    return true;
  } catch {
    return false;
  }
}

/**
 * Reads the kind an upload is as the sender declared it, from its content; null when the
 * content is not that kind (or, for files, not an allowed type).
 */
export async function sniffAttachment(
  file: string,
  kind: AttachmentKind,
  allowedFileTypes: readonly string[],
): Promise<SniffedAttachment | null> {
  const head = await headOf(file, SNIFFED_HEAD_BYTES);
  if (kind === 'image' || kind === 'video') {
    const media = sniffPostMedia(head);
    if (media?.kind !== kind) return null;
    if (media.kind === 'image') return { kind: 'image', type: media.type, ext: media.ext };
    return { kind: 'video', type: media.type, ext: media.ext, container: media.type === 'video/webm' ? 'webm' : 'mp4' };
  }
  const found = await fileTypeFromFile(file);
  const type = found?.mime.split(';')[0]!.trim();
  if (kind === 'voice') {
    const demuxer = type ? AUDIO_DEMUXERS[type] : undefined;
    return demuxer ? { kind: 'voice', type: type!, ext: found!.ext, demuxer } : null;
  }
  if (!found)
    return isPlainText(head) && allowedFileTypes.includes('text/plain') ? { kind: 'file', type: 'text/plain', ext: 'txt' } : null;
  if (NEVER_SENT.has(type!) || MACRO_ENABLED.test(type!) || !allowedFileTypes.includes(type!)) return null;
  return { kind: 'file', type: type!, ext: found.ext };
}

/** The name a file is shown with: the sender's, cleaned, with the extension of what it really is. */
export function displayName(given: string | undefined, ext: string): string {
  const base = (given ?? '')
    .replace(/^.*[\\/]/, '')
    .replace(/\.[^.]*$/, '')
    .replace(/[^\p{L}\p{N} ._()-]/gu, '_')
    .replace(/^[.\s]+/, '')
    .slice(0, 100)
    .trim();
  return `${base || 'file'}.${ext}`;
}
