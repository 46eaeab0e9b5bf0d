/**
 * Analyses one file: probe, then ONE ffmpeg decode pass feeding every analyzer of the processing
 * type's stages (mono analysis blocks, shared frames, native samples), with fixity hashing running
 * concurrently on the same file. Analyzers are timed and isolated: one that throws gets a `failed`
 * section with a coded error and the rest of the report still completes. File-level failures
 * (probe, decode) throw a SonoError.
 */
import { basename, resolve } from 'node:path';
import type {
  AnalyzeOptions,
  Analyzer,
  AnalyzerContext,
  FinishContext,
  SectionBase,
} from '../analysis/analyzer.js';
import { Framer, framerKey, type Frame, type FramerConfig } from '../analysis/frames.js';
import { startDecode } from '../audio/decode.js';
import { computeFixity } from '../audio/fixity.js';
import { probeFile, type ProbeOptions, type ProbeResult } from '../audio/probe.js';
import type { AudioInfo, DecodeResult, Fixity } from '../audio/types.js';
import { SonoError, toSonoError, type ErrorCode, type ErrorDetails } from '../errors.js';
import { buildMetadataGeneration } from '../metadata/dublin-core.js';
import { bextLoudnessCheck, type BextCheck } from '../audio/bext-conformance.js';
import type { QcLoudness } from '../analysis/quality-control/index.js';
import { assessIntegrity, fileChecks, withFileChecks } from '../audio/integrity.js';
import { buildFailureRecord, type FailureRecord } from './failure-record.js';
import {
  generatorVersion,
  SCHEMA_VERSION,
  SECTION_NAMES,
  type AnalyzerTiming,
  type FixitySection,
  type Report,
  type ReportResults,
  type TechnicalMetadataSection,
} from './report.js';
import { STAGES, stagesFor, type ProcessingType, type Stage } from './stages.js';

/** Analysis stream rate (Hz): the rate every framer config and speech model expects. */
export const ANALYSIS_RATE_HZ = 16000;

/** Default QC profile name, when none is given. */
export const DEFAULT_PROFILE = 'preservation-master';

export interface AnalyzeProgress {
  /** Seconds of audio decoded and analysed so far. */
  readonly processedSec: number;
  /** Duration from the probe (seconds; 0 when unknown). */
  readonly durationSec: number;
}

export interface AnalyzeFileParams {
  /** @defaultValue 'comprehensive' */
  readonly processingType?: ProcessingType;
  readonly options?: AnalyzeOptions;
  readonly signal?: AbortSignal;
  /** Called at most ~4 times per second while decoding, and once at the end. */
  readonly onProgress?: (p: AnalyzeProgress) => void;
  /** Job id, written into the report as `task_id`. */
  readonly taskId?: string;
  /**
   * The file the report and its messages name, when `path` is only how to read it (the service
   * reads a task's file through a pinned descriptor, `/proc/<pid>/fd/<n>`): its path as submitted
   * and the name judged against the content. @defaultValue `path` and its base name
   */
  readonly source?: { readonly path: string; readonly fileName: string };
  /** Input limits, enforced by the probe (SONO_ERR_FILE_TOO_LARGE). */
  readonly limits?: { readonly maxFileSizeBytes?: number; readonly maxDurationSec?: number };
  /**
   * The stage registry to run (tests, benchmarks of a custom stage set).
   * @defaultValue STAGES
   */
  readonly stages?: readonly Stage[];
}

export interface AnalyzeError {
  readonly code: ErrorCode;
  readonly message: string;
  readonly details: ErrorDetails;
}

export type AnalyzeResult =
  | { readonly ok: true; readonly report: Report }
  | {
      readonly ok: false;
      readonly error: AnalyzeError;
      readonly path: string;
      /** The input's failure record (checksums, sniffed format, what ffmpeg could read). */
      readonly record?: FailureRecord;
    };

/** One analyzer with its bookkeeping. */
interface Slot {
  readonly analyzer: Analyzer;
  readonly stage: string;
  cpuMs: number;
  error?: SonoError;
}

function analyzerError(slot: Slot, e: unknown): SonoError {
  const detail = e instanceof Error ? e.message : String(e);
  if (e instanceof SonoError && e.code !== 'SONO_ERR_INTERNAL') return e;
  return new SonoError(
    'SONO_ERR_ANALYZER_FAILED',
    { analyzer: slot.analyzer.name, detail },
    { cause: e },
  );
}

