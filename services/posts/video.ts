import { spawn } from 'node:child_process';
import { config } from '../../config/index.js';

/** A reason the media job gives up at once: the file itself is the problem, retrying cannot help. */
export class MediaRejected extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'MediaRejected';
  }
}

export interface VideoProbe {
  durationSec: number;
  width: number;
  height: number;
  hasAudio: boolean;
}

/** Runs ffmpeg or ffprobe; rejects with its last lines of stderr, or when it runs past the timeout. */
function run(command: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err = (err + chunk.toString()).slice(-4000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else
        reject(
          new Error(
            `${command} ${signal ? `killed (${signal})` : `exited ${code}`}: ${err.trim().split('\n').slice(-3).join(' | ')}`,
          ),
        );
    });
  });
}

/** The container formats an upload may be, by what its first bytes said (media-type.ts). */
export type VideoContainer = 'mp4' | 'webm';
// ffmpeg demuxer names: MP4 and MOV share one; WebM is Matroska's.
const DEMUXERS: Record<VideoContainer, string> = { mp4: 'mov,mp4,m4a,3gp,3g2,mj2', webm: 'matroska,webm' };

/**
 * How ffmpeg and ffprobe open an upload: only as a local file (a playlist or a reference
 * inside it cannot make them fetch a URL or read another file) and only as the container
 * its first bytes said it is (no guessing among hundreds of demuxers).
 */
function inputArgs(file: string, container: VideoContainer): string[] {
  return demuxedInput(file, DEMUXERS[container]);
}

/** The same for any media an upload's first bytes named: only this demuxer, only a local file. */
export function demuxedInput(file: string, demuxer: string): string[] {
  return ['-protocol_whitelist', 'file', '-f', demuxer, '-i', `file:${file}`];
}

interface ProbeInfo {
  format?: { duration?: string };
  streams?: { codec_type?: string; width?: number; height?: number; duration?: string; tags?: { rotate?: string } }[];
}

/** ffprobe's view of a file opened by `input`; a file it cannot read is rejected with `unreadable`. */
async function probe(input: string[], unreadable: string): Promise<ProbeInfo> {
  try {
    const json = await run(
      config.media.ffprobe,
      ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', ...input],
      60_000,
    );
    return JSON.parse(json) as ProbeInfo;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw err; // no ffprobe here: not the file's fault
    throw new MediaRejected(unreadable);
  }
}

/** Duration, size and streams of a video; an unreadable file or one without a video stream is rejected. */
export async function probeVideo(file: string, container: VideoContainer): Promise<VideoProbe> {
  const info = await probe(inputArgs(file, container), 'unreadable_video');
  const video = info.streams?.find((s) => s.codec_type === 'video');
  if (!video?.width || !video.height) throw new MediaRejected('no_video_stream');
  const durationSec = Number(info.format?.duration ?? video.duration);
  if (!Number.isFinite(durationSec) || durationSec <= 0) throw new MediaRejected('unreadable_video');
  // A phone video shot upright is stored sideways with a rotation tag: what the viewer sees counts.
  const turned = Math.abs(Number(video.tags?.rotate ?? 0)) % 180 === 90;
  return {
    durationSec,
    width: turned ? video.height : video.width,
    height: turned ? video.width : video.height,
    hasAudio: Boolean(info.streams?.some((s) => s.codec_type === 'audio')),
  };
}

export interface Rendition {
  height: number;
  width: number;
  bandwidth: number;
  /** Folder of the rendition's playlist and segments, relative to the output folder. */
  dir: string;
}

// Video bitrate per rendition height (H.264), roughly what streaming services use.
const BITRATE_KBPS: Record<number, number> = {
  2160: 12000,
  1440: 8000,
  1080: 5000,
  720: 2800,
  480: 1400,
  360: 800,
  240: 400,
  144: 200,
};
const bitrateFor = (height: number) => BITRATE_KBPS[height] ?? Math.round((height * height * 5000) / (1080 * 1080));

/** The rendition steps for a video: the ladder's steps at or below its short side, at least three. */
export function ladderFor(shortSide: number, ladder: number[]): number[] {
  const fitting = ladder.filter((h) => h <= shortSide);
  if (fitting.length < 3) throw new MediaRejected('resolution_too_low');
  return fitting.slice(0, 4);
}

/**
 * One ffmpeg run: the source decoded once, split and scaled into every rendition, each an
 * HLS VOD playlist of 4-second segments, plus a master playlist naming them all.
 */
