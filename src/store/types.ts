/**
 * The storage contract: table shapes (what Kysely sees), the readonly domain rows repositories
 * return, and the repository interfaces the service, the job processor and the CLI call.
 *
 * Portability rules (SQLite and PostgreSQL run the same queries):
 * - timestamps are ISO-8601 UTC strings (`new Date().toISOString()`), which sort as text;
 * - booleans are integers 0/1; JSON is text (parsed by the repositories);
 * - ids are text (UUIDs) except the append-only `audit_log` and `jobs` sequences.
 */
import type { Generated, Kysely } from 'kysely';

// --------------------------------------------------------------------------------------------
// Tables (snake_case, exactly the columns of the migrations)
// --------------------------------------------------------------------------------------------

export type Role = 'admin' | 'archivist' | 'viewer';
export const ROLES: readonly Role[] = ['admin', 'archivist', 'viewer'];

export type TaskStatus = 'queued' | 'processing' | 'completed' | 'failed' | 'cancelled';
export const TASK_STATUSES: readonly TaskStatus[] = [
  'queued',
  'processing',
  'completed',
  'failed',
  'cancelled',
];

export type ActorKind = 'user' | 'api_key' | 'system';

export interface UsersTable {
  id: string;
  username: string;
  password_hash: string;
  role: Role;
  created_at: string;
  /** 0 or 1. */
  disabled: number;
}