function failedSection(slot: Slot, err: SonoError): SectionBase {
  return {
    status: 'failed',
    analyzer: { name: slot.analyzer.name, version: slot.analyzer.version },
    reason: err.message,
    error: { code: err.code, message: err.message },
  };
}

function checkAbort(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new SonoError('SONO_ERR_CANCELLED', { detail: 'analysis aborted' });
}

/**
 * Analyses one file and returns its report. Throws a SonoError when the file itself cannot be
 * analysed (not audio, nothing decodable, cancelled…).
 *
 * The path of a recording: probe → plan the stages → wire the shared framers → one streaming
 * decode → finish every analyzer → assemble the report (fixity ran beside the decode).
 */
export async function analyzeFile(path: string, params: AnalyzeFileParams = {}): Promise<Report> {
  const run = beginRun(path, params);
  checkAbort(params.signal);
  const probe = await probeFile(run.absPath, {
    ...probeLimits(params.limits),
    fileName: run.fileName,
  });
  checkAbort(params.signal);
  // Fixity reads the file on its own stream while ffmpeg decodes it.
  const fixity = computeFixity(run.absPath, probe.wav);
  fixity.catch(() => undefined); // awaited in assembleReport; no unhandled rejection meanwhile

  const plan = planStages(probe.audio_info, run, params);
  for (const slot of plan.slots) {
    const start = slot.analyzer.start?.bind(slot.analyzer);
    if (start) await runAwait(slot, () => start(plan.ctx));
  }
  const wiring = wireFramers(plan.slots);
  const decoded = await streamDecode(run, probe, wiring, params);
  const sections = await finishSections(plan, decoded, params.signal);
  params.onProgress?.({
    processedSec: decoded.decodedDurationSec,
    durationSec: probe.audio_info.duration || decoded.decodedDurationSec,
  });
  return assembleReport(run, probe, plan, wiring, decoded, sections, await settleFixity(fixity));
}

/** What is fixed at the start of a run. */
interface RunStart {
  readonly absPath: string;
  /** What the report names (`AnalyzeFileParams.source`, else `absPath`). */
  readonly sourcePath: string;
  readonly fileName: string;
  readonly processingType: ProcessingType;
  readonly options: AnalyzeOptions;
  readonly startedAt: Date;
  readonly t0: number;
  readonly cpu0: NodeJS.CpuUsage;
  readonly taskId?: string;
}

function beginRun(path: string, params: AnalyzeFileParams): RunStart {
  const absPath = resolve(path);
  return {
    absPath,
    sourcePath: params.source?.path ?? absPath,
    fileName: params.source?.fileName ?? basename(absPath),
    processingType: params.processingType ?? 'comprehensive',
    options: params.options ?? {},
    startedAt: new Date(),
    t0: performance.now(),
    cpu0: process.cpuUsage(),
    ...(params.taskId !== undefined ? { taskId: params.taskId } : {}),
  };
}

function probeLimits(limits: AnalyzeFileParams['limits']): ProbeOptions {
  return {
    ...(limits?.maxFileSizeBytes !== undefined
      ? { maxFileSizeBytes: limits.maxFileSizeBytes }
      : {}),
    ...(limits?.maxDurationSec !== undefined ? { maxDurationSec: limits.maxDurationSec } : {}),
  };
}

/** The stages that run, their analyzers, and the stages whose factory threw. */
interface StagePlan {
  readonly processingType: ProcessingType;
  readonly ctx: AnalyzerContext;
  readonly registry: readonly Stage[];
  readonly stages: readonly Stage[];
  readonly slots: Slot[];
  readonly stageFailures: ReadonlyMap<Stage, SonoError>;
}

function planStages(audioInfo: AudioInfo, run: RunStart, params: AnalyzeFileParams): StagePlan {
  const ctx: AnalyzerContext = {
    audioInfo,
    analysisRateHz: ANALYSIS_RATE_HZ,
    options: run.options,
  };
  const registry = params.stages ?? STAGES;
  const stages = params.stages
    ? registry.filter((s) => s.types.includes(run.processingType))
    : stagesFor(run.processingType);
  const slots: Slot[] = [];
  const stageFailures = new Map<Stage, SonoError>();
  for (const stage of stages) {
    try {
      for (const analyzer of stage.create(ctx)) slots.push({ analyzer, stage: stage.id, cpuMs: 0 });
    } catch (e) {
      stageFailures.set(
        stage,
        e instanceof SonoError
          ? e
          : new SonoError('SONO_ERR_ANALYZER_FAILED', {
              analyzer: stage.id,
              detail: e instanceof Error ? e.message : String(e),
            }),
      );
    }
  }
  return { processingType: run.processingType, ctx, registry, stages, slots, stageFailures };
}

