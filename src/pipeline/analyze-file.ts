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
import { probeFile } from '../audio/probe.js';
import { SonoError, toSonoError, type ErrorCode, type ErrorDetails } from '../errors.js';
import { buildMetadataGeneration } from '../metadata/dublin-core.js';
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
  | { readonly ok: false; readonly error: AnalyzeError; readonly path: string };

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
 * analysed (not audio, truncated, decode failure, cancelled…).
 */
export async function analyzeFile(path: string, params: AnalyzeFileParams = {}): Promise<Report> {
  const processingType = params.processingType ?? 'comprehensive';
  const options: AnalyzeOptions = params.options ?? {};
  const profile = options.profile ?? DEFAULT_PROFILE;
  const startedAt = new Date();
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const absPath = resolve(path);
  checkAbort(params.signal);

  const probe = await probeFile(absPath, {
    ...(params.limits?.maxFileSizeBytes !== undefined
      ? { maxFileSizeBytes: params.limits.maxFileSizeBytes }
      : {}),
    ...(params.limits?.maxDurationSec !== undefined
      ? { maxDurationSec: params.limits.maxDurationSec }
      : {}),
  });
  checkAbort(params.signal);
  const audioInfo = probe.audio_info;
  const warnings: string[] = [...probe.warnings];

  // Fixity reads the file on its own stream while ffmpeg decodes it.
  const fixityPromise = computeFixity(absPath, probe.wav);
  fixityPromise.catch(() => undefined); // awaited below; avoid an unhandled rejection meanwhile

  const ctx: AnalyzerContext = { audioInfo, analysisRateHz: ANALYSIS_RATE_HZ, options };
  const registry = params.stages ?? STAGES;
  const stages = params.stages
    ? registry.filter((s) => s.types.includes(processingType))
    : stagesFor(processingType);
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

  const run = (slot: Slot, fn: () => void): void => {
    if (slot.error) return;
    const t = performance.now();
    try {
      fn();
    } catch (e) {
      slot.error = analyzerError(slot, e);
    }
    slot.cpuMs += performance.now() - t;
  };
  const runAsync = async (slot: Slot, fn: () => void | Promise<void>): Promise<void> => {
    if (slot.error) return;
    const t = performance.now();
    try {
      const r = fn();
      if (r instanceof Promise) {
        // The pipeline waits for the analyzer here (e.g. ONNX inference on its own thread), so
        // the awaited time is this analyzer's cost too.
        await r.catch((e: unknown) => {
          slot.error = analyzerError(slot, e);
        });
        slot.cpuMs += performance.now() - t;
        return;
      }
    } catch (e) {
      slot.error = analyzerError(slot, e);
    }
    slot.cpuMs += performance.now() - t;
  };

  for (const slot of slots) {
    const start = slot.analyzer.start?.bind(slot.analyzer);
    if (start) await runAsync(slot, () => start(ctx));
  }

  // One Framer per distinct config, each dispatching to the analyzers that asked for it.
  let framingMs = 0;
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
            if (onFrame) run(r, () => onFrame.call(r.analyzer, frame));
          }
        };
        entry = { framer: new Framer(cfg as FramerConfig, dispatch), readers };
        framers.set(key, entry);
      }
      if (!entry.readers.includes(slot)) entry.readers.push(slot);
    }
  }
  const framerList = [...framers.values()];
  const sampleReaders = slots.filter((s) => s.analyzer.onSamples);
  const nativeReaders = slots.filter((s) => s.analyzer.onNative);
  const wantsNative = nativeReaders.length > 0;

  const session = startDecode(absPath, {
    analysisRateHz: ANALYSIS_RATE_HZ,
    nativeChannels: audioInfo.channels,
    nativeRateHz: audioInfo.sample_rate,
    ...(params.signal ? { signal: params.signal } : {}),
    ...(wantsNative
      ? {
          onNative: (interleaved: Float32Array, channels: number) => {
            for (const s of nativeReaders) {
              const onNative = s.analyzer.onNative;
              if (onNative) run(s, () => onNative.call(s.analyzer, interleaved, channels));
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
        if (onSamples) await runAsync(s, () => onSamples.call(s.analyzer, block, start));
      }
      const tf = performance.now();
      let inAnalyzers = 0;
      for (const f of framerList) {
        const before = f.readers.reduce((n, r) => n + r.cpuMs, 0);
        f.framer.push(block);
        inAnalyzers += f.readers.reduce((n, r) => n + r.cpuMs, 0) - before;
      }
      framingMs += performance.now() - tf - inAnalyzers;
      if (params.onProgress) {
        const now = performance.now();
        if (now - lastProgress >= 250) {
          lastProgress = now;
          params.onProgress({ processedSec: samplesSeen / ANALYSIS_RATE_HZ, durationSec });
        }
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
  for (const f of framerList) {
    const before = f.readers.reduce((n, r) => n + r.cpuMs, 0);
    const tf = performance.now();
    f.framer.flush();
    framingMs += performance.now() - tf - (f.readers.reduce((n, r) => n + r.cpuMs, 0) - before);
  }
  for (const w of decoded.warnings) if (!warnings.includes(w)) warnings.push(w);
  const decodedDurationSec = decoded.decodedDurationSec;
  if (decodedDurationSec === 0) {
    throw new SonoError('SONO_ERR_DECODE_FAILED', {
      detail: `no audio samples could be decoded from ${basename(absPath)}`,
    });
  }
  if (audioInfo.duration > 0 && Math.abs(audioInfo.duration - decodedDurationSec) > 1) {
    warnings.push(
      `declared duration ${audioInfo.duration.toFixed(3)} s differs from decoded duration ` +
        `${decodedDurationSec.toFixed(3)} s`,
    );
  }

  // finish() in stage order; each may read the sections finished before it.
  const sections: Record<string, unknown> = {};
  const finishCtx: FinishContext = {
    ...ctx,
    durationSec: decodedDurationSec,
    sections,
  };
  for (const slot of slots) {
    checkAbort(params.signal);
    if (slot.error) {
      sections[slot.analyzer.section] = failedSection(slot, slot.error);
      continue;
    }
    const t = performance.now();
    try {
      const section = await slot.analyzer.finish(finishCtx);
      sections[slot.analyzer.section] = section;
    } catch (e) {
      slot.error = analyzerError(slot, e);
      sections[slot.analyzer.section] = failedSection(slot, slot.error);
    }
    slot.cpuMs += performance.now() - t;
  }
  for (const [stage, err] of stageFailures) {
    for (const name of stage.sections) {
      sections[name] ??= {
        status: 'failed',
        reason: err.message,
        error: { code: err.code, message: err.message },
      };
    }
  }
  for (const stage of stages) {
    for (const name of stage.sections) {
      sections[name] ??= { status: 'not_run', reason: `stage ${stage.id} produced no ${name}` };
    }
  }
  for (const stage of registry) {
    if (stages.includes(stage)) continue;
    for (const name of stage.sections) {
      sections[name] ??= {
        status: 'not_run',
        reason: `stage ${stage.id} is not part of processing type ${processingType}`,
      };
    }
  }

  let fixity: FixitySection;
  try {
    const fx = await fixityPromise;
    fixity = {
      status: 'ok',
      md5: fx.md5,
      sha256: fx.sha256,
      audio_data_md5: fx.audio_data_md5,
      bytes: fx.bytes,
    };
  } catch (e) {
    const err = toSonoError(e);
    fixity = {
      status: 'failed',
      reason: err.message,
      error: { code: err.code, message: err.message },
    };
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
  };

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

  const timings: AnalyzerTiming[] = slots.map((s) => ({
    name: s.analyzer.name,
    version: s.analyzer.version,
    section: s.analyzer.section,
    stage: s.stage,
    cpu_ms: Math.round(s.cpuMs * 10) / 10,
  }));
  params.onProgress?.({
    processedSec: decodedDurationSec,
    durationSec: durationSec || decodedDurationSec,
  });
  const cpu = process.cpuUsage(cpu0);
  const draft: Report = {
    schema_version: SCHEMA_VERSION,
    generator: { name: 'sonoteca', version: generatorVersion() },
    ...(params.taskId !== undefined ? { task_id: params.taskId } : {}),
    created_at: new Date().toISOString(),
    source: { path: absPath, file_name: basename(absPath), size_bytes: audioInfo.file_size_bytes },
    audio_info: { ...audioInfo, decoded_duration: decodedDurationSec },
    processing: {
      processing_type: processingType,
      profile,
      started_at: startedAt.toISOString(),
      duration_sec: Math.round(performance.now() - t0) / 1000,
      stages: stages.map((s) => s.id),
      analyzers: timings,
      framing_ms: Math.round(framingMs * 10) / 10,
      native_stream: wantsNative,
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

/** Like analyzeFile, but never throws: file-level failures become a coded error record. */
export async function analyzeFileSafe(
  path: string,
  params: AnalyzeFileParams = {},
): Promise<AnalyzeResult> {
  try {
    return { ok: true, report: await analyzeFile(path, params) };
  } catch (e) {
    const err = toSonoError(e);
    return {
      ok: false,
      path: resolve(path),
      error: { code: err.code, message: err.message, details: err.details },
    };
  }
}