export interface ApiKeysTable {
  id: string;
  name: string;
  /** The public, non-secret start of the key used to find it (e.g. `sk_ab12cd34`). */
  prefix: string;
  key_hash: string;
  role: Role;
  user_id: string | null;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface TasksTable {
  id: string;
  batch_id: string | null;
  status: TaskStatus;
  processing_type: string;
  priority: number;
  /** 0..1 */
  progress: number;
  source_path: string;
  original_name: string | null;
  size_bytes: number | null;
  sha256: string | null;
  mime: string | null;
  submitted_by: string | null;
  result_id: string | null;
  cached_from_task_id: string | null;
  error_code: string | null;
  error_message: string | null;
  attempts: number;
  /** JSON object of external (MAXXI) identifiers. */
  external_ids: string | null;
  /** JSON object of analysis options (`AnalyzeOptions`). */
  options: string | null;
  /** Decoded audio duration, filled on completion. */
  duration_sec: number | null;
  created_at: string;
  updated_at: string;
  started_at: string | null;
  completed_at: string | null;
  processing_time_sec: number | null;
}

export interface ResultsTable {
  id: string;
  /** The task whose analysis produced this result. */
  task_id: string;
  sha256: string;
  processing_type: string;
  /** Analyzer names and versions that produced the report (see `computeAnalyzersKey`). */
  analyzers_key: string;
  schema_version: string;
  /** The report JSON. */
  report: string;
  created_at: string;
}

export interface BatchesTable {
  id: string;
  submitted_by: string | null;
  processing_type: string | null;
  task_count: number;
  label: string | null;
  created_at: string;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: string;
  actor: string;
  actor_kind: ActorKind;
  action: string;
  target_type: string | null;
  target_id: string | null;
  /** JSON */
  details: string | null;
  ip: string | null;
}

export interface MaxxiDeliveriesTable {
  task_id: string;
  state: string;
  external_state: string | null;
  delivered_at: string | null;
  webhook_attempts: number;
  last_error: string | null;
  updated_at: string;
}

export type JobState = 'waiting' | 'active' | 'completed' | 'failed';

/** The local (database) queue's jobs. Times here are epoch milliseconds (compared in SQL). */
export interface JobsTable {
  /** Insertion sequence: FIFO order within a priority. */
  seq: Generated<number>;
  task_id: string;
  priority: number;
  state: JobState;
  attempts: number;
  max_attempts: number;
  /** Not claimable before this time (retry backoff). */
  run_at_ms: number;
  lease_owner: string | null;
  lease_token: string | null;
  lease_expires_ms: number | null;
  /** 0 or 1: a cancel was requested while the job was active. */
  cancel_requested: number;
  progress: number;
  last_error_code: string | null;
  last_error_message: string | null;
  created_ms: number;
  updated_ms: number;
  finished_ms: number | null;
}

/** One reviewer correction: version `version` of a task's result (version 0 is the machine's). */
export interface CorrectionsTable {
  id: Generated<number>;
  task_id: string;
  version: number;
  kind: string;
  /** JSON of the correction as applied. */
  op: string;
  actor: string;
  created_at: string;
}

/** Headline review fields of one analysed task (collection filters, review queue ranking). */
export interface TaskReviewsTable {
  task_id: string;
  result_id: string | null;
  category: string | null;
  /** 0 or 1. */
  category_uncertain: number;
  qc_verdict: string | null;
  speakers: number | null;
  /** JSON array of reason codes. */
  reasons: string;
  priority_score: number;
  version: number;
  /** 0 or 1. */
  reviewed: number;
  reviewed_by: string | null;
  reviewed_at: string | null;
  updated_at: string;
}

export interface DatabaseSchema {
  users: UsersTable;
  api_keys: ApiKeysTable;
  tasks: TasksTable;
  results: ResultsTable;
  batches: BatchesTable;
  audit_log: AuditLogTable;
  maxxi_deliveries: MaxxiDeliveriesTable;
  jobs: JobsTable;
  fingerprints: FingerprintsTable;
  fingerprint_postings: FingerprintPostingsTable;
  corrections: CorrectionsTable;
  task_reviews: TaskReviewsTable;
  voices: VoicesTable;
  voice_name_rejections: VoiceNameRejectionsTable;
}

/** A name a person rejected for one voice (migration 005): never proposed for it again. */
export interface VoiceNameRejectionsTable {
  id: Generated<number>;
  voice_id: number;
  name: string;
  rejected_by: string | null;
  rejected_at: string;
}

/** One diarized speaker of one recording (content sha256) in one embedding model (migration 004). */
export interface VoicesTable {
  id: Generated<number>;
  recording_sha256: string;
  task_id: string | null;
  source_name: string | null;
  speaker_label: string;
  model: string;
  /** The L2-normalised embedding, float32 little-endian. */
  vector: Buffer;
  talk_time_sec: number | null;
  name: string | null;
  name_status: VoiceNameStatus | null;
  name_score: number | null;
  name_from_voice_id: number | null;
  named_by: string | null;
  named_at: string | null;
  created_at: string;
}

/** One fingerprinted recording, by content (migration 004). */
export interface FingerprintsTable {
  id: Generated<number>;
  sha256: string;
  /** The first task that analysed this content. */
  task_id: string | null;
  source_name: string | null;
  duration_sec: number;
  pcm_md5: string | null;
  encoding: string;
  hash_count: number;
  /** The triplets in `encoding` (8 bytes each). */
  data: Buffer;
  created_at: string;
}

/** The inverted index: one row per triplet of every fingerprint. */
export interface FingerprintPostingsTable {
  hash: number;
  fingerprint_id: number;
  time_ms: number;
  /** Log frequency of the first peak, 1/32 semitone above 100 Hz. */
  lf: number;
}

// --------------------------------------------------------------------------------------------
// Domain rows (camelCase, readonly, JSON parsed)
// --------------------------------------------------------------------------------------------

export interface User {
  readonly id: string;
  readonly username: string;
  readonly passwordHash: string;
  readonly role: Role;
  readonly createdAt: string;
  readonly disabled: boolean;
}

export interface ApiKey {
  readonly id: string;
  readonly name: string;
  readonly prefix: string;
  readonly keyHash: string;
  readonly role: Role;
  readonly userId: string | null;
  readonly createdAt: string;
  readonly lastUsedAt: string | null;
  readonly revokedAt: string | null;
}

export type JsonObject = { readonly [key: string]: unknown };

export interface Task {
  readonly id: string;
  readonly batchId: string | null;
  readonly status: TaskStatus;
  readonly processingType: string;
  readonly priority: number;
  readonly progress: number;
  readonly sourcePath: string;
  readonly originalName: string | null;
  readonly sizeBytes: number | null;
  readonly sha256: string | null;
  readonly mime: string | null;
  readonly submittedBy: string | null;
  readonly resultId: string | null;
  readonly cachedFromTaskId: string | null;
  readonly errorCode: string | null;
  readonly errorMessage: string | null;
  readonly attempts: number;
  readonly externalIds: Readonly<Record<string, string>> | null;
  readonly options: JsonObject | null;
  readonly durationSec: number | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly startedAt: string | null;
  readonly completedAt: string | null;
  readonly processingTimeSec: number | null;
}

export interface StoredResult {
  readonly id: string;
  readonly taskId: string;
  readonly sha256: string;
  readonly processingType: string;
  readonly analyzersKey: string;
  readonly schemaVersion: string;
  /** The report as stored (JSON text); parse it or stream it as is. */
  readonly reportJson: string;
  readonly createdAt: string;
}

export interface Batch {
  readonly id: string;
  readonly submittedBy: string | null;
  readonly processingType: string | null;
  readonly taskCount: number;
  readonly label: string | null;
  readonly createdAt: string;
}

export interface AuditEntry {
  readonly id: number;
  readonly at: string;
  readonly actor: string;
  readonly actorKind: ActorKind;
  readonly action: string;
  readonly targetType: string | null;
  readonly targetId: string | null;
  readonly details: JsonObject | null;
  readonly ip: string | null;
}

export interface MaxxiDelivery {
  readonly taskId: string;
  readonly state: string;
  readonly externalState: string | null;
  readonly deliveredAt: string | null;
  readonly webhookAttempts: number;
  readonly lastError: string | null;
  readonly updatedAt: string;
}

/** One page of a listing; pass `nextCursor` back as `cursor` for the next page (null: last page). */
export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor: string | null;
}

