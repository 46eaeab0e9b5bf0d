/**
 * `sonoteca analyze <files|dirs...>`: analyses every audio file in worker threads and writes, per
 * file, `<out>/<relative path>.json` (the report), `.dc.xml` (oai_dc) and every applicable export;
 * then a batch summary (`batch-summary.json`, plus `.csv` / `batch.ndjson` with `--format`), and a
 * summary table on stdout. Broken files and bad arguments are reported with their error code; the
 * rest of the batch completes. Exit code 1 when anything failed.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import type { AnalyzeOptions } from '../../analysis/analyzer.js';
import { loadModel } from '../../analysis/heritage/model.js';
import { resolveQcProfile } from '../../analysis/quality-control/profiles.js';
import { isSonoError, type ErrorCode } from '../../errors.js';
import { applicableExporters } from '../../metadata/exports/index.js';
import { renderOaiDc } from '../../metadata/oai-dc.js';
import { computeAnalyzersKey, sha256File } from '../../jobs/processor.js';
import { DEFAULT_PROFILE, type AnalyzeResult } from '../../pipeline/analyze-file.js';
import {
  collectionCsvErrorRow,
  collectionCsvRow,
  renderCollectionCsv,
  type CollectionCsvRow,
} from '../../metadata/exports/collection-csv.js';
import { buildFailureRecord } from '../../pipeline/failure-record.js';
import { generatorVersion, SCHEMA_VERSION, type Report } from '../../pipeline/report.js';
import { summarizeReport } from '../../pipeline/report-summary.js';
import { PROCESSING_TYPES, type ProcessingType } from '../../pipeline/stages.js';
import { WorkerPool } from '../../pipeline/worker-pool.js';
import { EXIT_FAILURES, EXIT_OK, UsageError, type CliCommand } from '../command.js';
import { discoverAudioFiles, AUDIO_EXTENSIONS } from '../discover.js';
import { OUTSIDE_ROOT_DIR, outputBase, runStamp, writeFileAtomic } from '../output.js';
import { createProgress } from '../progress.js';
import { formatDuration, renderTable } from '../table.js';

/** Version of the batch summary format (`docs/schema/batch-summary.schema.json`). */
export const BATCH_SUMMARY_VERSION = '1.1.0';

export const DEFAULT_OUT_DIR = 'sonoteca-reports';

export type OutputFormat = 'json' | 'ndjson' | 'csv';

export interface AnalyzeCliOptions {
  readonly out: string;
  readonly jobs: number;
  readonly profile?: string;
  readonly type: ProcessingType;
  readonly format: OutputFormat;
  readonly minSpeakers?: number;
  readonly maxSpeakers?: number;
  readonly model?: string;
  readonly quiet?: boolean;
  /**
   * Outputs mirror the inputs' paths relative to this folder.
   * @defaultValue the current working directory
   */
  readonly root?: string;
  /** Skip inputs whose report on disk has the same sha256 and analyzer versions. */
  readonly skipExisting?: boolean;
}

/** One line of the batch summary. */
export interface BatchEntry {
  /**
   * The input (file path, or the argument that failed): relative to the working directory when
   * inside it, absolute otherwise.
   */
  readonly input: string;
  readonly status: 'ok' | 'failed' | 'cancelled' | 'skipped';
  readonly report?: string;
  /** The failure record of a failed or cancelled input (written where its report would be). */
  readonly record?: string;
  /** SHA-256 of the input's bytes, when read. */
  readonly sha256?: string;
  readonly dc_xml?: string;
  readonly exports?: readonly string[];
  readonly duration_sec?: number;
  readonly loudness_lufs?: number;
  readonly qc_verdict?: string;
  readonly failed_sections?: readonly string[];
  readonly error?: { readonly code: ErrorCode; readonly message: string };
}

function parseIntOption(name: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new UsageError(`--${name} must be an integer in ${min}..${max}, got "${value}"`);
    }
    return n;
  };
}

/** Exit code of an interrupted batch (128 + SIGINT). */
export const EXIT_INTERRUPTED = 130;

/**
 * The report at `<base>.json` when it can stand for this run (`--skip-existing`): a report (not a
 * failure record) of the same bytes (sha256), processing type, profile, report schema and
 * analyzer versions. Returns its path, or null when the input must be analysed.
 */