/** Runs a synchronous analyzer callback, timing it; a throw fails that analyzer only. */
function runSync(slot: Slot, fn: () => void): void {
  if (slot.error) return;
  const t = performance.now();
  try {
    fn();
  } catch (e) {
    slot.error = analyzerError(slot, e);
  }
  slot.cpuMs += performance.now() - t;
}

/** Like runSync for callbacks that may return a promise (awaited: its time is the analyzer's). */
async function runAwait(slot: Slot, fn: () => void | Promise<void>): Promise<void> {
  if (slot.error) return;
  const t = performance.now();
  try {
    await fn();
  } catch (e) {
    slot.error = analyzerError(slot, e);
  }
  slot.cpuMs += performance.now() - t;
}

/** Who reads what from the decode: framers (one per distinct config), samples, native stream. */
interface Wiring {
  readonly framers: readonly { readonly framer: Framer; readonly readers: readonly Slot[] }[];
  readonly sampleReaders: readonly Slot[];
  readonly nativeReaders: readonly Slot[];
  /** Time spent framing (FFT, mel …) outside the analyzers' own callbacks, ms. */
  framingMs: number;
}

function wireFramers(slots: readonly Slot[]): Wiring {
  const framers = new Map<string, { framer: Framer; readers: Slot[] }>();
  for (const slot of slots) {
    for (const cfg of slot.analyzer.frameConfigs ?? []) {
      if (cfg.sampleRateHz !== ANALYSIS_RATE_HZ) {
        slot.error = new SonoError('SONO_ERR_INVALID_PARAMETER', {
          name: `${slot.analyzer.name}.frameConfigs.sampleRateHz`,
          detail: `${cfg.sampleRateHz} Hz; the analysis stream is ${ANALYSIS_RATE_HZ} Hz`,
        });
        continue;
      }
      const key = framerKey(cfg);
      let entry = framers.get(key);
      if (!entry) {
        const readers: Slot[] = [];
        const dispatch = (frame: Frame): void => {
          for (const r of readers) {
            const onFrame = r.analyzer.onFrame;
            if (onFrame) runSync(r, () => onFrame.call(r.analyzer, frame));
          }
        };
        entry = { framer: new Framer(cfg as FramerConfig, dispatch), readers };
        framers.set(key, entry);
      }
      if (!entry.readers.includes(slot)) entry.readers.push(slot);
    }
  }
  return {
    framers: [...framers.values()],
    sampleReaders: slots.filter((s) => s.analyzer.onSamples),
    nativeReaders: slots.filter((s) => s.analyzer.onNative),
    framingMs: 0,
  };
}

/** Runs `step` on every framer, adding its time minus the analyzers' callbacks to framingMs. */
function timeFraming(wiring: Wiring, step: (framer: Framer) => void): void {
  for (const f of wiring.framers) {
    const before = f.readers.reduce((n, r) => n + r.cpuMs, 0);
    const t = performance.now();
    step(f.framer);
    const inAnalyzers = f.readers.reduce((n, r) => n + r.cpuMs, 0) - before;
    wiring.framingMs += performance.now() - t - inAnalyzers;
  }
}