export async function transcodeHls(
  file: string,
  container: VideoContainer,
  outDir: string,
  probe: VideoProbe,
  heights: number[],
): Promise<Rendition[]> {
  // A step names the short side (a portrait 720p video is 720 wide); the other side keeps the shape, even.
  const even = (n: number) => Math.round(n / 2) * 2;
  const landscape = probe.width >= probe.height;
  const renditions = heights.map((step) => ({
    width: landscape ? even((probe.width * step) / probe.height) : step,
    height: landscape ? step : even((probe.height * step) / probe.width),
    bandwidth: (bitrateFor(step) + (probe.hasAudio ? 128 : 0)) * 1000,
    dir: `${step}p`,
    step,
  }));
  const split = `[0:v]split=${renditions.length}${renditions.map((_, i) => `[s${i}]`).join('')}`;
  const scales = renditions.map((r, i) => `[s${i}]scale=${r.width}:${r.height}[v${i}]`);
  // -map_metadata -1: nothing of the upload's metadata (a phone's location) goes out.
  const args = [
    '-hide_banner',
    '-y',
    ...inputArgs(file, container),
    '-map_metadata',
    '-1',
    '-filter_complex',
    [split, ...scales].join(';'),
  ];
  renditions.forEach((r, i) => {
    args.push('-map', `[v${i}]`);
    if (probe.hasAudio) args.push('-map', '0:a:0');
    const kbps = bitrateFor(r.step);
    args.push(
      `-c:v:${i}`,
      'libx264',
      `-b:v:${i}`,
      `${kbps}k`,
      `-maxrate:v:${i}`,
      `${Math.round(kbps * 1.07)}k`,
      `-bufsize:v:${i}`,
      `${kbps * 2}k`,
    );
  });
  if (probe.hasAudio) args.push('-c:a', 'aac', '-b:a', '128k', '-ac', '2');
  args.push(
    '-preset',
    'veryfast',
    '-profile:v',
    'main',
    '-pix_fmt',
    'yuv420p',
    '-sc_threshold',
    '0',
    '-g',
    '48',
    '-keyint_min',
    '48',
    '-f',
    'hls',
    '-hls_time',
    '4',
    '-hls_playlist_type',
    'vod',
    '-hls_flags',
    'independent_segments',
    '-hls_segment_filename',
    `${outDir}/%v/seg_%03d.ts`,
    '-master_pl_name',
    'master.m3u8',
    '-var_stream_map',
    renditions.map((r, i) => (probe.hasAudio ? `v:${i},a:${i},name:${r.dir}` : `v:${i},name:${r.dir}`)).join(' '),
    `${outDir}/%v/index.m3u8`,
  );
  try {
    await run(config.media.ffmpeg, args, Math.max(120_000, probe.durationSec * 20_000));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw err;
    throw new MediaRejected('transcode_failed');
  }
  return renditions;
}

/** A poster frame from a second in (or the middle of a shorter video), as JPEG. */
export async function extractPoster(file: string, container: VideoContainer, out: string, probe: VideoProbe): Promise<void> {
  const at = Math.min(1, probe.durationSec / 2).toFixed(2);
  await run(
    config.media.ffmpeg,
    [
      '-hide_banner',
      '-y',
      '-ss',
      at,
      ...inputArgs(file, container),
      '-map_metadata',
      '-1',
      '-frames:v',
      '1',
      '-vf',
      'scale=-2:min(720\\,ih)',
      '-q:v',
      '3',
      out,
    ],
    60_000,
  );
}

/** The size a video is served at: its own, or scaled so the short side is `maxShort`, both sides even. */
export function servedSize(probe: VideoProbe, maxShort: number): { width: number; height: number } {
  const even = (n: number) => Math.max(2, Math.round(n / 2) * 2);
  const scale = Math.min(1, maxShort / Math.min(probe.width, probe.height));
  return { width: even(probe.width * scale), height: even(probe.height * scale) };
}

/**
 * One web-playable MP4 (H.264 and AAC, index first so playback starts at once) for short
 * clips: a chat video is watched once, not streamed at many bitrates.
 */
export async function transcodeMp4(
  file: string,
  container: VideoContainer,
  out: string,
  probe: VideoProbe,
  size: { width: number; height: number },
  maxSeconds: number,
): Promise<void> {
  const args = ['-hide_banner', '-y', ...inputArgs(file, container), '-map_metadata', '-1', '-map', '0:v:0'];
  // Never more than the longest clip allowed is decoded, whatever the header says.
  args.push('-t', String(maxSeconds));
  if (probe.hasAudio) args.push('-map', '0:a:0', '-c:a', 'aac', '-b:a', '96k', '-ac', '2');
  args.push(
    ...['-vf', `scale=${size.width}:${size.height}`, '-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'main'],
    ...['-crf', '26', '-maxrate', '2500k', '-bufsize', '5000k', '-pix_fmt', 'yuv420p', '-movflags', '+faststart'],
    ...['-f', 'mp4', out],
  );
  try {
    await run(config.media.ffmpeg, args, Math.max(120_000, probe.durationSec * 20_000));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw err;
    throw new MediaRejected('transcode_failed');
  }
}

/**
 * A voice note as AAC in MP4 (plays in every browser and phone), mono, without the
 * upload's metadata; at most `maxSeconds + 1` is ever decoded. Its duration is read from
 * the result: recorders (a browser's MediaRecorder) often write none.
 */
export async function transcodeVoice(file: string, demuxer: string, out: string, maxSeconds: number): Promise<number> {
  const input = demuxedInput(file, demuxer);
  const source = await probe(input, 'unreadable_audio');
  if (!source.streams?.some((s) => s.codec_type === 'audio')) throw new MediaRejected('no_audio_stream');
  try {
    await run(
      config.media.ffmpeg,
      [
        ...['-hide_banner', '-y', ...input, '-map_metadata', '-1', '-vn', '-map', '0:a:0', '-t', String(maxSeconds + 1)],
        ...['-c:a', 'aac', '-b:a', '64k', '-ac', '1', '-movflags', '+faststart', '-f', 'mp4', out],
      ],
      Math.max(60_000, maxSeconds * 2_000),
    );
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw err;
    throw new MediaRejected('unreadable_audio');
  }
  const result = await probe(demuxedInput(out, DEMUXERS.mp4), 'unreadable_audio');
  const durationSec = Number(result.format?.duration);
  if (!Number.isFinite(durationSec) || durationSec <= 0) throw new MediaRejected('unreadable_audio');
  if (durationSec > maxSeconds + 0.5) throw new MediaRejected('too_long');
  return Math.round(durationSec * 10) / 10;
}
