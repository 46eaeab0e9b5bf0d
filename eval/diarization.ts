/**
 * Diarization evaluation: runs the real speech pipeline (`analyzeFile`, processing type `speech`:
 * one decode, QC, Silero VAD, segmentation, diarization) on the corpus
 * conversations and scores the `speaker_recognition` turns (plus detected overlaps) against the
 * reference RTTM with DER (md-eval conventions, src/analysis/diarization/der.ts) inside each file's
 * UEM, at collar 0 and 0.25 s, per file and overall (total-weighted), with the speaker-count error.
 * A diagnostic row also scores the clustering alone, on the reference speech regions ("oracle VAD").
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Analyzer, AnalyzerContext } from '../src/analysis/analyzer.js';
import {
  computeDer,
  mergeRegions,
  parseRttm,
  parseUem,
  type SpeakerTurn,
  type TimeRegion,
} from '../src/analysis/diarization/der.js';
import { DiarizationAnalyzer } from '../src/analysis/diarization/diarization-analyzer.js';
import type { SpeakerRecognitionSection } from '../src/analysis/diarization/types.js';
import { analyzeFile } from '../src/pipeline/analyze-file.js';
import { markdownTable, type Evaluation } from './common.js';
import { decodeMono16k, driveAnalyzers } from './speech-harness.js';

/** Hypothesis turns of a section: its turns plus the second speaker of each detected overlap. */
export function sectionToTurns(s: SpeakerRecognitionSection): SpeakerTurn[] {
  const turns: SpeakerTurn[] = [...(s.turns ?? [])];
  for (const o of s.overlaps ?? [])
    if (o.speakers[1]) turns.push({ speaker: o.speakers[1], start: o.start, end: o.end });
  return turns;
}

interface Row {
  file: string;
  refSpk: number;
  hypSpk: number;
  totalSec: number;
  total0: number;
  err0: number;
  err25: number;
  miss25: number;
  fa25: number;
  conf25: number;
  oracleErr25: number;
  ms: number;
}

const pct = (x: number): string => (Number.isFinite(x) ? `${(100 * x).toFixed(1)} %` : 'n/a');

async function runFile(wav: string, ref: SpeakerTurn[], uem: TimeRegion[]): Promise<Row> {
  // The real pipeline: one decode, every 'speech' stage (QC, Silero VAD, segmentation, diarization).
  const t0 = performance.now();
  const report = await analyzeFile(wav, { processingType: 'speech' });
  const ms = performance.now() - t0;
  const sec = report.results.speaker_recognition as SpeakerRecognitionSection;
  if (sec.status !== 'ok')
    throw new Error(`speaker_recognition ${sec.status}: ${sec.reason ?? ''}`);
  const samples = await decodeMono16k(wav);
  const hyp = sectionToTurns(sec);
  const d0 = computeDer(ref, hyp, { uem, collarSec: 0 });
  const d25 = computeDer(ref, hyp, { uem, collarSec: 0.25 });
  // Oracle speech regions: the reference's own speech, to score the speaker side alone.
  const oracle = mergeRegions(ref);
  const makeOracle = (ctx: AnalyzerContext): Analyzer[] => [
    {
      section: 'voice_activity',
      name: 'oracle',
      version: '0',
      finish: () => ({
        status: 'ok',
        speech_segments: oracle.map((r) => ({ ...r, confidence: 1 })),
      }),
    },
    new DiarizationAnalyzer(ctx),
  ];
  const o = await driveAnalyzers(makeOracle, samples);
  const oSec = o.sections['speaker_recognition'] as SpeakerRecognitionSection;
  const od = computeDer(ref, sectionToTurns(oSec), { uem, collarSec: 0.25 });
  const inUem = ref.filter((t) => uem.some((u) => t.start < u.end && t.end > u.start));
  return {
    file: basename(wav),
    refSpk: new Set(inUem.map((t) => t.speaker)).size,
    hypSpk: sec.speakers_detected ?? 0,
    totalSec: d25.totalSec,
    total0: d0.totalSec,
    err0: d0.der * d0.totalSec,
    err25: d25.der * d25.totalSec,
    miss25: d25.missedSec,
    fa25: d25.falseAlarmSec,
    conf25: d25.confusionSec,
    oracleErr25: od.der * od.totalSec,
    ms,
  };
}