/** The one decode pass: analysis blocks to samples readers and framers, native to QC. */
async function streamDecode(
  run: RunStart,
  probe: ProbeResult,
  wiring: Wiring,
  params: AnalyzeFileParams,
): Promise<DecodeResult> {
  const audioInfo = probe.audio_info;
  const { nativeReaders, sampleReaders } = wiring;
  const session = startDecode(run.absPath, {
    analysisRateHz: ANALYSIS_RATE_HZ,
    nativeChannels: audioInfo.channels,
    nativeRateHz: audioInfo.sample_rate,
    ...(params.signal ? { signal: params.signal } : {}),
    ...(nativeReaders.length > 0
      ? {
          onNative: (interleaved: Float32Array, channels: number) => {
            for (const s of nativeReaders) {
              const onNative = s.analyzer.onNative;
              if (onNative) runSync(s, () => onNative.call(s.analyzer, interleaved, channels));
            }
          },
        }
      : {}),
  });
  session.done.catch(() => undefined); // awaited below

  const durationSec = audioInfo.duration > 0 ? audioInfo.duration : 0;
  let samplesSeen = 0;
  let lastProgress = 0;
  try {
    for await (const block of session.analysis) {
      const start = samplesSeen;
      samplesSeen += block.length;
      for (const s of sampleReaders) {
        const onSamples = s.analyzer.onSamples;
        if (onSamples) await runAwait(s, () => onSamples.call(s.analyzer, block, start));
      }
      timeFraming(wiring, (framer) => framer.push(block));
      const now = performance.now();
      if (params.onProgress && now - lastProgress >= 250) {
        lastProgress = now;
        params.onProgress({ processedSec: samplesSeen / ANALYSIS_RATE_HZ, durationSec });
      }
    }
  } catch (e) {
    // The analysis stream ends with the decode's error; prefer the decode's coded error.
    await session.done.catch((de: unknown) => {
      throw toSonoError(de);
    });
    throw toSonoError(e);
  }
  const decoded = await session.done;
  checkAbort(params.signal);
  timeFraming(wiring, (framer) => framer.flush());
  if (decoded.decodedDurationSec === 0) {
    throw new SonoError('SONO_ERR_DECODE_FAILED', {
      detail: `no audio samples could be decoded from ${run.fileName}`,
    });
  }
  return decoded;
}

/** finish() in stage order (each may read the sections before it), then not_run/failed fillers. */
async function finishSections(
  plan: StagePlan,
  decoded: DecodeResult,
  signal: AbortSignal | undefined,
): Promise<Record<string, unknown>> {
  const sections: Record<string, unknown> = {};
  const finishCtx: FinishContext = {
    ...plan.ctx,
    durationSec: decoded.decodedDurationSec,
    sections,
  };
  for (const slot of plan.slots) {
    checkAbort(signal);
    if (!slot.error) {
      const t = performance.now();
      try {
        sections[slot.analyzer.section] = await slot.analyzer.finish(finishCtx);
      } catch (e) {
        slot.error = analyzerError(slot, e);
      }
      slot.cpuMs += performance.now() - t;
    }
    if (slot.error) sections[slot.analyzer.section] = failedSection(slot, slot.error);
  }
  for (const [stage, err] of plan.stageFailures) {
    for (const name of stage.sections) {
      sections[name] ??= {
        status: 'failed',
        reason: err.message,
        error: { code: err.code, message: err.message },
      };
    }
  }
  for (const stage of plan.stages) {
    for (const name of stage.sections) {
      sections[name] ??= { status: 'not_run', reason: `stage ${stage.id} produced no ${name}` };
    }
  }
  for (const stage of plan.registry) {
    if (plan.stages.includes(stage)) continue;
    for (const name of stage.sections) {
      sections[name] ??= {
        status: 'not_run',
        reason: `stage ${stage.id} is not part of processing type ${plan.processingType}`,
      };
    }
  }
  return sections;
}

async function settleFixity(fixity: Promise<Fixity>): Promise<FixitySection> {
  try {
    const fx = await fixity;
    return {
      status: 'ok',
      md5: fx.md5,
      sha256: fx.sha256,
      audio_data_md5: fx.audio_data_md5,
      bytes: fx.bytes,
    };
  } catch (e) {
    const err = toSonoError(e);
    return {
      status: 'failed',
      reason: err.message,
      error: { code: err.code, message: err.message },
    };
  }
}

/** The bext conformance checks, plus its loudness fields against the loudness QC measured. */
function bextQcChecks(probe: ProbeResult, qc: unknown): BextCheck[] {
  const checks = [...(probe.bext_checks ?? [])];
  const bext = probe.embedded.bext;
  const loud = (qc as { status?: string; loudness?: QcLoudness } | undefined)?.loudness;
  if (bext && loud) {
    const c = bextLoudnessCheck(bext, {
      integratedLufs: loud.integrated_lufs,
      truePeakDbtp: loud.true_peak_dbtp,
    });
    if (c) checks.push(c);
  }
  return checks;
}

