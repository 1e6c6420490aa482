import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';

const run = promisify(execFile);
const made = new Map<string, Promise<Buffer>>();

/** A real MP4 made by ffmpeg (test pattern and a tone), once per run for each shape. */
export function mp4(seconds = 2, size = '640x360', rate = 24): Promise<Buffer> {
  const key = `${seconds}:${size}:${rate}`;
  if (!made.has(key)) {
    made.set(
      key,
      (async () => {
        const dir = await mkdtemp(path.join(tmpdir(), 'devtinder-video-'));
        const file = path.join(dir, 'clip.mp4');
        await run('ffmpeg', [
          ...['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', `testsrc=size=${size}:rate=${rate}`],
          ...['-f', 'lavfi', '-i', 'sine=frequency=440', '-t', String(seconds), '-c:v', 'libx264', '-pix_fmt', 'yuv420p'],
          ...['-c:a', 'aac', '-shortest', file],
        ]);
        return readFile(file);
      })(),
    );
  }
  return made.get(key)!;
}

/** Starts like an MP4 (an ftyp box) and then is noise: ffprobe cannot read it. */
export function corruptMp4(): Buffer {
  const ftyp = Buffer.from('00000018667479706d703432000000006d70343269736f6d', 'hex');
  return Buffer.concat([ftyp, Buffer.alloc(4096, 0x5a)]);
}

/** A real HEIC photo (as iPhones take them), made with libheif's heif-enc; null where it is not installed. */
export async function heic(width = 300, height = 200): Promise<Buffer | null> {
  const dir = await mkdtemp(path.join(tmpdir(), 'devtinder-heic-'));
  const jpg = path.join(dir, 'in.jpg');
  const out = path.join(dir, 'out.heic');
  await sharp({ create: { width, height, channels: 3, background: { r: 10, g: 200, b: 30 } } })
    .jpeg()
    .toFile(jpg);
  try {
    await run('heif-enc', ['-q', '60', '-o', out, jpg]);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  return readFile(out);
}