export const diarizationEvaluation: Evaluation = {
  id: 'diarization',
  title: 'Speaker diarization (DER)',
  async run(corpusDir: string): Promise<string> {
    const dir = join(corpusDir, 'conversation');
    const amiRef = parseRttm(readFileSync(join(dir, 'ami-debug.rttm'), 'utf8'), 'ami-debug.rttm');
    const amiUem = parseUem(readFileSync(join(dir, 'ami-debug.uem'), 'utf8'), 'ami-debug.uem');
    const files = readdirSync(dir)
      .filter((f) => /^ami-.*\.wav$/.test(f))
      .sort();
    const jobs: { wav: string; ref: SpeakerTurn[]; uem: TimeRegion[] }[] = [];
    for (const f of files) {
      const id = f.replace(/\.wav$/, '');
      jobs.push({ wav: join(dir, f), ref: amiRef.get(id) ?? [], uem: amiUem.get(id) ?? [] });
    }
    const pyWav = join(dir, 'pyannote-sample.wav');
    if (existsSync(pyWav)) {
      const ref = parseRttm(readFileSync(join(dir, 'pyannote-sample.rttm'), 'utf8')).get(
        'pyannote-sample',
      )!;
      const samplesSec = readFileSync(pyWav).length / 32000; // 16-bit mono 16 kHz
      jobs.push({ wav: pyWav, ref, uem: [{ start: 0, end: Math.ceil(samplesSec) }] });
    }
    const rows: Row[] = [];
    for (const j of jobs) {
      const r = await runFile(j.wav, j.ref, j.uem);
      rows.push(r);
      console.log(
        `${r.file}: DER(0) ${pct(r.err0 / r.total0)} DER(0.25) ${pct(r.err25 / r.totalSec)} speakers ${r.hypSpk}/${r.refSpk}`,
      );
    }
    const sum = (rs: Row[], k: keyof Row): number => rs.reduce((s, r) => s + (r[k] as number), 0);
    const group = (name: string, rs: Row[]): (string | number)[] => [
      name,
      rs.length === 1 ? rs[0]!.refSpk : `${sum(rs, 'refSpk')}`,
      rs.length === 1 ? rs[0]!.hypSpk : `${sum(rs, 'hypSpk')}`,
      sum(rs, 'total0').toFixed(1),
      pct(sum(rs, 'err0') / sum(rs, 'total0')),
      pct(sum(rs, 'err25') / sum(rs, 'totalSec')),
      pct(sum(rs, 'miss25') / sum(rs, 'totalSec')),
      pct(sum(rs, 'fa25') / sum(rs, 'totalSec')),
      pct(sum(rs, 'conf25') / sum(rs, 'totalSec')),
      pct(sum(rs, 'oracleErr25') / sum(rs, 'totalSec')),
    ];
    const ami = rows.filter((r) => r.file.startsWith('ami-'));
    const py = rows.filter((r) => r.file.startsWith('pyannote'));
    const header = [
      'file',
      'ref spk',
      'hyp spk',
      'ref speech s',
      'DER c=0',
      'DER c=0.25',
      'miss',
      'FA',
      'conf.',
      'DER c=0.25, oracle VAD',
    ];
    const table = markdownTable(header, [
      ...rows.map((r) => group(r.file, [r])),
      group('**all ami-* (total-weighted)**', ami),
      group('**overall**', rows),
    ]);
    const countErr = rows.reduce((s, r) => s + Math.abs(r.hypSpk - r.refSpk), 0) / rows.length;
    const exact = rows.filter((r) => r.hypSpk === r.refSpk).length;
    const amiDer = sum(ami, 'err25') / sum(ami, 'totalSec');
    const amiDer0 = sum(ami, 'err0') / sum(ami, 'total0');
    const pyDer = py.length ? sum(py, 'err25') / sum(py, 'totalSec') : NaN;
    const audioSec = rows.length > 0 ? sum(rows, 'ms') : 0;
    const summary = [
      `Speaker count: mean absolute error ${countErr.toFixed(2)}, exact on ${exact}/${rows.length} files.`,
      `Targets: DER(0.25) ≤ 20 % on ami-* → measured ${pct(amiDer)} (${amiDer <= 0.2 ? 'met' : 'NOT met'}); ` +
        `≤ 10 % on pyannote-sample → measured ${pct(pyDer)} (${pyDer <= 0.1 ? 'met' : 'NOT met'}).`,
      `For scale: pyannote 3.1 (deep segmentation + embedding models) reports 18.8 % DER on AMI ` +
        `with no collar; this offline, model-free pipeline measures ${pct(amiDer0)} at collar 0 on ` +
        `these AMI excerpts (only 0–30 s of each is annotated, 2–4 speakers, much overlap).`,
      `Collar: seconds removed on each side of every reference boundary (md-eval \`-c\`; ` +
        `pyannote.metrics \`collar=0.5\` is the same as 0.25 here). Overlap is scored; hypothesis ` +
        `overlaps are the section's \`overlaps\`. The oracle-VAD column runs the same diarization ` +
        `on the reference speech regions, isolating the speaker side from VAD errors.`,
      `Wall time of the speech pipeline (analyzeFile, processing type speech) over these files: ${(audioSec / 1000).toFixed(1)} s.`,
    ];
    for (const s of summary) console.log(s);
    console.log(table);
    return [table, '', ...summary.map((s) => `- ${s}`)].join('\n');
  },
};
