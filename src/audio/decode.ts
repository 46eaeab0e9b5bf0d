/**
 * Streaming decode: ONE ffmpeg child process, two raw outputs.
 *
 * - `pipe:1` (stdout): mono float32le at `analysisRateHz`, exposed as a backpressured async
 *   iterable (when the consumer is slow, the pipe fills and ffmpeg blocks in write()).
 * - `pipe:3` (an extra stdio fd, only when `onNative` is given): interleaved float32le at the
 *   native rate and channel count, delivered synchronously to `onNative` as it arrives.
 *
 * Nothing here holds more than one pipe chunk (~64 KiB) plus a few carried bytes, so memory is
 * flat whatever the recording's length. stderr is kept bounded (the last few KiB plus a small set
 * of deduplicated warning lines) and used to classify failures into SonoError codes.
 */
import { spawn } from 'node:child_process';
import { open } from 'node:fs/promises';
import { endianness } from 'node:os';
import type { Readable } from 'node:stream';
import { SonoError, toSonoError } from '../errors.js';
import type { ErrorCode } from '../errors.js';
import { resolveFfmpeg } from './ffmpeg-path.js';
import { Float32Reassembler } from './pcm-reassembler.js';
import { describeNonAudio, sniffAudioFormat, SNIFF_HEAD_BYTES } from './sniff.js';
import { readTags } from './tag-reader.js';
import type { SniffResult } from './sniff.js';
import type { DecodeOptions, DecodeResult, DecodeSession } from './types.js';

/** Default sample rate of the analysis stream. */
export const DEFAULT_ANALYSIS_RATE_HZ = 16000;

const STDERR_TAIL_BYTES = 8 * 1024;
const MAX_WARNINGS = 50;

if (endianness() !== 'LE') {
  // f32le bytes are viewed directly as a Float32Array.
  throw new Error('Sonoteca decode needs a little-endian host');
}

/**
 * Starts decoding `path`. Consume `analysis` to the end (or break out of it, which cancels the
 * decode) and await `done`. `onNative`, when given, is called synchronously with whole frames of
 * native-rate interleaved samples while `analysis` is being consumed.
 *
 * @example
 * const s = startDecode('a.wav', { nativeChannels: 2, nativeRateHz: 48000, onNative: qc.push });
 * for await (const block of s.analysis) analyzer.onSamples(block);
 * const { decodedDurationSec } = await s.done;
 */
export function startDecode(path: string, opts: DecodeOptions = {}): DecodeSession {
  const analysisRateHz = opts.analysisRateHz ?? DEFAULT_ANALYSIS_RATE_HZ;
  if (!Number.isInteger(analysisRateHz) || analysisRateHz < 1000 || analysisRateHz > 768000)
    throw new SonoError('SONO_ERR_INVALID_PARAMETER', {
      name: 'analysisRateHz',
      detail: `${analysisRateHz} is not an integer rate in 1000..768000 Hz`,
    });
  for (const key of ['nativeChannels', 'nativeRateHz'] as const) {
    const v = opts[key];
    if (v !== undefined && (!Number.isInteger(v) || v <= 0))
      throw new SonoError('SONO_ERR_INVALID_PARAMETER', {
        name: key,
        detail: `${v} is not a positive integer`,
      });
  }
  const session = new DecodeRun(path, analysisRateHz, opts);
  return { analysis: session.analysisIterable(), done: session.done };
}

class DecodeRun {
  readonly done: Promise<DecodeResult>;
  private resolveDone!: (r: DecodeResult) => void;
  private rejectDone!: (e: unknown) => void;
  private settled = false;
  private child: ReturnType<typeof spawn> | undefined;
  private readonly childReady: Promise<ReturnType<typeof spawn> | undefined>;
  private iterated = false;
  private analysisSamples = 0;
  private nativeSamples = 0;
  private nativeChannels = 0;
  /** First failure seen by us (cancel, early close, onNative throwing) — wins over ffmpeg's. */
  private failure: SonoError | undefined;
  private stderrTail = '';
  private stderrPartial = '';
  private readonly warnings = new Set<string>();
  private missingChannelCount = false;