async function keptReport(
  base: string,
  file: string,
  analyzersKey: string,
  opts: AnalyzeCliOptions,
): Promise<{ path: string; sha256: string } | null> {
  const path = `${base}.json`;
  let doc: Report;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8')) as Report;
  } catch {
    return null;
  }
  if ((doc as unknown as { record_type?: string }).record_type === 'failure') return null;
  const sha = doc.results?.fixity?.sha256;
  if (!sha || doc.schema_version !== SCHEMA_VERSION) return null;
  if (doc.processing?.processing_type !== opts.type) return null;
  if (doc.processing.profile !== (opts.profile ?? DEFAULT_PROFILE)) return null;
  const versions = doc.processing.analyzers.map((a) => `${a.name}@${a.version}`).join(',');
  if (!analyzersKey.startsWith(`${versions};`)) return null;
  try {
    return (await sha256File(file)) === sha ? { path, sha256: sha } : null;
  } catch {
    return null;
  }
}

/** Runs the batch; returns the exit code. Exposed for tests and for other entry points. */
export async function runAnalyze(
  inputs: readonly string[],
  opts: AnalyzeCliOptions,
): Promise<number> {
  const startedAt = new Date();
  const t0 = performance.now();
  const outDir = resolve(opts.out);
  const { files, problems } = discoverAudioFiles(inputs);
  // A stated root (not the inputs' common folder, which changes with the inputs) keeps the
  // output layout the same from one run to the next.
  const root = resolve(opts.root ?? process.cwd());
  const baseDir = root;
  const runId = runStamp(startedAt);
  const rel = (p: string): string => {
    const r = relative(process.cwd(), p);
    return r === '' || r.startsWith('..') ? p : r;
  };
  // The table names files below the inputs' common folder (short, and unique).
  const shortName = (input: string): string => {
    const r = relative(baseDir, resolve(input));
    return r === '' || r.startsWith('..') ? input : r;
  };
  const options: AnalyzeOptions = {
    profile: opts.profile ?? DEFAULT_PROFILE,
    ...(opts.minSpeakers !== undefined ? { minSpeakers: opts.minSpeakers } : {}),
    ...(opts.maxSpeakers !== undefined ? { maxSpeakers: opts.maxSpeakers } : {}),
    ...(opts.model !== undefined ? { modelPath: resolve(opts.model) } : {}),
  };
  const log = (line: string): void => {
    if (!opts.quiet) progress.log(line);
  };

  const entries: BatchEntry[] = problems.map((p) => ({
    input: p.argument,
    status: 'failed',
    error: { code: p.error.code, message: p.error.message },
  }));
  for (const p of problems) process.stderr.write(`sonoteca: ${p.error.code}: ${p.error.message}\n`);

  const sizes = files.map((f) => {
    try {
      return statSync(f).size;
    } catch {
      return 0;
    }
  });
  const progress = createProgress({
    totalFiles: files.length,
    totalBytes: sizes.reduce((a, b) => a + b, 0),
    enabled: !opts.quiet,
  });
  const abort = new AbortController();
  const onSigint = (): void => {
    if (abort.signal.aborted) {
      // Second Ctrl-C: stop now, with the terminal restored.
      progress.stop();
      process.exit(130);
    }
    // The progress bar hides the cursor and redraws lines: stop it first, so that the messages
    // that follow land on a clean terminal.
    progress.stop();
    process.stderr.write(
      'sonoteca: interrupted, cancelling running analyses (Ctrl-C again to quit)…\n',
    );
    abort.abort();
  };
  process.on('SIGINT', onSigint);
  if (files.some((f) => relative(root, f).startsWith('..')))
    process.stderr.write(
      `sonoteca: some inputs are outside the root ${root}; their outputs go under ${OUTSIDE_ROOT_DIR}/ (set --root)\n`,
    );
  const analyzersKey = opts.skipExisting ? computeAnalyzersKey(opts.type, options) : '';
  const ndjson: string[] = [];
  const csvRows: (CollectionCsvRow | undefined)[] = [];
  const pool = new WorkerPool({ size: opts.jobs });
  let done = 0;

  const handle = async (
    file: string,
    index: number,
    result: AnalyzeResult,
  ): Promise<BatchEntry> => {
    const n = ++done; // this file's number, before any await lets another file count
    const base = outputBase(outDir, baseDir, file);
    if (opts.format === 'ndjson') ndjson.push(JSON.stringify(result));
    if (!result.ok) {
      // One record per input: a failure gets its record where its report would be.
      const record = result.record ?? (await buildFailureRecord(file, result.error));
      writeFileAtomic(`${base}.json`, `${JSON.stringify(record, null, 2)}\n`);
      const word = record.status === 'cancelled' ? 'CANCELLED' : 'FAIL';
      log(
        `[${n}/${files.length}] ${word} ${rel(file)}  ${result.error.code}: ${result.error.message}`,
      );
      csvRows[index] = collectionCsvErrorRow(rel(file), result.error.code, result.error.message);
      return {
        input: rel(file),
        status: record.status,
        record: rel(`${base}.json`),
        ...(record.fixity ? { sha256: record.fixity.sha256 } : {}),
        error: { code: result.error.code, message: result.error.message },
      };
    }
    const report: Report = result.report;
    if (opts.format === 'csv')
      csvRows[index] = collectionCsvRow(rel(file), report, rel(`${base}.json`));
    writeFileAtomic(`${base}.json`, `${JSON.stringify(report, null, 2)}\n`);
    const dc = report.results.metadata_generation.dublin_core;
    const written: string[] = [];
    if (dc) writeFileAtomic(`${base}.dc.xml`, renderOaiDc(dc));
    for (const ex of applicableExporters(report)) {
      try {
        // Exporters that would be empty (no speaker turns, no segments) do not apply.
        writeFileAtomic(`${base}${ex.fileSuffix}`, ex.render(report));
        written.push(rel(`${base}${ex.fileSuffix}`));
      } catch (e) {
        progress.log(`sonoteca: export ${ex.id} of ${rel(file)} failed: ${String(e)}`);
      }
    }
    const h = summarizeReport(report);
    log(
      `[${n}/${files.length}] ok   ${rel(file)}  (${formatDuration(h.durationSec)}, ` +
        `${report.processing.duration_sec.toFixed(1)} s)` +
        (h.failedSections.length > 0 ? `  failed sections: ${h.failedSections.join(', ')}` : ''),
    );
    return {
      input: rel(file),
      status: 'ok',
      report: rel(`${base}.json`),
      ...(report.results.fixity.sha256 ? { sha256: report.results.fixity.sha256 } : {}),
      ...(dc ? { dc_xml: rel(`${base}.dc.xml`) } : {}),
      exports: written,
      duration_sec: h.durationSec,
      ...(h.loudnessLufs !== undefined ? { loudness_lufs: h.loudnessLufs } : {}),
      ...(h.qcVerdict !== undefined ? { qc_verdict: h.qcVerdict } : {}),
      ...(h.failedSections.length > 0 ? { failed_sections: h.failedSections } : {}),
    };
  };

  const fileEntries: (BatchEntry | undefined)[] = new Array<BatchEntry | undefined>(files.length);
  try {
    await Promise.all(
      files.map(async (file, i) => {
        if (opts.skipExisting) {
          const kept = await keptReport(
            outputBase(outDir, baseDir, file),
            file,
            analyzersKey,
            opts,
          );
          if (kept) {
            done++;
            log(`[${done}/${files.length}] skip ${rel(file)}  (report up to date)`);
            fileEntries[i] = {
              input: rel(file),
              status: 'skipped',
              report: rel(kept.path),
              sha256: kept.sha256,
            };
            progress.fileDone(i, 0, sizes[i] ?? 0);
            return;
          }
        }
        const result = await pool.run(
          file,
          { processingType: opts.type, options },
          {
            signal: abort.signal,
            onProgress: (p) =>
              progress.fileProgress(i, p.processedSec, p.durationSec, sizes[i] ?? 0),
          },
        );
        let entry: BatchEntry;
        try {
          entry = await handle(file, i, result);
        } catch (e) {
          csvRows[i] = undefined; // the outputs were not written: the row reports the error
          entry = {
            input: rel(file),
            status: 'failed',
            error: { code: 'SONO_ERR_STORAGE_FAILED', message: `writing outputs: ${String(e)}` },
          };
        }
        fileEntries[i] = entry;
        progress.fileDone(i, entry.duration_sec ?? 0, sizes[i] ?? 0);
      }),
    );
  } finally {
    process.removeListener('SIGINT', onSigint);
    progress.stop();
    await pool.close();
  }
  for (const e of fileEntries) if (e) entries.push(e);

  const ok = entries.filter((e) => e.status === 'ok').length;
  const skipped = entries.filter((e) => e.status === 'skipped').length;
  const cancelled = entries.filter((e) => e.status === 'cancelled').length;
  const failed = entries.filter((e) => e.status === 'failed').length;
  const audioSec = entries.reduce((s, e) => s + (e.duration_sec ?? 0), 0);
  const wallSec = (performance.now() - t0) / 1000;
  const summary = {
    schema_version: BATCH_SUMMARY_VERSION,
    generator: { name: 'sonoteca', version: generatorVersion() },
    started_at: startedAt.toISOString(),
    finished_at: new Date().toISOString(),
    run_id: runId,
    out_dir: outDir,
    root,
    processing_type: opts.type,
    profile: options.profile ?? DEFAULT_PROFILE,
    jobs: opts.jobs,
    totals: {
      inputs: entries.length,
      ok,
      failed,
      cancelled,
      skipped,
      audio_sec: Math.round(audioSec * 1000) / 1000,
      wall_sec: Math.round(wallSec * 1000) / 1000,
    },
    files: entries,
  };
  // Each run keeps its own summary; batch-summary.json is a copy of the latest.
  const summaryJson = `${JSON.stringify(summary, null, 2)}\n`;
  writeFileAtomic(join(outDir, 'batch-summaries', `${runId}.json`), summaryJson);
  writeFileAtomic(join(outDir, 'batch-summary.json'), summaryJson);
  if (opts.format === 'csv') {
    // One row per input: unreadable inputs first (as in the summary), then files in order.
    const rows = [
      ...problems.map((p) => collectionCsvErrorRow(p.argument, p.error.code, p.error.message)),
      ...files.map(
        (f, i) =>
          csvRows[i] ??
          collectionCsvErrorRow(
            rel(f),
            fileEntries[i]?.error?.code ?? '',
            fileEntries[i]?.error?.message ?? '',
          ),
      ),
    ];
    writeFileAtomic(join(outDir, 'batch-summary.csv'), renderCollectionCsv(rows));
  }
  if (opts.format === 'ndjson') {
    writeFileAtomic(join(outDir, 'batch.ndjson'), ndjson.map((l) => `${l}\n`).join(''));
  }

  if (!opts.quiet) {
    const rows = entries.map((e) => [
      shortName(e.input),
      e.duration_sec !== undefined ? formatDuration(e.duration_sec) : '',
      e.loudness_lufs !== undefined ? `${e.loudness_lufs.toFixed(1)} LUFS` : '',
      e.qc_verdict ?? '',
      e.status === 'skipped'
        ? 'skipped (up to date)'
        : e.status === 'cancelled'
          ? 'cancelled'
          : e.status === 'ok'
            ? e.failed_sections && e.failed_sections.length > 0
              ? `ok (failed: ${e.failed_sections.join(', ')})`
              : 'ok'
            : (e.error?.code ?? 'failed'),
    ]);
    process.stdout.write(
      `\n${renderTable(['file', 'duration', 'loudness', 'QC', 'status'], rows)}\n`,
    );
  }
  process.stdout.write(
    `${ok} ok, ${failed} failed${cancelled ? `, ${cancelled} cancelled` : ''}${skipped ? `, ${skipped} skipped` : ''}, ${formatDuration(audioSec)} of audio in ${wallSec.toFixed(1)} s` +
      ` → ${rel(outDir)}/ (batch-summary.json)\n`,
  );
  if (abort.signal.aborted) return EXIT_INTERRUPTED;
  return failed > 0 ? EXIT_FAILURES : EXIT_OK;
}