// --------------------------------------------------------------------------------------------
// Repositories
// --------------------------------------------------------------------------------------------

export interface NewTask {
  /** Defaults to a random UUID. */
  readonly id?: string;
  readonly batchId?: string | null;
  readonly processingType: string;
  /** Higher runs first. @defaultValue 0 */
  readonly priority?: number;
  readonly sourcePath: string;
  readonly originalName?: string | null;
  readonly sizeBytes?: number | null;
  readonly sha256?: string | null;
  readonly mime?: string | null;
  readonly submittedBy?: string | null;
  readonly externalIds?: Readonly<Record<string, string>> | null;
  readonly options?: JsonObject | null;
}

export interface TaskFilter {
  readonly status?: TaskStatus | readonly TaskStatus[];
  readonly processingType?: string;
  readonly batchId?: string;
  readonly submittedBy?: string;
  /** ISO timestamps, inclusive lower / exclusive upper bound on `created_at`. */
  readonly createdFrom?: string;
  readonly createdTo?: string;
  /** Page size, 1..1000. @defaultValue 50 */
  readonly limit?: number;
  /** Opaque cursor from a previous page. Newest first. */
  readonly cursor?: string;
}

export interface TasksRepository {
  create(task: NewTask): Promise<Task>;
  get(id: string): Promise<Task | undefined>;
  /** Newest first (created_at desc, id desc). */
  list(filter?: TaskFilter): Promise<Page<Task>>;
  countByStatus(): Promise<Readonly<Record<TaskStatus, number>>>;
  /** queued|processing → processing with started_at (kept if already set); undefined if cancelled/finished/missing. */
  markProcessing(id: string, attempt: number): Promise<Task | undefined>;
  /** Only while processing; progress is clamped to 0..1. */
  setProgress(id: string, fraction: number): Promise<void>;
  /** queued|processing → completed. Returns false when the task was cancelled meanwhile. */
  markCompleted(
    id: string,
    done: {
      readonly resultId: string;
      readonly cachedFromTaskId?: string | null;
      readonly processingTimeSec: number;
      readonly durationSec?: number | null;
      readonly sha256?: string | null;
    },
  ): Promise<boolean>;
  /** queued|processing → failed with a coded error. Returns false if the task was cancelled/finished. */
  markFailed(
    id: string,
    error: { readonly code: string; readonly message: string },
  ): Promise<boolean>;
  /** processing → queued (retry after a transient fault, or graceful shutdown). */
  markQueued(id: string): Promise<boolean>;
  /** queued|processing → cancelled. Returns false if already finished or missing. */
  markCancelled(id: string): Promise<boolean>;
  /** Edits fields that may change after submission. */
  update(
    id: string,
    patch: {
      readonly externalIds?: Readonly<Record<string, string>> | null;
      readonly priority?: number;
      readonly sha256?: string | null;
      readonly mime?: string | null;
      readonly sizeBytes?: number | null;
    },
  ): Promise<Task | undefined>;
  delete(id: string): Promise<boolean>;
}

