/**
 * The queue handler that turns a task into a result:
 * load the task (skip it when cancelled or finished) → mark it processing → open its file once, by
 * descriptor, inside the source roots → results cache by content (same SHA-256, processing type
 * and analyzers key → point at the existing result, no analysis) → otherwise analyse that
 * descriptor off the event loop (worker-thread pool) → store the report → mark the task completed
 * (or failed with its coded error) → hooks (MAXXI delivery). Every report handed on is addressed
 * to the task's own file (path, name, title), never to the submission that filled the cache.
 *
 * Retries are the queue's business: a retryable failure that has attempts left puts the task back
 * to `queued` and rethrows; a non-retryable one (corrupt audio) or the last attempt marks it
 * `failed`.
 */
import { createHash } from 'node:crypto';
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { AnalyzeOptions } from '../analysis/analyzer.js';
import type { AudioInfo } from '../audio/types.js';
import { SonoError, toSonoError, type ErrorCode, type ErrorDetails } from '../errors.js';
import { openAllowedFile, type PinnedFile } from '../maxxi/allowed-roots.js';
import type { AnalyzeProgress, AnalyzeResult } from '../pipeline/analyze-file.js';
import { reportForTask } from '../pipeline/report-identity.js';
import { SCHEMA_VERSION, type Report } from '../pipeline/report.js';
import { storeFingerprint } from './fingerprints.js';
import { storeVoices } from './voiceprints.js';
import { PROCESSING_TYPES, STAGES, type ProcessingType, type Stage } from '../pipeline/stages.js';
import type { PoolRunOptions, WorkerTaskParams } from '../pipeline/worker-pool.js';
import type { Store, Task } from '../store/types.js';
import { abortKindOf, type JobHandler, type JobQueue } from './queue.js';

/** Runs one analysis (H3's `WorkerPool.run`, or any function with its shape). */
export type AnalyzeRunner = (
  path: string,
  params: WorkerTaskParams,
  opts: PoolRunOptions,
) => Promise<AnalyzeResult>;

/** The part of a pino logger the processor uses. */
export interface ProcessorLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface TaskProcessorHooks {
  /**
   * After a task completed (analysed or served from the cache). For a cache hit the report is the
   * cached one with `task_id` set to this task and `info.cached` is true (nothing was analysed:
   * do not count its audio or processing seconds again). A throwing hook is logged, never fails
   * the task.
   */
  afterComplete?(task: Task, report: Report, info: { readonly cached: boolean }): Promise<void>;
}

export interface TaskProcessorDeps {
  readonly store: Store;
  readonly pool: { run: AnalyzeRunner } | AnalyzeRunner;
  readonly logger: ProcessorLogger;
  readonly hooks?: TaskProcessorHooks;
  /** Input limits passed to the probe. */
  readonly limits?: WorkerTaskParams['limits'];
  /** Minimum time between progress writes. @defaultValue 1000 */
  readonly progressIntervalMs?: number;
  /** Stage registry (the default one in production). @defaultValue STAGES */
  readonly stages?: readonly Stage[];
  /**
   * Directories a task's file must lie in when it is opened (the upload directory and
   * MAXXI_ALLOWED_ROOTS in the service). Undefined: any path, still opened once by descriptor.
   */
  readonly sourceRoots?: readonly string[];
}

/** Error details naming the descriptor path name the task's path instead. */
function detailsForTask(
  details: ErrorDetails | undefined,
  pinned: PinnedFile,
  task: Task,
): ErrorDetails {
  const out: Record<string, ErrorDetails[string]> = {};
  for (const [k, v] of Object.entries(details ?? {}))
    out[k] = typeof v === 'string' ? v.split(pinned.path).join(task.sourcePath) : v;
  return out;
}

const PLACEHOLDER_AUDIO: AudioInfo = {
  duration: 0,
  sample_rate: 48000,
  channels: 2,
  bit_depth: 24,
  bitrate: null,
  container: 'WAVE',
  codec: 'PCM',
  lossless: true,
  mime_type: 'audio/wav',
  file_size_bytes: 0,
};

/** Canonical JSON (sorted keys) so equal options give equal keys. */
function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/**
 * What a cached result must match besides the audio: the analyzers (name@version) the processing
 * type runs, the report schema version, and the analysis options. Analyzer factories are only
 * constructed (no model is loaded before `start()`), with a placeholder context.
 */
