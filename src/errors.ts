/**
 * The one error registry of Sonoteca. Every error that leaves a module carries a stable code from
 * this table; `docs/errors.md` lists the same table for users (a test keeps the two in sync).
 *
 * `retryable` steers the job queue: corrupt or unsupported input fails at once, transient faults
 * (I/O, a database or Redis going away) are retried with backoff.
 */

export interface ErrorSpec {
  /** Message template; `{name}` placeholders are filled from the error's `details`. */
  readonly message: string;
  /** HTTP status the service answers with. */
  readonly httpStatus: number;
  /** Whether a job failing with this code may be retried. */
  readonly retryable: boolean;
}

export const ERROR_CODES = {
  // --- input files ---------------------------------------------------------------------------
  SONO_ERR_PATH_NOT_FOUND: {
    message: 'No such file or directory: {path}',
    httpStatus: 404,
    retryable: false,
  },
  SONO_ERR_NO_AUDIO_FILES: {
    message: 'No audio files found under {path}',
    httpStatus: 400,
    retryable: false,
  },
  SONO_ERR_EMPTY_FILE: {
    message: 'File is empty (0 bytes): {path}',
    httpStatus: 422,
    retryable: false,
  },
  SONO_ERR_NOT_AUDIO: {
    message: 'Not an audio file ({detected}): {path}',
    httpStatus: 415,
    retryable: false,
  },
  SONO_ERR_TRUNCATED: { message: 'File is truncated: {detail}', httpStatus: 422, retryable: false },
  SONO_ERR_CORRUPT_HEADER: {
    message: 'Corrupt or inconsistent header: {detail}',
    httpStatus: 422,
    retryable: false,
  },
  SONO_ERR_UNSUPPORTED_CODEC: {
    message: 'Unsupported codec or container: {detail}',
    httpStatus: 415,
    retryable: false,
  },
  SONO_ERR_FILE_TOO_LARGE: {
    message: 'File too large: {detail}',
    httpStatus: 413,
    retryable: false,
  },
  SONO_ERR_NO_AUDIO_STREAM: {
    message: 'The file has no audio stream: {path}',
    httpStatus: 422,
    retryable: false,
  },
  SONO_ERR_DECODE_FAILED: {
    message: 'Audio decoding failed: {detail}',
    httpStatus: 422,
    retryable: false,
  },
  SONO_ERR_READ_FAILED: {
    message: 'Could not read {path}: {detail}',
    httpStatus: 500,
    retryable: true,
  },
  // --- tools and models ------------------------------------------------------------------------
  SONO_ERR_FFMPEG_NOT_FOUND: {
    message: 'No ffmpeg binary found ({detail})',
    httpStatus: 500,
    retryable: false,
  },
  SONO_ERR_MODEL_LOAD: {
    message: 'Could not load model {model}: {detail}',
    httpStatus: 500,
    retryable: false,
  },
  SONO_ERR_MODEL_CHECKSUM: {
    message: 'Model {model} ({path}) has sha256 {actual}, expected {expected}',
    httpStatus: 500,
    retryable: false,
  },
  SONO_ERR_ANALYZER_FAILED: {
    message: 'Analyzer {analyzer} failed: {detail}',
    httpStatus: 500,
    retryable: false,
  },
  SONO_ERR_TIMEOUT: {
    message: 'Timed out after {seconds} s: {detail}',
    httpStatus: 504,
    retryable: true,
  },
  SONO_ERR_CANCELLED: { message: 'Cancelled: {detail}', httpStatus: 409, retryable: false },
  SONO_ERR_WORKER_CRASHED: {
    message: 'The analysis worker crashed while processing {path}: {detail}',
    httpStatus: 500,
    retryable: true,
  },
  // --- parameters and configuration ------------------------------------------------------------
  SONO_ERR_INVALID_PARAMETER: {
    message: 'Invalid parameter {name}: {detail}',
    httpStatus: 400,
    retryable: false,
  },
  SONO_ERR_UNKNOWN_PROFILE: {
    message: 'Unknown QC profile "{name}" (known: {known})',
    httpStatus: 400,
    retryable: false,
  },
  SONO_ERR_INVALID_CONFIG: {
    message: 'Invalid configuration {name}: {detail}',
    httpStatus: 500,
    retryable: false,
  },
  SONO_ERR_INVALID_MODEL: {
    message: 'Invalid model file {path}: {detail}',
    httpStatus: 400,
    retryable: false,
  },
  SONO_ERR_INVALID_LABELS: {
    message: 'Invalid labels file {path}: {detail}',
    httpStatus: 400,
    retryable: false,
  },
  // --- service ---------------------------------------------------------------------------------
  SONO_ERR_UNAUTHORIZED: {
    message: 'Authentication required: {detail}',
    httpStatus: 401,
    retryable: false,
  },
  SONO_ERR_FORBIDDEN: { message: 'Not allowed: {detail}', httpStatus: 403, retryable: false },
  SONO_ERR_NOT_FOUND: { message: '{what} not found: {id}', httpStatus: 404, retryable: false },
  SONO_ERR_CONFLICT: { message: 'Conflict: {detail}', httpStatus: 409, retryable: false },
  SONO_ERR_VALIDATION: { message: 'Invalid request: {detail}', httpStatus: 400, retryable: false },
  SONO_ERR_PAYLOAD_TOO_LARGE: {
    message: 'Upload exceeds the limit of {limit} bytes',
    httpStatus: 413,
    retryable: false,
  },
  SONO_ERR_RATE_LIMITED: {
    message: 'Too many requests: {detail}',
    httpStatus: 429,
    retryable: true,
  },
  SONO_ERR_PATH_NOT_ALLOWED: {
    message: 'Path is outside the allowed roots: {path}',
    httpStatus: 403,
    retryable: false,
  },
  SONO_ERR_DB_UNAVAILABLE: {
    message: 'Database unavailable: {detail}',
    httpStatus: 503,
    retryable: true,
  },
  SONO_ERR_QUEUE_UNAVAILABLE: {
    message: 'Job queue unavailable: {detail}',
    httpStatus: 503,
    retryable: true,
  },
  SONO_ERR_STORAGE_FAILED: {
    message: 'Storage failure: {detail}',
    httpStatus: 503,
    retryable: true,
  },
  SONO_ERR_WEBHOOK_FAILED: {
    message: 'Webhook delivery failed: {detail}',
    httpStatus: 502,
    retryable: true,
  },
  SONO_ERR_INTERNAL: { message: 'Internal error: {detail}', httpStatus: 500, retryable: true },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;

export type ErrorDetails = Readonly<Record<string, string | number | boolean | undefined>>;

function fillTemplate(template: string, details: ErrorDetails): string {
  return template.replace(/\{(\w+)\}/g, (_m, key: string) => {
    const v = details[key];
    return v === undefined ? `{${key}}` : String(v);
  });
}

/** The error type every Sonoteca module throws. */
export class SonoError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetails;
  readonly httpStatus: number;
  readonly retryable: boolean;

  constructor(code: ErrorCode, details: ErrorDetails = {}, options?: { cause?: unknown }) {
    const spec: ErrorSpec = ERROR_CODES[code];
    super(fillTemplate(spec.message, details), options);
    this.name = 'SonoError';
    this.code = code;
    this.details = details;
    this.httpStatus = spec.httpStatus;
    this.retryable = spec.retryable;
  }

  /** The JSON shape used in reports, batch summaries and HTTP error bodies. */
  toJSON(): { code: ErrorCode; message: string; details: ErrorDetails } {
    return { code: this.code, message: this.message, details: this.details };
  }
}

export function isSonoError(e: unknown): e is SonoError {
  return e instanceof SonoError;
}

/** Wraps anything thrown into a SonoError (unknown errors become SONO_ERR_INTERNAL). */
export function toSonoError(e: unknown): SonoError {
  if (e instanceof SonoError) return e;
  const detail = e instanceof Error ? e.message : String(e);
  return new SonoError('SONO_ERR_INTERNAL', { detail }, { cause: e });
}
