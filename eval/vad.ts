/**
 * Voice activity precision / recall / F1 against the speech regions of the corpus conversations
 * (union of the RTTM speaker turns), every 10 ms, inside each file's UEM (ami-*: 0–30 s) or over
 * the whole file (pyannote-sample). Per file and pooled over all files. Target: F1 ≥ 0.93.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  mergeRegions,
  parseRttm,
  parseUem,
  type TimeRegion,
} from '../src/analysis/diarization/der.js';
import {
  createVoiceActivityAnalyzer,
  type VoiceActivitySection,
} from '../src/analysis/voice-activity/index.js';
import { markdownTable, type Evaluation } from './common.js';
import { decodeMono16k, driveAnalyzers, RATE_HZ } from './speech-harness.js';

const STEP_SEC = 0.01;

function mask(regions: readonly TimeRegion[], n: number): Uint8Array {
  const m = new Uint8Array(n);
  for (const r of regions) {
    const a = Math.max(0, Math.round(r.start / STEP_SEC));
    const b = Math.min(n, Math.round(r.end / STEP_SEC));
    m.fill(1, a, b);
  }
  return m;
}

const f3 = (x: number): string => (Number.isFinite(x) ? x.toFixed(3) : '–');

export const vadEvaluation: Evaluation = {
  id: 'vad',
  title: 'Voice activity (Silero VAD v5)',
  async run(corpusDir: string): Promise<string> {
    const dir = join(corpusDir, 'conversation');
    const refs = new Map([
      ...parseRttm(readFileSync(join(dir, 'ami-debug.rttm'), 'utf8'), 'ami-debug.rttm'),
      ...parseRttm(readFileSync(join(dir, 'pyannote-sample.rttm'), 'utf8'), 'pyannote-sample.rttm'),
    ]);
    const uems = parseUem(readFileSync(join(dir, 'ami-debug.uem'), 'utf8'), 'ami-debug.uem');
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.wav'))
      .sort();
    const rows: (string | number)[][] = [];
    let tp = 0;
    let fp = 0;
    let fn = 0;
    let audioSec = 0;
    let vadMs = 0;
    for (const f of files) {
      const uri = f.replace(/\.wav$/, '');
      const turns = refs.get(uri);
      if (!turns) continue;
      const samples = await decodeMono16k(join(dir, f));
      const dur = samples.length / RATE_HZ;
      const r = await driveAnalyzers((ctx) => [createVoiceActivityAnalyzer(ctx)], samples);
      const sec = r.sections['voice_activity'] as VoiceActivitySection;
      audioSec += dur;
      vadMs += r.msBySection['voice_activity'] ?? 0;
      const n = Math.floor(dur / STEP_SEC);
      const ref = mask(mergeRegions(turns), n);
      const hyp = mask(sec.speech_segments, n);
      const scored = mask(uems.get(uri) ?? [{ start: 0, end: dur }], n);
      let a = 0;
      let b = 0;
      let c = 0;
      for (let i = 0; i < n; i++) {
        if (!scored[i]) continue;
        if (ref[i] && hyp[i]) a++;
        else if (hyp[i]) b++;
        else if (ref[i]) c++;
      }
      tp += a;
      fp += b;
      fn += c;
      const p = a / (a + b);
      const rc = a / (a + c);
      const scoredSec = scored.reduce((s, v) => s + v, 0) * STEP_SEC;
      rows.push([
        uri,
        scoredSec.toFixed(0),
        ((a + c) * STEP_SEC).toFixed(1),
        f3(p),
        f3(rc),
        f3((2 * p * rc) / (p + rc)),
      ]);
    }
    const p = tp / (tp + fp);
    const rc = tp / (tp + fn);
    const f1 = (2 * p * rc) / (p + rc);
    rows.push([
      '**overall**',
      '',
      ((tp + fn) * STEP_SEC).toFixed(1),
      f3(p),
      f3(rc),
      `**${f3(f1)}**`,
    ]);
    const table = markdownTable(
      ['file', 'scored s', 'ref speech s', 'precision', 'recall', 'F1'],
      rows,
    );
    console.log(table);
    const xrt = audioSec / (vadMs / 1000);
    console.log(`VAD: ${xrt.toFixed(0)}x real time (wall, including ONNX inference)`);
    return [
      'Frame-level (10 ms) scores of the `voice_activity` speech segments (default settings:',
      'threshold 0.4, min speech 0.25 s, min silence 0.3 s, pad 0.2 s) against the union of the',
      'RTTM speaker turns, inside the UEM (ami-*: 0–30 s; pyannote-sample: whole file).',
      `Target F1 ≥ 0.93: **${f1 >= 0.93 ? 'met' : 'not met'}** (${f3(f1)}).`,
      '',
      table,
      '',
      `Speed in this run: ${xrt.toFixed(0)}× real time (VAD analyzer alone, wall time).`,
    ].join('\n');
  },
};
