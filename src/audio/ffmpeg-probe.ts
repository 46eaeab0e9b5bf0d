/**
 * ffprobe-level probing with the ffmpeg binary the decoder uses: `ffmpeg -i <file>` prints the
 * demuxer's view of the input (format, duration, first audio stream) on stderr. The probe falls
 * back to it when music-metadata cannot read a header that ffmpeg can (a damaged FLAC STREAMINFO,
 * a cut MP4 `moov`, an MP3 without a clean first frame …): what ffmpeg decodes is analysed.
 *
 * Why stderr and not ffprobe's JSON: the npm ffmpeg build (@ffmpeg-installer) ships no ffprobe,
 * and the lines parsed here have been stable across ffmpeg releases for a decade.
 */
import { spawn } from 'node:child_process';
import { resolveFfmpeg } from './ffmpeg-path.js';

export interface FfmpegStreamInfo {
  /** Demuxer name(s), e.g. `mp3`, `mov,mp4,m4a,3gp,3g2,mj2`, `ogg`, `wav`. */
  readonly demuxer: string;
  /** Seconds; null when ffmpeg prints `N/A`. */
  readonly durationSec: number | null;
  /** ffmpeg codec name of the first audio stream, e.g. `mp3`, `aac`, `pcm_s16le`. */
  readonly codec: string;
  readonly sampleRateHz: number;
  readonly channels: number;
  /** kb/s × 1000 of the stream (or of the container when the stream has none); null if unknown. */
  readonly bitrate: number | null;
  /** Bits per sample of PCM / lossless codecs (from `pcm_s24le`, `s32 (24 bit)` …). */
  readonly bitDepth: number | null;
}

const PROBE_TIMEOUT_MS = 30_000;
const STDERR_LIMIT_BYTES = 64 * 1024;

const LAYOUT_CHANNELS: Readonly<Record<string, number>> = {
  mono: 1,
  stereo: 2,
  '2.1': 3,
  '3.0': 3,
  '3.0(back)': 3,
  '3.1': 4,
  '4.0': 4,
  quad: 4,
  'quad(side)': 4,
  '4.1': 5,
  '5.0': 5,
  '5.0(side)': 5,
  '5.1': 6,
  '5.1(side)': 6,
  '6.0': 6,
  '6.1': 7,
  '7.0': 7,
  '7.1': 8,
  '7.1(wide)': 8,
  octagonal: 8,
  downmix: 2,
};

/** Runs `ffmpeg -i path` and returns its stderr (bounded), or null when ffmpeg cannot run. */
function runFfmpegInfo(path: string, signal?: AbortSignal): Promise<string | null> {
  return new Promise((resolvePromise) => {
    let out = '';
    let child;
    try {
      child = spawn(resolveFfmpeg().path, ['-hide_banner', '-nostdin', '-i', path], {
        stdio: ['ignore', 'ignore', 'pipe'],
        timeout: PROBE_TIMEOUT_MS,
        detached: true, // not killed by the terminal's Ctrl-C: see decode.ts

        ...(signal ? { signal } : {}),
      });
    } catch {
      resolvePromise(null);
      return;
    }
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (s: string) => {
      if (out.length < STDERR_LIMIT_BYTES) out += s;
    });
    child.on('error', () => resolvePromise(null));
    child.on('close', () => resolvePromise(out));
  });
}

/** Parses the `Input #0` block of `ffmpeg -i` (exported for tests). */
export function parseFfmpegInfo(stderr: string): FfmpegStreamInfo | null {
  const input = /^Input #0, (.+?), from /m.exec(stderr);
  const stream = /^\s*Stream #0:\d+.*?: Audio: (.+)$/m.exec(stderr);
  if (!input || !stream) return null;
  const fields = splitTopLevel(stream[1]!);
  const codec = (fields[0] ?? '').split(/\s+/)[0] ?? '';
  const rate = fields.map((f) => /^(\d+) Hz$/.exec(f)).find(Boolean);
  if (!codec || !rate) return null;
  let channels = 0;
  for (const f of fields) {
    const n = /^(\d+) channels/.exec(f);
    if (n) channels = Number(n[1]);
    else if (LAYOUT_CHANNELS[f] !== undefined) channels = LAYOUT_CHANNELS[f];
    if (channels) break;
  }
  if (!channels) return null;
  const dur = /Duration: (\d+):(\d\d):(\d\d(?:\.\d+)?)/.exec(stderr);
  const durationSec = dur ? Number(dur[1]) * 3600 + Number(dur[2]) * 60 + Number(dur[3]) : null;
  const streamKbps = fields.map((f) => /^(\d+) kb\/s/.exec(f)).find(Boolean);
  const containerKbps = /Duration: .*?bitrate: (\d+) kb\/s/.exec(stderr);
  const kbps = streamKbps?.[1] ?? containerKbps?.[1];
  const pcmBits = /^pcm_[suf](\d+)/.exec(codec);
  const sampleFmtBits = fields
    .map((f) => /^[suf](\d+)p?(?: \((\d+) bit\))?$/.exec(f))
    .find(Boolean);
  const lossless = pcmBits !== null || /^(flac|alac|wavpack|ape|tta|mlp|truehd)$/.test(codec);
  const bitDepth = pcmBits
    ? Number(pcmBits[1])
    : lossless && sampleFmtBits
      ? Number(sampleFmtBits[2] ?? sampleFmtBits[1])
      : null;
  return {
    demuxer: input[1]!,
    durationSec,
    codec,
    sampleRateHz: Number(rate[1]),
    channels,
    bitrate: kbps ? Number(kbps) * 1000 : null,
    bitDepth,
  };
}

/** Splits on commas outside parentheses (`aac (LC) (mp4a / 0x6134706D), 16000 Hz, mono`). */
function splitTopLevel(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    else if (ch === ')') depth = Math.max(0, depth - 1);
    if (ch === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

/** What ffmpeg's demuxer sees in `path`; null when it finds no audio stream (or cannot run). */
export async function probeWithFfmpeg(
  path: string,
  signal?: AbortSignal,
): Promise<FfmpegStreamInfo | null> {
  const stderr = await runFfmpegInfo(path, signal);
  return stderr === null ? null : parseFfmpegInfo(stderr);
}

/** ffmpeg codec name → the codec names the report uses elsewhere (music-metadata's). */
export function reportCodecName(ffmpegCodec: string): string {
  if (ffmpegCodec.startsWith('pcm_f')) return 'IEEE_FLOAT';
  if (ffmpegCodec === 'pcm_alaw') return 'A-law';
  if (ffmpegCodec === 'pcm_mulaw') return 'mu-law';
  if (ffmpegCodec.startsWith('pcm_')) return 'PCM';
  const names: Readonly<Record<string, string>> = {
    mp3: 'MPEG 1 Layer 3',
    mp2: 'MPEG 1 Layer 2',
    mp1: 'MPEG 1 Layer 1',
    aac: 'AAC',
    flac: 'FLAC',
    opus: 'Opus',
    vorbis: 'Vorbis',
    alac: 'ALAC',
    wavpack: 'WavPack',
    ape: "Monkey's Audio",
    ac3: 'AC-3',
    eac3: 'E-AC-3',
    dts: 'DTS',
    speex: 'Speex',
  };
  return names[ffmpegCodec] ?? ffmpegCodec;
}
