/**
 * The MAXXI metadata package of a finished task, written atomically (built in a temporary
 * directory inside MAXXI_OUTPUT_DIR, fsynced, then renamed into place) so MAXXI never sees a
 * half-written package. Layout (documented in docs/MAXXI.md):
 *
 * ```
 * <MAXXI_OUTPUT_DIR>/<yyyy>/<mm>/<task_id>/
 *   report.json        the full report (same document as GET /api/v1/results/{task_id})
 *   dublin_core.xml    oai_dc record of results.metadata_generation.dublin_core
 *   dublin_core.json   the same record as JSON (MAXXI_OUTPUT_FORMAT=json)
 *   exports/<id>.<ext> every applicable export (segments CSV, RTTM, WebVTT, …)
 *   manifest.json      package version, identifiers, and every file with bytes and sha256
 * ```
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { SonoError } from '../errors.js';
import { applicableExporters } from '../metadata/exports/index.js';
import { renderOaiDc } from '../metadata/oai-dc.js';
import type { Report } from '../report/index.js';

/** Version of the package layout and manifest (semver); see docs/schema/maxxi-manifest.schema.json. */
export const MAXXI_PACKAGE_VERSION = '1.0.0';

export interface ManifestFile {
  readonly path: string;
  readonly bytes: number;
  readonly sha256: string;
  readonly media_type: string;
}

export interface MaxxiManifest {
  readonly package_version: string;
  readonly task_id: string;
  readonly created_at: string;
  readonly metadata_schema: 'dublin_core';
  /** Identifiers MAXXI sent with a by-reference submission (e.g. its object id). */
  readonly maxxi_identifiers: Readonly<Record<string, string>>;
  readonly source: { readonly file_name: string; readonly sha256: string | null };
  readonly files: readonly ManifestFile[];
}

export interface WritePackageParams {
  readonly outputDir: string;
  readonly taskId: string;
  readonly report: Report;
  /** Date that selects the `<yyyy>/<mm>` folder (UTC); default now. */
  readonly completedAt?: Date;
  readonly identifiers?: Readonly<Record<string, string>>;
}

export interface WrittenPackage {
  /** Final directory of the package. */
  readonly dir: string;
  /** Path relative to the output directory (`<yyyy>/<mm>/<task_id>`). */
  readonly relativeDir: string;
  readonly manifest: MaxxiManifest;
}

/** `<yyyy>/<mm>/<task_id>` for a completion date (UTC). */
export function packageRelativeDir(taskId: string, completedAt: Date): string {
  const yyyy = String(completedAt.getUTCFullYear()).padStart(4, '0');
  const mm = String(completedAt.getUTCMonth() + 1).padStart(2, '0');
  return `${yyyy}/${mm}/${taskId}`;
}

async function writeDurable(path: string, data: string): Promise<ManifestFile & { abs: string }> {
  const buf = Buffer.from(data, 'utf8');
  const fh = await open(path, 'wx');
  try {
    await fh.writeFile(buf);
    await fh.sync();
  } finally {
    await fh.close();
  }
  return {
    abs: path,
    path: '',
    bytes: buf.length,
    sha256: createHash('sha256').update(buf).digest('hex'),
    media_type: '',
  };
}

async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Safe file name for an export: its id, plus the suffix's extension (`segments-csv` → `segments-csv.csv`). */
function exportFileName(id: string, fileSuffix: string): string {
  const ext = /\.([A-Za-z0-9]+)$/.exec(fileSuffix)?.[1] ?? 'txt';
  return `${id.replace(/[^A-Za-z0-9_-]/g, '_')}.${ext}`;
}

/**
 * Writes (or replaces) the package of one task.
 *
 * @throws SonoError SONO_ERR_STORAGE_FAILED when the output directory is not writable.
 */
export async function writeMaxxiPackage(params: WritePackageParams): Promise<WrittenPackage> {
  if (!/^[A-Za-z0-9_-]+$/.test(params.taskId))
    throw new SonoError('SONO_ERR_INVALID_PARAMETER', { name: 'taskId', detail: params.taskId });
  const completedAt = params.completedAt ?? new Date();
  const relativeDir = packageRelativeDir(params.taskId, completedAt);
  const finalDir = join(params.outputDir, relativeDir);
  const tmpRoot = join(params.outputDir, '.tmp');
  const tmpDir = join(tmpRoot, `${params.taskId}-${randomBytes(4).toString('hex')}`);
  try {
    await mkdir(join(tmpDir, 'exports'), { recursive: true });
    const report = params.report;
    const files: ManifestFile[] = [];
    const add = async (rel: string, text: string, mediaType: string) => {
      const w = await writeDurable(join(tmpDir, rel), text);
      files.push({ path: rel, bytes: w.bytes, sha256: w.sha256, media_type: mediaType });
    };
    await add('report.json', `${JSON.stringify(report, null, 2)}\n`, 'application/json');
    const dc = report.results.metadata_generation.dublin_core ?? {};
    await add('dublin_core.xml', renderOaiDc(dc), 'application/xml');
    await add('dublin_core.json', `${JSON.stringify(dc, null, 2)}\n`, 'application/json');
    for (const ex of applicableExporters(report)) {
      await add(
        `exports/${exportFileName(ex.id, ex.fileSuffix)}`,
        ex.render(report),
        ex.mimeType ?? 'text/plain',
      );
    }
    const manifest: MaxxiManifest = {
      package_version: MAXXI_PACKAGE_VERSION,
      task_id: params.taskId,
      created_at: new Date().toISOString(),
      metadata_schema: 'dublin_core',
      maxxi_identifiers: { ...(params.identifiers ?? {}) },
      source: {
        file_name: report.source.file_name,
        sha256: report.results.fixity.sha256 ?? null,
      },
      files,
    };
    await writeDurable(join(tmpDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    await syncDir(join(tmpDir, 'exports'));
    await syncDir(tmpDir);
    await mkdir(dirname(finalDir), { recursive: true });
    // A re-delivery replaces the old package: move it aside first (rename cannot replace a
    // non-empty directory), then swap in the new one and drop the old.
    const old = `${tmpDir}.old`;
    let hadOld = false;
    try {
      await rename(finalDir, old);
      hadOld = true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    await rename(tmpDir, finalDir);
    await syncDir(dirname(finalDir));
    if (hadOld) await rm(old, { recursive: true, force: true });
    return { dir: finalDir, relativeDir, manifest };
  } catch (e) {
    await rm(tmpDir, { recursive: true, force: true }).catch(() => undefined);
    if (e instanceof SonoError) throw e;
    throw new SonoError(
      'SONO_ERR_STORAGE_FAILED',
      { detail: `MAXXI package for ${params.taskId}: ${(e as Error).message}` },
      { cause: e },
    );
  }
}