export function computeAnalyzersKey(
  processingType: ProcessingType,
  options: AnalyzeOptions = {},
  stages: readonly Stage[] = STAGES,
): string {
  const analyzers = stages
    .filter((s) => s.types.includes(processingType))
    .flatMap((s) =>
      s
        .create({ audioInfo: PLACEHOLDER_AUDIO, analysisRateHz: 16000, options })
        .map((a) => `${a.name}@${a.version}`),
    );
  // A model or profile given by path is part of the key by content: retraining a model in place
  // must not serve results of the old one from the cache.
  const files: Record<string, string> = {};
  for (const [name, p] of [
    ['modelPath', options.modelPath],
    ['profile', options.profile],
  ] as const) {
    const digest = fileDigest(p);
    if (digest) files[name] = digest;
  }
  const opts = canonicalJson(
    Object.keys(files).length > 0 ? { ...options, file_digests: files } : options,
  );
  const optsPart =
    opts === '{}' ? '' : `;options=${createHash('sha256').update(opts).digest('hex').slice(0, 16)}`;
  return `${analyzers.join(',')};schema=${SCHEMA_VERSION}${optsPart}`;
}

/** SHA-256 (16 hex) of a small file's content, or undefined when `p` is not a readable file. */
function fileDigest(p: string | undefined): string | undefined {
  if (!p) return undefined;
  try {
    if (!statSync(p).isFile()) return undefined;
    return createHash('sha256').update(readFileSync(p)).digest('hex').slice(0, 16);
  } catch {
    return undefined;
  }
}

/** Streaming SHA-256 of a file (hex). */
export async function sha256File(path: string): Promise<string> {
  try {
    await stat(path);
  } catch {
    throw new SonoError('SONO_ERR_PATH_NOT_FOUND', { path });
  }
  const h = createHash('sha256');
  try {
    for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  } catch (e) {
    throw new SonoError(
      'SONO_ERR_READ_FAILED',
      { path, detail: e instanceof Error ? e.message : String(e) },
      { cause: e },
    );
  }
  return h.digest('hex');
}

function checkProcessingType(t: string): ProcessingType {
  if (!(PROCESSING_TYPES as readonly string[]).includes(t)) {
    throw new SonoError('SONO_ERR_INVALID_PARAMETER', {
      name: 'processing_type',
      detail: `${JSON.stringify(t)} is not one of ${PROCESSING_TYPES.join(', ')}`,
    });
  }
  return t as ProcessingType;
}