export interface NewResult {
  readonly taskId: string;
  readonly sha256: string;
  readonly processingType: string;
  readonly analyzersKey: string;
  readonly schemaVersion: string;
  readonly reportJson: string;
}

export interface ResultsRepository {
  get(id: string): Promise<StoredResult | undefined>;
  findByContent(key: {
    readonly sha256: string;
    readonly processingType: string;
    readonly analyzersKey: string;
  }): Promise<StoredResult | undefined>;
  /** Inserts, or returns the existing result with the same (sha256, processing_type, analyzers_key). */
  insertOrGet(result: NewResult): Promise<StoredResult>;
  delete(id: string): Promise<boolean>;
}

export interface UsersRepository {
  create(user: {
    readonly id?: string;
    readonly username: string;
    readonly passwordHash: string;
    readonly role: Role;
  }): Promise<User>;
  get(id: string): Promise<User | undefined>;
  getByUsername(username: string): Promise<User | undefined>;
  list(): Promise<readonly User[]>;
  count(): Promise<number>;
  update(
    id: string,
    patch: { readonly passwordHash?: string; readonly role?: Role; readonly disabled?: boolean },
  ): Promise<User | undefined>;
  delete(id: string): Promise<boolean>;
}

export interface ApiKeysRepository {
  create(key: {
    readonly id?: string;
    readonly name: string;
    readonly prefix: string;
    readonly keyHash: string;
    readonly role: Role;
    readonly userId?: string | null;
  }): Promise<ApiKey>;
  get(id: string): Promise<ApiKey | undefined>;
  /** Active (not revoked) keys with this prefix. */
  findByPrefix(prefix: string): Promise<readonly ApiKey[]>;
  list(): Promise<readonly ApiKey[]>;
  touch(id: string): Promise<void>;
  revoke(id: string): Promise<boolean>;
}

export interface AuditRepository {
  append(entry: {
    readonly actor: string;
    readonly actorKind: ActorKind;
    readonly action: string;
    readonly targetType?: string | null;
    readonly targetId?: string | null;
    readonly details?: JsonObject | null;
    readonly ip?: string | null;
  }): Promise<AuditEntry>;
  /** Newest first. */
  list(filter?: {
    readonly actor?: string;
    readonly action?: string;
    readonly targetType?: string;
    readonly targetId?: string;
    readonly limit?: number;
    readonly cursor?: string;
  }): Promise<Page<AuditEntry>>;
}

export interface BatchesRepository {
  create(batch: {
    readonly id?: string;
    readonly submittedBy?: string | null;
    readonly processingType?: string | null;
    readonly taskCount: number;
    readonly label?: string | null;
  }): Promise<Batch>;
  get(id: string): Promise<Batch | undefined>;
  /** Removes a batch (a refused submission); its tasks, if any, keep `batch_id` null. */
  delete(id: string): Promise<boolean>;
}

export interface MaxxiRepository {
  get(taskId: string): Promise<MaxxiDelivery | undefined>;
  /** Creates the row (state required then) or patches it; bumps updated_at. */
  upsert(
    taskId: string,
    patch: {
      readonly state?: string;
      readonly externalState?: string | null;
      readonly deliveredAt?: string | null;
      readonly webhookAttempts?: number;
      readonly lastError?: string | null;
    },
  ): Promise<MaxxiDelivery>;
  list(filter?: {
    readonly state?: string;
    readonly limit?: number;
  }): Promise<readonly MaxxiDelivery[]>;
}

export interface Correction {
  readonly id: number;
  readonly taskId: string;
  readonly version: number;
  readonly kind: string;
  readonly op: JsonObject;
  readonly actor: string;
  readonly createdAt: string;
}

export interface TaskReview {
  readonly taskId: string;
  readonly resultId: string | null;
  readonly category: string | null;
  readonly categoryUncertain: boolean;
  readonly qcVerdict: string | null;
  readonly speakers: number | null;
  readonly reasons: readonly string[];
  readonly priorityScore: number;
  readonly version: number;
  readonly reviewed: boolean;
  readonly reviewedBy: string | null;
  readonly reviewedAt: string | null;
  readonly updatedAt: string;
}