function assembleReport(
  run: RunStart,
  probe: ProbeResult,
  plan: StagePlan,
  wiring: Wiring,
  decoded: DecodeResult,
  sections: Record<string, unknown>,
  fixity: FixitySection,
): Report {
  const audioInfo = probe.audio_info;
  const decodedDurationSec = decoded.decodedDurationSec;
  const integrity = assessIntegrity(probe, decoded);
  const warnings: string[] = [...probe.warnings];
  for (const w of decoded.warnings) if (!warnings.includes(w)) warnings.push(w);
  if (audioInfo.duration > 0 && Math.abs(audioInfo.duration - decodedDurationSec) > 1) {
    warnings.push(
      `declared duration ${audioInfo.duration.toFixed(3)} s differs from decoded duration ` +
        `${decodedDurationSec.toFixed(3)} s`,
    );
  }
  const technical: TechnicalMetadataSection = {
    status: 'ok',
    container: audioInfo.container,
    codec: audioInfo.codec,
    mime_type: audioInfo.mime_type,
    lossless: audioInfo.lossless,
    sample_rate: audioInfo.sample_rate,
    channels: audioInfo.channels,
    bit_depth: audioInfo.bit_depth,
    bitrate: audioInfo.bitrate,
    duration_sec: audioInfo.duration,
    decoded_duration_sec: decodedDurationSec,
    file_size_bytes: audioInfo.file_size_bytes,
    embedded: probe.embedded,
    content: { ...probe.content, header_reader: probe.header_reader },
    integrity,
  };
  sections['quality_control'] = withFileChecks(sections['quality_control'], [
    ...fileChecks(probe.content, integrity),
    ...bextQcChecks(probe, sections['quality_control']),
  ]);

  const results: Record<string, unknown> = {};
  for (const name of SECTION_NAMES) {
    if (name === 'technical_metadata') results[name] = technical;
    else if (name === 'fixity') results[name] = fixity;
    else if (name === 'metadata_generation') results[name] = { status: 'not_run' };
    else
      results[name] = sections[name] ?? {
        status: 'not_run',
        reason: 'no registered stage fills this section yet',
      };
  }
  // Sections of stages registered under names outside the core list are kept too.
  for (const [name, value] of Object.entries(sections)) results[name] ??= value;

  const timings: AnalyzerTiming[] = plan.slots.map((s) => ({
    name: s.analyzer.name,
    version: s.analyzer.version,
    section: s.analyzer.section,
    stage: s.stage,
    cpu_ms: Math.round(s.cpuMs * 10) / 10,
  }));
  const cpu = process.cpuUsage(run.cpu0);
  const draft: Report = {
    schema_version: SCHEMA_VERSION,
    generator: { name: 'sonoteca', version: generatorVersion() },
    ...(run.taskId !== undefined ? { task_id: run.taskId } : {}),
    created_at: new Date().toISOString(),
    source: {
      path: run.sourcePath,
      file_name: run.fileName,
      size_bytes: audioInfo.file_size_bytes,
    },
    audio_info: { ...audioInfo, decoded_duration: decodedDurationSec },
    processing: {
      processing_type: run.processingType,
      profile: run.options.profile ?? DEFAULT_PROFILE,
      started_at: run.startedAt.toISOString(),
      duration_sec: Math.round(performance.now() - run.t0) / 1000,
      stages: plan.stages.map((s) => s.id),
      analyzers: timings,
      framing_ms: Math.round(wiring.framingMs * 10) / 10,
      native_stream: wiring.nativeReaders.length > 0,
      process_cpu_ms: Math.round((cpu.user + cpu.system) / 100) / 10,
    },
    results: results as unknown as ReportResults,
    warnings,
  };
  return {
    ...draft,
    results: { ...draft.results, metadata_generation: buildMetadataGeneration(draft) },
  };
}

/**
 * Like analyzeFile, but never throws: file-level failures become a coded error result with the
 * input's failure record.
 */
export async function analyzeFileSafe(
  path: string,
  params: AnalyzeFileParams = {},
): Promise<AnalyzeResult> {
  try {
    return { ok: true, report: await analyzeFile(path, params) };
  } catch (e) {
    const err = toSonoError(e);
    const error = { code: err.code, message: err.message, details: err.details };
    const record = await buildFailureRecord(path, error, {
      ...(params.taskId !== undefined ? { taskId: params.taskId } : {}),
      ...(params.signal ? { signal: params.signal } : {}),
      ...(params.source ? { source: params.source } : {}),
    });
    return { ok: false, path: resolve(path), error, record };
  }
}