export function createTaskProcessor(deps: TaskProcessorDeps): JobHandler {
  const { store, logger } = deps;
  const run: AnalyzeRunner =
    typeof deps.pool === 'function' ? deps.pool : deps.pool.run.bind(deps.pool);
  const progressIntervalMs = deps.progressIntervalMs ?? 1000;
  const keyCache = new Map<string, string>();
  const analyzersKey = (type: ProcessingType, options: AnalyzeOptions): string => {
    const k = `${type}|${canonicalJson(options)}`;
    let v = keyCache.get(k);
    if (v === undefined) {
      v = computeAnalyzersKey(type, options, deps.stages);
      keyCache.set(k, v);
    }
    return v;
  };

  const complete = async (
    task: Task,
    report: Report,
    done: Parameters<Store['tasks']['markCompleted']>[1],
    cached: boolean,
  ): Promise<void> => {
    if (!(await store.tasks.markCompleted(task.id, done))) {
      // Cancelled meanwhile, or another worker (after a lost lease) finished it first.
      logger.info({ taskId: task.id }, 'task already cancelled or finished; result kept');
      return;
    }
    const updated = (await store.tasks.get(task.id)) ?? task;
    if (!deps.hooks?.afterComplete) return;
    try {
      await deps.hooks.afterComplete(updated, report, { cached });
    } catch (e) {
      const err = toSonoError(e);
      logger.error({ taskId: task.id, err: err.toJSON() }, 'afterComplete hook failed');
    }
  };

  return async (job, ctx) => {
    const task = await store.tasks.get(job.taskId);
    if (!task) {
      logger.warn({ taskId: job.taskId }, 'job for an unknown task: skipped');
      return;
    }
    if (task.status !== 'queued' && task.status !== 'processing') {
      logger.info({ taskId: task.id, status: task.status }, 'task not runnable: skipped');
      return;
    }
    const started = await store.tasks.markProcessing(task.id, job.attempt);
    if (!started) return; // cancelled in between
    const t0 = performance.now();
    const elapsedSec = (): number => (performance.now() - t0) / 1000;
    let pinned: PinnedFile | undefined;
    try {
      const processingType = checkProcessingType(task.processingType);
      const options = (task.options ?? {}) as AnalyzeOptions;
      const key = analyzersKey(processingType, options);
      // Checked at submission, opened now: a name swapped since cannot point the analysis
      // elsewhere, because everything below reads this descriptor, never the name.
      pinned = await openAllowedFile(task.sourcePath, deps.sourceRoots);
      const sha256 = task.sha256 ?? (await sha256File(pinned.path));

      const cached = await store.results.findByContent({
        sha256,
        processingType,
        analyzersKey: key,
      });
      if (cached) {
        const report = reportForTask(JSON.parse(cached.reportJson) as Report, task);
        logger.info({ taskId: task.id, cachedFrom: cached.taskId }, 'results cache hit');
        await complete(
          task,
          report,
          {
            resultId: cached.id,
            cachedFromTaskId: cached.taskId,
            processingTimeSec: elapsedSec(),
            durationSec: report.audio_info?.decoded_duration ?? null,
            sha256,
          },
          true,
        );
        return;
      }

      let lastWrite = 0;
      let lastFraction = 0;
      const onProgress = (p: AnalyzeProgress): void => {
        if (p.durationSec <= 0) return;
        const fraction = Math.min(0.99, p.processedSec / p.durationSec);
        const now = performance.now();
        if (now - lastWrite < progressIntervalMs || fraction - lastFraction < 0.01) return;
        lastWrite = now;
        lastFraction = fraction;
        void Promise.all([
          ctx.progress(fraction),
          store.tasks.setProgress(task.id, fraction),
        ]).catch((e: unknown) =>
          logger.warn({ taskId: task.id, err: toSonoError(e).toJSON() }, 'progress not recorded'),
        );
      };
      const result = await run(
        pinned.path,
        {
          processingType,
          options,
          taskId: task.id,
          // Read through the descriptor, named as the task's own file.
          source: {
            path: task.sourcePath,
            fileName: task.originalName ?? basename(task.sourcePath),
          },
          ...(deps.limits ? { limits: deps.limits } : {}),
        },
        { signal: ctx.signal, onProgress },
      );
      if (ctx.signal.aborted) throw new SonoError('SONO_ERR_CANCELLED', { detail: 'aborted' });
      if (!result.ok) {
        throw new SonoError(
          result.error.code as ErrorCode,
          detailsForTask(result.error.details, pinned, task),
        );
      }
      const reportSha = result.report.results.fixity.sha256 ?? sha256;
      const report = await storeFingerprint(store, reportForTask(result.report, task), reportSha);
      await storeVoices(store, report, reportSha);
      const stored = await store.results.insertOrGet({
        taskId: task.id,
        sha256: reportSha,
        processingType,
        analyzersKey: key,
        schemaVersion: report.schema_version,
        reportJson: JSON.stringify(report),
      });
      // An identical task that finished first owns the stored result: point at it.
      await complete(
        task,
        report,
        {
          resultId: stored.id,
          cachedFromTaskId: stored.taskId === task.id ? null : stored.taskId,
          processingTimeSec: elapsedSec(),
          durationSec: report.audio_info.decoded_duration,
          sha256: reportSha,
        },
        stored.taskId !== task.id,
      );
    } catch (e) {
      const kind = abortKindOf(ctx.signal);
      const err = toSonoError(e);
      try {
        if (kind === 'lease_lost') {
          // Another worker owns the job now: leave the task alone.
        } else if (kind === 'requeued') {
          await store.tasks.markQueued(task.id);
        } else if (kind === 'cancelled') {
          await store.tasks.markCancelled(task.id);
        } else if (!err.retryable || job.attempt >= job.maxAttempts) {
          await store.tasks.markFailed(task.id, { code: err.code, message: err.message });
        } else {
          await store.tasks.markQueued(task.id);
        }
      } catch (writeErr) {
        logger.error(
          { taskId: task.id, err: toSonoError(writeErr).toJSON() },
          'could not record the task outcome',
        );
      }
      logger.warn(
        { taskId: task.id, attempt: job.attempt, abort: kind ?? null, err: err.toJSON() },
        'task attempt failed',
      );
      throw err;
    } finally {
      await pinned?.close().catch(() => undefined);
    }
  };
}

/**
 * Marks tasks failed when the queue gives up on them without the handler having said so (a job
 * whose workers kept dying). Idempotent: tasks already finished are left alone.
 */
export function syncTaskFailures(queue: JobQueue, store: Store, logger: ProcessorLogger): void {
  queue.on('failed', ({ taskId, error }) => {
    const write =
      error.code === 'SONO_ERR_CANCELLED'
        ? store.tasks.markCancelled(taskId)
        : store.tasks.markFailed(taskId, error);
    void write.catch((e: unknown) =>
      logger.error({ taskId, err: toSonoError(e).toJSON() }, 'could not mark task failed'),
    );
  });
}
