/**
 * Batch progress: a live bar on a TTY (files done/total, audio time done, ETA from bytes
 * processed) and nothing but the caller's plain log lines otherwise.
 */
import cliProgress from 'cli-progress';
import { formatDuration } from './table.js';

export interface BatchProgress {
  /** Progress of a running file (seconds of audio decoded so far). */
  fileProgress(index: number, processedSec: number, durationSec: number, sizeBytes: number): void;
  fileDone(index: number, durationSec: number, sizeBytes: number): void;
  /** Prints a line without breaking the bar. */
  log(line: string): void;
  stop(): void;
}

export function createProgress(opts: {
  totalFiles: number;
  totalBytes: number;
  enabled: boolean;
  stream?: NodeJS.WriteStream;
}): BatchProgress {
  const stream = opts.stream ?? process.stderr;
  if (!opts.enabled || !stream.isTTY || opts.totalFiles === 0) {
    return {
      fileProgress: () => undefined,
      fileDone: () => undefined,
      log: (line) => stream.write(`${line}\n`),
      stop: () => undefined,
    };
  }
  // The bar advances by bytes (known for every file before it starts), so the ETA is sensible
  // for batches mixing short and long recordings; the labels show files and audio time.
  const total = Math.max(1, opts.totalBytes);
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: ' {bar} {percentage}% | {files} files | {audio} audio | ETA {eta_formatted}',
      hideCursor: true,
      etaBuffer: 50,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  let filesDone = 0;
  let bytesDone = 0;
  let audioDone = 0;
  const running = new Map<number, { bytes: number; sec: number }>();
  const payload = (): Record<string, string> => {
    let runSec = 0;
    for (const r of running.values()) runSec += r.sec;
    return {
      files: `${filesDone}/${opts.totalFiles}`,
      audio: formatDuration(audioDone + runSec),
    };
  };
  const value = (): number => {
    let b = bytesDone;
    for (const r of running.values()) b += r.bytes;
    return Math.min(total, b);
  };
  bar.start(total, 0, payload());
  return {
    fileProgress(index, processedSec, durationSec, sizeBytes) {
      const frac = durationSec > 0 ? Math.min(1, processedSec / durationSec) : 0;
      running.set(index, { bytes: frac * sizeBytes, sec: processedSec });
      bar.update(value(), payload());
    },
    fileDone(index, durationSec, sizeBytes) {
      running.delete(index);
      filesDone++;
      bytesDone += sizeBytes;
      audioDone += durationSec;
      bar.update(value(), payload());
    },
    log(line) {
      // cli-progress redraws on the next update; clear the line first so the text stays readable.
      stream.write(`\r\x1b[K${line}\n`);
      bar.update(value(), payload());
    },
    stop() {
      bar.stop();
    },
  };
}
