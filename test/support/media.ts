import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const made = new Map<string, Promise<Buffer>>();

/** A real MP4 made by ffmpeg (test pattern and a tone), once per run for each shape. */
export function mp4(seconds = 2, size = '640x360'): Promise<Buffer> {
  const key = `${seconds}:${size}`;
  if (!made.has(key)) {
    made.set(
      key,
      (async () => {
        const dir = await mkdtemp(path.join(tmpdir(), 'devtinder-video-'));
        const file = path.join(dir, 'clip.mp4');
        await run('ffmpeg', [
          ...['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', `testsrc=size=${size}:rate=24`],
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