/** A task with its review summary (absent until the summary was computed). */
export interface CollectionItem {
  readonly task: Task;
  readonly review: TaskReview | null;
}

export type CollectionSort = 'created_at' | 'file_name' | 'duration' | 'status' | 'category';

export interface CollectionFilter {
  /** Case-insensitive substring of the file name. */
  readonly search?: string;
  readonly status?: readonly TaskStatus[];
  readonly category?: string;
  readonly qcVerdict?: string;
  readonly reviewed?: boolean;
  readonly uncertain?: boolean;
  readonly batchId?: string;
  /** @defaultValue 'created_at' */
  readonly sort?: CollectionSort;
  /** @defaultValue 'desc' */
  readonly order?: 'asc' | 'desc';
  /** 1..1000. @defaultValue 50 */
  readonly limit?: number;
  /** @defaultValue 0 */
  readonly offset?: number;
}

export interface ReviewsRepository {
  /** Appends version `expectedVersion + 1`; throws SONO_ERR_CONFLICT when another version won. */
  appendCorrection(c: {
    readonly taskId: string;
    readonly expectedVersion: number;
    readonly kind: string;
    readonly op: JsonObject;
    readonly actor: string;
  }): Promise<Correction>;
  /** Oldest first. */
  listCorrections(taskId: string): Promise<readonly Correction[]>;
  /** Every correction of the given kinds, oldest first (accuracy dashboard). */
  listCorrectionsByKind(kinds: readonly string[]): Promise<readonly Correction[]>;
  getSummary(taskId: string): Promise<TaskReview | undefined>;
  upsertSummary(s: Omit<TaskReview, 'updatedAt'>): Promise<TaskReview>;
  /** Completed tasks whose summary is missing or was computed from another result. */
  listUnsummarized(limit: number): Promise<readonly Task[]>;
  /** Tasks with their summaries: filtered, sorted and paged in SQL. */
  listCollection(filter?: CollectionFilter): Promise<{
    readonly items: readonly CollectionItem[];
    readonly total: number;
  }>;
  /** Unreviewed tasks with at least one reason, highest priority first. */
  listQueue(opts: {
    readonly reason?: string;
    readonly limit?: number;
    readonly offset?: number;
  }): Promise<{ readonly items: readonly CollectionItem[]; readonly total: number }>;
  /** Recordings per heritage category (summaries with a category). */
  countCategories(): Promise<Readonly<Record<string, number>>>;
  /** Unreviewed summaries' reasons counted. */
  countReasons(): Promise<Readonly<Record<string, number>>>;
}

/** Health of one dependency (database, queue). */
export interface ComponentHealth {
  readonly ok: boolean;
  readonly latencyMs: number;
  readonly error?: { readonly code: string; readonly message: string };
}

export type DatabaseConfig =
  | {
      readonly kind: 'sqlite';
      readonly file: string;
      /** How long a write waits for another process's lock before failing. @defaultValue 5000 */
      readonly busyTimeoutMs?: number;
    }
  | {
      readonly kind: 'postgres';
      readonly host: string;
      readonly port: number;
      readonly database: string;
      readonly user: string;
      readonly password?: string;
      /** Schema to use (created if missing) — tests isolate runs with it. @defaultValue 'public' */
      readonly schema?: string;
      /** Pool size. @defaultValue 10 */
      readonly poolMax?: number;
      /** `application_name` of the connections (visible in pg_stat_activity). @defaultValue 'sonoteca' */
      readonly applicationName?: string;
    };

/** The database with its repositories. Every operation throws `SONO_ERR_DB_UNAVAILABLE` while the database is unreachable. */
export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  /** The Kysely instance (for the local queue and ad-hoc queries). */
  readonly db: Kysely<DatabaseSchema>;
  readonly tasks: TasksRepository;
  readonly results: ResultsRepository;
  readonly users: UsersRepository;
  readonly apiKeys: ApiKeysRepository;
  readonly audit: AuditRepository;
  readonly batches: BatchesRepository;
  readonly maxxi: MaxxiRepository;
  readonly fingerprints: FingerprintsRepository;
  readonly reviews: ReviewsRepository;
  readonly voices: VoicesRepository;
  /** Applies pending migrations (createDatabase does it unless told not to). */
  migrate(): Promise<void>;
  /** Runs `SELECT 1`; never throws. */
  ping(): Promise<ComponentHealth>;
  close(): Promise<void>;
}

