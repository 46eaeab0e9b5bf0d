/**
 * The record of an input that could not be analysed (`status: "failed"`): the coded error, the
 * size and checksums of the bytes, what the bytes look like (sniffed format, or what non-audio
 * content they are) and whatever ffmpeg's demuxer could read. An archive keeps one record per
 * input, failures included (docs/schema/failure-record.schema.json).
 */
import { open, stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { computeFixity } from '../audio/fixity.js';
import { probeWithFfmpeg, type FfmpegStreamInfo } from '../audio/ffmpeg-probe.js';
import {
  describeNonAudio,
  identifyContent,
  sniffAudioFormat,
  SNIFF_HEAD_BYTES,
} from '../audio/sniff.js';
import type { ContentIdentity } from '../audio/types.js';
import type { ErrorCode, ErrorDetails } from '../errors.js';
import { generatorVersion } from './report.js';

/** Version of the failure record format. */
export const FAILURE_RECORD_VERSION = '1.0.0';

export interface FailureRecord {
  readonly schema_version: string;
  readonly record_type: 'failure';
  readonly status: 'failed' | 'cancelled';
  readonly generator: { readonly name: 'sonoteca'; readonly version: string };
  readonly task_id?: string;
  readonly created_at: string;
  readonly source: {
    readonly path: string;
    readonly file_name: string;
    /** null when the file could not be read at all (missing, permission). */
    readonly size_bytes: number | null;
  };
  readonly error: {
    readonly code: ErrorCode;
    readonly message: string;
    readonly details: ErrorDetails;
  };
  /** Checksums of the bytes as they are; null when they could not be read. */
  readonly fixity: { readonly md5: string; readonly sha256: string; readonly bytes: number } | null;
  /** Sniffed content against the name; `non_audio` names recognised non-audio content. */
  readonly content: ContentIdentity & { readonly non_audio: string | null };
  /** What ffmpeg's demuxer read (format, duration, first audio stream); null when nothing. */
  readonly probe: FfmpegStreamInfo | null;
}

async function readHead(path: string): Promise<Buffer | null> {
  try {
    const fh = await open(path, 'r');
    try {
      const buf = Buffer.alloc(SNIFF_HEAD_BYTES);
      const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
      return buf.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  } catch {
    return null;
  }
}

/**
 * Builds the failure record of `path` for `error`. Never throws: what cannot be read is null.
 * `cancelled` marks an input that was stopped, not one that is broken.
 */
export async function buildFailureRecord(
  path: string,
  error: { readonly code: ErrorCode; readonly message: string; readonly details?: ErrorDetails },
  opts: {
    readonly taskId?: string;
    readonly signal?: AbortSignal;
    /** What the record names, when `path` is only how to read the file (`AnalyzeFileParams.source`). */
    readonly source?: { readonly path: string; readonly fileName: string };
  } = {},
): Promise<FailureRecord> {
  const absPath = resolve(path);
  const fileName = opts.source?.fileName ?? basename(absPath);
  let size: number | null = null;
  try {
    const st = await stat(absPath);
    if (st.isFile()) size = st.size;
  } catch {
    size = null;
  }
  const head = size !== null ? await readHead(absPath) : null;
  const sniffed = head ? sniffAudioFormat(head) : null;
  const readable = size !== null && head !== null;
  const fixity = readable
    ? await computeFixity(absPath).then(
        (f) => ({ md5: f.md5, sha256: f.sha256, bytes: f.bytes }),
        () => null,
      )
    : null;
  // The demuxer's view helps the archivist only when the bytes are there (and not cancelled).
  const probe =
    readable && size! > 0 && error.code !== 'SONO_ERR_CANCELLED' && !opts.signal?.aborted
      ? await probeWithFfmpeg(absPath, opts.signal).catch(() => null)
      : null;
  return {
    schema_version: FAILURE_RECORD_VERSION,
    record_type: 'failure',
    status: error.code === 'SONO_ERR_CANCELLED' ? 'cancelled' : 'failed',
    generator: { name: 'sonoteca', version: generatorVersion() },
    ...(opts.taskId !== undefined ? { task_id: opts.taskId } : {}),
    created_at: new Date().toISOString(),
    source: { path: opts.source?.path ?? absPath, file_name: fileName, size_bytes: size },
    error: { code: error.code, message: error.message, details: error.details ?? {} },
    fixity,
    content: {
      ...identifyContent(fileName, sniffed),
      non_audio: head && !sniffed ? describeNonAudio(head) : null,
    },
    probe,
  };
}
