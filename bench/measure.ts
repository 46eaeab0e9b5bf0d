/**
 * One benchmark measurement, run in its own child process by `bench/run.ts` so that its peak RSS
 * is its own. Usage: node --import tsx bench/measure.ts '<json MeasureRequest>'
 * Prints one JSON line (MeasureResult) on stdout.
 */
import { analyzeFile } from '../src/pipeline/analyze-file.js';
import { probeFile } from '../src/audio/probe.js';
import { startDecode } from '../src/audio/decode.js';
import type { AnalyzerTiming } from '../src/pipeline/report.js';
import type { ProcessingType } from '../src/pipeline/stages.js';

export interface MeasureRequest {
  /** `decode`: ffmpeg decode with the pipeline's arguments, output discarded. */
  readonly mode: 'decode' | 'analyze';
  readonly files: readonly string[];
  readonly type?: ProcessingType;
}

export interface MeasureResult {
  readonly wallSec: number;
  readonly audioSec: number;
  readonly cpuSec: number;
  /** Peak resident set size of this process, MB (ffmpeg's own memory is not included). */
  readonly maxRssMb: number;
  /** Summed per-analyzer CPU, ms, keyed `stage/analyzer`. */
  readonly analyzers: Record<string, { stage: string; section: string; cpuMs: number }>;
  readonly framingMs: number;
  readonly failures: readonly string[];
}

const req = JSON.parse(process.argv[2] ?? '{}') as MeasureRequest;
const t0 = performance.now();
const cpu0 = process.cpuUsage();
let audioSec = 0;
let framingMs = 0;
const analyzers: MeasureResult['analyzers'] = {};
const failures: string[] = [];

for (const file of req.files) {
  try {
    if (req.mode === 'decode') {
      // The same decode the pipeline starts for the technical type: analysis pipe + native pipe.
      const probe = await probeFile(file);
      const s = startDecode(file, {
        nativeChannels: probe.audio_info.channels,
        nativeRateHz: probe.audio_info.sample_rate,
        onNative: () => undefined,
      });
      for await (const _block of s.analysis) {
        // discarded
      }
      audioSec += (await s.done).decodedDurationSec;
    } else {
      const report = await analyzeFile(file, { processingType: req.type ?? 'technical' });
      audioSec += report.audio_info.decoded_duration;
      framingMs += report.processing.framing_ms;
      for (const a of report.processing.analyzers as readonly AnalyzerTiming[]) {
        const key = `${a.stage}/${a.name}`;
        const cur = (analyzers[key] ??= { stage: a.stage, section: a.section, cpuMs: 0 });
        cur.cpuMs += a.cpu_ms;
      }
      for (const [name, s] of Object.entries(report.results)) {
        if ((s as { status?: string }).status === 'failed')
          failures.push(`${file}: ${name} failed`);
      }
    }
  } catch (e) {
    failures.push(`${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
}
const cpu = process.cpuUsage(cpu0);
const result: MeasureResult = {
  wallSec: (performance.now() - t0) / 1000,
  audioSec,
  cpuSec: (cpu.user + cpu.system) / 1e6,
  maxRssMb: process.resourceUsage().maxRSS / 1024,
  analyzers,
  framingMs,
  failures,
};
process.stdout.write(`${JSON.stringify(result)}\n`);