  constructor(
    private readonly path: string,
    private readonly analysisRateHz: number,
    private readonly opts: DecodeOptions,
  ) {
    this.done = new Promise<DecodeResult>((res, rej) => {
      this.resolveDone = res;
      this.rejectDone = rej;
    });
    // Callers that only iterate `analysis` must not see an unhandled rejection.
    this.done.catch(() => undefined);
    this.childReady = this.startChild().catch((e: unknown) => {
      this.settle(toSonoError(e));
      return undefined;
    });
  }

  private settle(result: DecodeResult | SonoError): void {
    if (this.settled) return;
    this.settled = true;
    if (result instanceof SonoError) this.rejectDone(result);
    else this.resolveDone(result);
  }

  private async startChild(): Promise<ReturnType<typeof spawn> | undefined> {
    const signal = this.opts.signal;
    if (signal?.aborted) throw cancelled('aborted before start');
    const ffmpeg = resolveFfmpeg();
    let wantNative = this.opts.onNative !== undefined;
    if (wantNative) {
      const channels = this.opts.nativeChannels ?? (await readChannelCount(this.path));
      if (signal?.aborted) throw cancelled('aborted before start');
      if (channels === undefined) {
        // Unreadable header: decode the analysis stream only, so that ffmpeg's own diagnosis of
        // the file becomes the error; if ffmpeg succeeds, `done` rejects asking for the count.
        this.missingChannelCount = true;
        wantNative = false;
      } else this.nativeChannels = channels;
    }
    const args = [
      '-hide_banner',
      '-nostdin',
      '-nostats',
      '-loglevel',
      'level+warning',
      '-i',
      this.path,
      '-map',
      '0:a:0',
      '-vn',
      '-ac',
      '1',
      // Downmix as the mean of the channels (coefficients normalised to sum 1); ffmpeg's default
      // for float output is (L+R)/sqrt(2), which exceeds full scale on correlated stereo.
      '-rematrix_maxval',
      '1.0',
      '-ar',
      String(this.analysisRateHz),
      '-c:a',
      'pcm_f32le',
      '-f',
      'f32le',
      'pipe:1',
    ];
    if (wantNative) {
      // Forcing the probed channel count (and rate, when known) keeps the raw stream framed the
      // way `onNative` is told, even if the container's header and the decoder disagree.
      args.push('-map', '0:a:0', '-vn', '-ac', String(this.nativeChannels));
      if (this.opts.nativeRateHz !== undefined) args.push('-ar', String(this.opts.nativeRateHz));
      args.push('-c:a', 'pcm_f32le', '-f', 'f32le', 'pipe:3');
    }
    const child = spawn(ffmpeg.path, args, {
      stdio: wantNative ? ['ignore', 'pipe', 'pipe', 'pipe'] : ['ignore', 'pipe', 'pipe'],
      // Its own process group: a Ctrl-C typed into the terminal reaches the CLI, which cancels
      // through the abort signal (SONO_ERR_CANCELLED), not ffmpeg directly, which would die
      // mid-file and make a cancelled input look like a decode failure. ffmpeg still ends with
      // its reader: a closed pipe stops it.
      detached: true,
    });
    this.child = child;

    const onAbort = (): void => this.fail(cancelled('abort signal'));
    signal?.addEventListener('abort', onAbort, { once: true });

    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (s: string) => this.onStderr(s));
    if (wantNative) this.drainNative(child.stdio[3] as Readable);