export const analyzeCommand: CliCommand = {
  name: 'analyze',
  register(program: Command): void {
    program
      .command('analyze')
      .description(
        'Analyse audio files (folders are searched recursively) and write one report per file.',
      )
      .argument('<paths...>', 'audio files and/or folders')
      .option('-o, --out <dir>', 'output folder (mirrors the input tree)', DEFAULT_OUT_DIR)
      .option(
        '--root <dir>',
        'outputs mirror the inputs relative to this folder (default: the working directory)',
      )
      .option(
        '--skip-existing',
        'resume: skip inputs whose report has the same sha256, type, profile and analyzer versions',
      )
      .option(
        '-j, --jobs <n>',
        'files analysed in parallel (worker threads)',
        parseIntOption('jobs', 1, 64),
        1,
      )
      .option('-p, --profile <name|path>', 'QC profile name or profile file', DEFAULT_PROFILE)
      .addOption(
        new Option('-t, --type <type>', 'processing type (which stages run)')
          .choices([...PROCESSING_TYPES])
          .default('comprehensive'),
      )
      .addOption(
        new Option('-f, --format <format>', 'batch outputs besides the per-file reports')
          .choices(['json', 'ndjson', 'csv'])
          .default('json'),
      )
      .option(
        '--min-speakers <n>',
        'lower bound on speakers (diarization)',
        parseIntOption('min-speakers', 1, 100),
      )
      .option(
        '--max-speakers <n>',
        'upper bound on speakers (diarization)',
        parseIntOption('max-speakers', 1, 100),
      )
      .option('--model <path>', 'heritage classification model file (from `sonoteca train`)')
      .option('-q, --quiet', 'no progress and no table; only errors and the final count')
      .addHelpText(
        'after',
        `
Outputs (under --out, mirroring the inputs' paths relative to --root, default the working
directory; inputs outside the root go under ${OUTSIDE_ROOT_DIR}/<absolute path>):
  <name>.json            the report (docs/schema/report.schema.json), or for an input that
                         failed or was cancelled its failure record (failure-record.schema.json:
                         coded error, size, checksums, sniffed format, what ffmpeg could read)
  <name>.dc.xml          Dublin Core as oai_dc XML
  <name>.<export>        every applicable export: PREMIS, EBUCore, PBCore (.premis.xml, .ebucore.xml,
                         .pbcore.xml), segments CSV, RTTM, WebVTT, … (never an empty file)
  batch-summary.json     one entry per input: status, error code, headline numbers (latest run)
  batch-summaries/<run>.json  every run's own summary (never overwritten)
  batch-summary.csv      with --format csv: the collection CSV, one row per input (docs/METADATA.md)
  batch.ndjson           with --format ndjson: one line per file (report or error record)
  <name> keeps the input's extension: song.wav → song.wav.json, song.wav.dc.xml

Audio extensions searched in folders: ${AUDIO_EXTENSIONS.join(', ')}
(files named explicitly are analysed whatever their extension; content decides, not the name).

Examples:
  sonoteca analyze interview.wav
  sonoteca analyze ./archive --out ./reports --jobs 2
  sonoteca analyze /mnt/tapes --root /mnt/tapes --out ./reports --skip-existing   (resume)
  sonoteca analyze ./tapes --type technical --profile access-copy --format csv

Ctrl-C cancels the running analyses (cancelled inputs are not failures; a second Ctrl-C quits).
Exit codes: 0 all files ok; 1 some file or path failed (codes in the summary, see docs/errors.md);
2 usage error; 130 interrupted.`,
      )
      .action(async (paths: string[], o: Record<string, unknown>) => {
        const minS = o['minSpeakers'] as number | undefined;
        const maxS = o['maxSpeakers'] as number | undefined;
        if (minS !== undefined && maxS !== undefined && minS > maxS) {
          throw new UsageError(`--min-speakers (${minS}) exceeds --max-speakers (${maxS})`);
        }
        // An unknown profile is a usage error, caught before any file is analysed.
        let profile = o['profile'] as string;
        try {
          resolveQcProfile(profile);
        } catch (e) {
          if (isSonoError(e)) throw new UsageError(`--profile: ${e.message}`);
          throw e;
        }
        if (existsSync(profile)) profile = resolve(profile);
        // Likewise a missing or invalid heritage model.
        if (o['model'] !== undefined) {
          try {
            loadModel(resolve(o['model'] as string));
          } catch (e) {
            if (isSonoError(e)) throw new UsageError(`--model: ${e.message}`);
            throw e;
          }
        }
        const code = await runAnalyze(paths, {
          out: o['out'] as string,
          jobs: o['jobs'] as number,
          profile,
          type: o['type'] as ProcessingType,
          format: o['format'] as OutputFormat,
          ...(minS !== undefined ? { minSpeakers: minS } : {}),
          ...(maxS !== undefined ? { maxSpeakers: maxS } : {}),
          ...(o['model'] !== undefined ? { model: o['model'] as string } : {}),
          quiet: o['quiet'] === true,
          ...(o['root'] !== undefined ? { root: o['root'] as string } : {}),
          skipExisting: o['skipExisting'] === true,
        });
        process.exitCode = code;
      });
  },
};