export interface StoredFingerprint {
  readonly id: number;
  readonly sha256: string;
  readonly taskId: string | null;
  readonly sourceName: string | null;
  readonly durationSec: number;
  readonly pcmMd5: string | null;
  readonly encoding: string;
  readonly hashCount: number;
  /** The triplets (sonoteca-fp1 bytes). */
  readonly data: Buffer;
  readonly createdAt: string;
}

export interface NewFingerprint {
  readonly sha256: string;
  readonly taskId: string | null;
  readonly sourceName: string | null;
  readonly durationSec: number;
  readonly pcmMd5: string | null;
  readonly encoding: string;
  readonly data: Buffer;
}

/** One posting of the inverted index. */
export interface FingerprintPosting {
  readonly hash: number;
  readonly fingerprintId: number;
  readonly timeMs: number;
  /** 1/32 semitone above 100 Hz. */
  readonly lf: number;
}

export interface FingerprintsRepository {
  /**
   * Stores the fingerprint of a content (sha256) with its postings, once: storing the same
   * content again returns the first one (its task is the first task that analysed it).
   */
  put(n: NewFingerprint): Promise<StoredFingerprint>;
  get(id: number): Promise<StoredFingerprint | undefined>;
  findBySha256(sha256: string): Promise<StoredFingerprint | undefined>;
  findByTask(taskId: string): Promise<StoredFingerprint | undefined>;
  /** Fingerprints of the same decoded audio data (exact copies). */
  findByPcmMd5(pcmMd5: string): Promise<readonly StoredFingerprint[]>;
  /** The postings of these hashes (any order). */
  lookup(hashes: readonly number[]): Promise<readonly FingerprintPosting[]>;
  delete(id: number): Promise<boolean>;
  count(): Promise<number>;
}

/** `confirmed`: a person gave the name; `suggested`: proposed by voice matching. */
export type VoiceNameStatus = 'confirmed' | 'suggested';

export interface StoredVoice {
  readonly id: number;
  readonly recordingSha256: string;
  readonly taskId: string | null;
  readonly sourceName: string | null;
  readonly speakerLabel: string;
  readonly model: string;
  readonly vector: Float32Array;
  readonly talkTimeSec: number | null;
  readonly name: string | null;
  readonly nameStatus: VoiceNameStatus | null;
  /** Calibrated probability of the suggestion (null when confirmed or unnamed). */
  readonly nameScore: number | null;
  /** The confirmed voice the suggestion comes from. */
  readonly nameFromVoiceId: number | null;
  readonly namedBy: string | null;
  readonly namedAt: string | null;
}

export interface NewVoice {
  readonly recordingSha256: string;
  readonly taskId: string | null;
  readonly sourceName: string | null;
  readonly speakerLabel: string;
  readonly model: string;
  readonly vector: readonly number[];
  readonly talkTimeSec: number | null;
}

export interface VoicesRepository {
  /** Stores voices once per (recording, speaker, model); returns the recording's voices. */
  addAll(voices: readonly NewVoice[]): Promise<readonly StoredVoice[]>;
  get(id: number): Promise<StoredVoice | undefined>;
  listByRecording(recordingSha256: string): Promise<readonly StoredVoice[]>;
  listByModel(model: string): Promise<readonly StoredVoice[]>;
  /** Voices with this name, confirmed or suggested (case-insensitive). */
  listByName(name: string): Promise<readonly StoredVoice[]>;
  setName(
    id: number,
    n: {
      readonly name: string | null;
      readonly status: VoiceNameStatus | null;
      readonly score?: number | null;
      readonly fromVoiceId?: number | null;
      readonly by?: string | null;
    },
  ): Promise<boolean>;
  /** Records that a person rejected `name` for voice `id` (idempotent). */
  rejectName(id: number, name: string, by: string | null): Promise<void>;
  /** Rejected names by voice id, lower-cased, for the voices of `model`. */
  rejectionsByModel(model: string): Promise<ReadonlyMap<number, ReadonlySet<string>>>;
}