    child.on('error', (e: NodeJS.ErrnoException) => {
      const err = new SonoError('SONO_ERR_DECODE_FAILED', { detail: `ffmpeg: ${e.message}` });
      this.fail(err);
      // A process that never started may not emit 'close'.
      if (child.pid === undefined) this.settle(err);
    });
    child.on('close', (code, sig) => {
      signal?.removeEventListener('abort', onAbort);
      void this.onClose(code, sig);
    });
    return child;
  }

  /** Records a failure and stops ffmpeg; `done` rejects once the process has exited. */
  private fail(e: SonoError): void {
    this.failure ??= e;
    if (this.child && this.child.exitCode === null && this.child.signalCode === null)
      this.child.kill('SIGKILL');
  }

  private drainNative(stream: Readable): void {
    // `onNative` data is only valid during the call, so one scratch buffer is reused (it grows to
    // the largest pipe chunk, ~64 KiB) instead of allocating per chunk.
    const frames = new Float32Reassembler(this.nativeChannels, true);
    stream.on('data', (chunk: Buffer) => {
      if (this.failure) return;
      const out = frames.push(chunk);
      if (!out) return;
      this.nativeSamples += out.length;
      try {
        this.opts.onNative!(out, this.nativeChannels);
      } catch (e) {
        this.fail(toSonoError(e));
      }
    });
    stream.on('error', () => undefined); // reported through the exit status
  }

  private onStderr(s: string): void {
    this.stderrTail = (this.stderrTail + s).slice(-STDERR_TAIL_BYTES);
    const lines = (this.stderrPartial + s).split('\n');
    this.stderrPartial = (lines.pop() ?? '').slice(-STDERR_TAIL_BYTES);
    for (const line of lines) this.noteLine(line);
  }

  private noteLine(raw: string): void {
    const line = raw.trim();
    if (!line || this.warnings.size >= MAX_WARNINGS) return;
    // Benign: raw WAV without a channel mask gets the default layout for its channel count.
    if (/Guessed Channel Layout/i.test(line)) return;
    // "[mp3 @ 0x55d…] [warning] text" → "mp3: text" (addresses differ per run; dedupe on text).
    const m =
      /^(?:\[([^\]@]+?)\s*@\s*0x[0-9a-f]+\]\s*)?(?:\[(?:warning|error|fatal)\]\s*)?(.*)$/i.exec(
        line,
      );
    const ctx = m?.[1]?.trim();
    const text = (m?.[2] ?? line).replaceAll(this.path, '<input>').slice(0, 300);
    this.warnings.add(ctx ? `${ctx}: ${text}` : text);
  }

  private async onClose(code: number | null, sig: NodeJS.Signals | null): Promise<void> {
    if (this.stderrPartial) this.noteLine(this.stderrPartial);
    if (this.failure) return this.settle(this.failure);
    if (code === 0 && this.missingChannelCount) {
      return this.settle(
        new SonoError('SONO_ERR_INVALID_PARAMETER', {
          name: 'nativeChannels',
          detail: `not given and not readable from the header of ${this.path}`,
        }),
      );
    }
    if (code === 0 && this.analysisSamples === 0) {
      const last = [...this.warnings].at(-1);
      return this.settle(
        new SonoError('SONO_ERR_DECODE_FAILED', {
          path: this.path,
          detail: `no audio samples were decoded${last ? ` (${last})` : ''}`,
        }),
      );
    }
    if (code === 0) return this.settle(this.result());
    const e = await classifyFfmpegFailure(this.path, this.stderrTail, code, sig).catch(
      (err: unknown) => toSonoError(err),
    );
    if (sig === null && this.analysisSamples > 0 && e.code !== 'SONO_ERR_PATH_NOT_FOUND') {
      // Damaged further in: what decoded before the error is the file's audio; the error is a
      // finding of the report (integrity), not a reason to lose the part that is there.
      this.warnings.add(`decode stopped early: ${e.message}`);
      return this.settle(this.result());
    }
    this.settle(e);
  }

  private result(): DecodeResult {
    return {
      analysisSamples: this.analysisSamples,
      decodedDurationSec: this.analysisSamples / this.analysisRateHz,
      nativeFrames: this.nativeChannels ? this.nativeSamples / this.nativeChannels : 0,
      warnings: [...this.warnings],
    };
  }

  analysisIterable(): AsyncIterable<Float32Array> {
    return {
      [Symbol.asyncIterator]: () => {
        if (this.iterated)
          throw new SonoError('SONO_ERR_INTERNAL', { detail: 'analysis stream iterated twice' });
        this.iterated = true;
        return this.iterateAnalysis();
      },
    };
  }

  private async *iterateAnalysis(): AsyncGenerator<Float32Array, void, undefined> {
    const child = await this.childReady;
    if (!child) {
      await this.done; // rethrows the start failure
      return;
    }
    // Fresh arrays: consumers may keep the blocks.
    const samples = new Float32Reassembler(1, false);
    let finished = false;
    try {
      for await (const chunk of child.stdout! as AsyncIterable<Buffer>) {
        const out = samples.push(chunk);
        if (!out) continue;
        this.analysisSamples += out.length;
        yield out;
      }
      finished = true;
    } catch (e) {
      // stdout errors only when ffmpeg is killed; the reason is in `done`.
      if (!this.failure) this.fail(toSonoError(e));
    } finally {
      if (!finished) this.fail(cancelled('analysis stream closed before the end'));
    }
    // Surface decode failures to the consumer of the stream, too.
    await this.done;
  }
}

function cancelled(detail: string): SonoError {
  return new SonoError('SONO_ERR_CANCELLED', { detail });
}

/** Channel count from the container header (music-metadata), for framing the native stream. */
async function readChannelCount(path: string): Promise<number | undefined> {
  try {
    const mm = await readTags(path, await sniffHead(path));
    const ch = mm.format.numberOfChannels;
    if (ch && ch > 0) return ch;
  } catch {
    // ffmpeg will report the real problem
  }
  return undefined;
}

async function sniffHead(path: string): Promise<SniffResult | null> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(SNIFF_HEAD_BYTES);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return sniffAudioFormat(buf.subarray(0, bytesRead));
  } finally {
    await fh.close();
  }
}

/** Rules from ffmpeg's stderr to codes, first match wins. */
const STDERR_RULES: readonly { re: RegExp; code: ErrorCode }[] = [
  { re: /No such file or directory/i, code: 'SONO_ERR_PATH_NOT_FOUND' },
  { re: /Permission denied/i, code: 'SONO_ERR_READ_FAILED' },
  {
    re: /matches no streams|does not contain any stream|no audio stream/i,
    code: 'SONO_ERR_NO_AUDIO_STREAM',
  },
  {
    re: /Decoder \(codec [^)]*\) not found|Unknown codec|unsupported codec|not (?:yet )?(?:implemented|supported)|Could not find codec parameters|Unsupported .*(?:format|codec)/i,
    code: 'SONO_ERR_UNSUPPORTED_CODEC',
  },
  {
    re: /partial file|truncat|End of file|unexpected end|filesize and duration do not match/i,
    code: 'SONO_ERR_TRUNCATED',
  },
];

/** Turns a failed ffmpeg run into a SonoError (exported for tests and probe). */
export async function classifyFfmpegFailure(
  path: string,
  stderrTail: string,
  code: number | null,
  sig: NodeJS.Signals | null,
): Promise<SonoError> {
  const errorLines = stderrTail
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /\[(error|fatal)\]/i.test(l));
  const detailLine =
    (errorLines.at(-1) ?? stderrTail.trim().split('\n').at(-1) ?? '')
      .replace(/^\[[^\]]*@\s*0x[0-9a-f]+\]\s*/i, '')
      .replace(/^\[(?:error|fatal|warning)\]\s*/i, '')
      .replaceAll(path, '<input>')
      .trim() || `ffmpeg exited with ${sig ? `signal ${sig}` : `code ${code}`}`;
  const text = errorLines.length > 0 ? errorLines.join('\n') : stderrTail;
  if (!/No such file or directory|Permission denied/i.test(text)) {
    // ffmpeg opens many non-audio files (a PNG becomes a video stream without audio): name the
    // content when its magic bytes say it is no audio container.
    const detected = await describeHead(path);
    if (detected && (detected !== 'unrecognised content' || /Invalid data found/i.test(text)))
      return new SonoError('SONO_ERR_NOT_AUDIO', { path, detected });
  }
  for (const rule of STDERR_RULES) {
    if (rule.re.test(text)) {
      return new SonoError(rule.code, { path, detail: detailLine });
    }
  }
  return new SonoError('SONO_ERR_DECODE_FAILED', { path, detail: detailLine });
}

/** Names non-audio content at the head of `path` (null when it looks like audio or unreadable). */
async function describeHead(path: string): Promise<string | null> {
  let fh;
  try {
    fh = await open(path, 'r');
    const buf = Buffer.alloc(SNIFF_HEAD_BYTES);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    const head = buf.subarray(0, bytesRead);
    if (sniffAudioFormat(head)) return null;
    return describeNonAudio(head) ?? 'unrecognised content';
  } catch {
    return null;
  } finally {
    await fh?.close();
  }
}
