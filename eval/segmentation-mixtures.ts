/**
 * Labelled mixtures for the segmenter: recordings concatenated from corpus files (and generated
 * noise/music) with known boundaries. Sources are split by FILE into `train` and `test`, so the
 * evaluation never hears audio the shipped model was trained on. Used by
 * `scripts/train-segmenter.ts` (train split) and `eval/segmentation.ts` (test split).
 */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { SegmentLabel } from '../src/analysis/segmentation/model.js';
import { BLOCK_SEC } from '../src/analysis/segmentation/descriptors.js';
import {
  createSegmentationFeatureCollector,
  SEGMENTATION_FEATURES,
  type SegmentationFeaturesSection,
} from '../src/analysis/segmentation/segmentation-analyzer.js';
import { createVoiceActivityAnalyzer } from '../src/analysis/voice-activity/voice-activity-analyzer.js';
import { decodeMono16k, driveAnalyzers, RATE_HZ } from './speech-harness.js';

export type Split = 'train' | 'test';
type SourceKind = 'speech' | 'music' | 'noise' | 'singing';

interface SourceSpec {
  readonly path: string;
  readonly kind: SourceKind;
  readonly split: Split;
  /** For conversations: only the union of the RTTM's speaker turns (≥ 1 s) inside 0–30 s. */
  readonly rttm?: string;
}

/**
 * The corpus files used, by kind and split. Conversations contribute only their annotated speech
 * (RTTM turns). Left out on purpose: `hobbs-lets-go-fishin` (accompanied song: neither clean
 * music nor speech over music), the 2.7 s robin call (mostly silence), ami-trn01/02 (under 2 s
 * of annotated speech).
 */
export const SOURCES: readonly SourceSpec[] = [
  { path: 'speech/librispeech-198-209-0000.ogg', kind: 'speech', split: 'train' },
  { path: 'speech/librispeech-3436-172162-0000.ogg', kind: 'speech', split: 'train' },
  {
    path: 'heritage/spoken_word/chatterbox__linda_johnson_01.flac',
    kind: 'speech',
    split: 'train',
  },
  { path: 'speech/librispeech-5703-47212-0000.ogg', kind: 'speech', split: 'test' },
  { path: 'heritage/spoken_word/chatterbox__linda_johnson_02.flac', kind: 'speech', split: 'test' },
  { path: 'heritage/historical_speech/whisper__jfk.flac', kind: 'speech', split: 'test' },
  {
    path: 'conversation/ami-trn03.wav',
    kind: 'speech',
    split: 'train',
    rttm: 'conversation/ami-debug.rttm',
  },
  {
    path: 'conversation/ami-trn04.wav',
    kind: 'speech',
    split: 'train',
    rttm: 'conversation/ami-debug.rttm',
  },
  {
    path: 'conversation/ami-trn05.wav',
    kind: 'speech',
    split: 'train',
    rttm: 'conversation/ami-debug.rttm',
  },
  {
    path: 'conversation/ami-trn06.wav',
    kind: 'speech',
    split: 'train',
    rttm: 'conversation/ami-debug.rttm',
  },
  {
    path: 'conversation/ami-trn07.wav',
    kind: 'speech',
    split: 'train',
    rttm: 'conversation/ami-debug.rttm',
  },
  {
    path: 'conversation/ami-trn08.wav',
    kind: 'speech',
    split: 'test',
    rttm: 'conversation/ami-debug.rttm',
  },
  {
    path: 'conversation/ami-trn09.wav',
    kind: 'speech',
    split: 'test',
    rttm: 'conversation/ami-debug.rttm',
  },
  {
    path: 'conversation/ami-dev00.wav',
    kind: 'speech',
    split: 'test',
    rttm: 'conversation/ami-debug.rttm',
  },
  {
    path: 'conversation/ami-dev01.wav',
    kind: 'speech',
    split: 'test',
    rttm: 'conversation/ami-debug.rttm',
  },
  {
    path: 'conversation/pyannote-sample.wav',
    kind: 'speech',
    split: 'test',
    rttm: 'conversation/pyannote-sample.rttm',
  },
  { path: 'music/brahms-hungarian-dance-5.ogg', kind: 'music', split: 'train' },
  { path: 'music/macleod-vibe-ace.ogg', kind: 'music', split: 'train' },
  { path: 'music/orsa-pistachio-ragtime.ogg', kind: 'music', split: 'train' },
  { path: 'music/admiralbob-choice-drum-bass.ogg', kind: 'music', split: 'train' },
  {
    path: 'heritage/classical_music/bachvln__john-garner_bwv1002_mov6.mp3',
    kind: 'music',
    split: 'train',
  },
  {
    path: 'heritage/classical_music/bachvln__john-garner_bwv1002_mov7.mp3',
    kind: 'music',
    split: 'train',
  },
  { path: 'music/tchaikovsky-sugar-plum-fairy.ogg', kind: 'music', split: 'test' },
  { path: 'music/setuniman-sweet-waltz.ogg', kind: 'music', split: 'test' },
  { path: 'music/sorohan-solo-trumpet-90bpm-F.ogg', kind: 'music', split: 'test' },
  {
    path: 'heritage/classical_music/bachvln__minji-kim_bwv1003_mov3.opus',
    kind: 'music',
    split: 'test',
  },
  { path: 'nature/nps-humpback-whale.ogg', kind: 'noise', split: 'train' },
  { path: 'nature/mcfee-dog-howl.ogg', kind: 'noise', split: 'test' },
  { path: 'heritage/religious_chant/sms__tibetan-chant.wav', kind: 'singing', split: 'train' },
  { path: 'heritage/opera/spatialaudio__singing.wav', kind: 'singing', split: 'test' },
  // solo sung voice of other traditions (adhan, Ukrainian folk song), split by recording
  ...(
    [
      ['religious_chant/muslimtify__adhan_a.mp3', 'train'],
      ['folk_music/aljanaki__ukr_hrai-zhuchku.wav', 'train'],
      ['folk_music/aljanaki__ukr_oi-u-poli-dvi-topoli.wav', 'train'],
      ['folk_music/aljanaki__ukr_oi-vesna-vesna_inna.wav', 'train'],
      ['religious_chant/muslimtify__adhan_b.mp3', 'test'],
      ['folk_music/aljanaki__ukr_smutnyi-vechir.wav', 'test'],
      ['folk_music/aljanaki__ukr_zhuk_first-voice.wav', 'test'],
      ['folk_music/aljanaki__ukr_misyt-korovaichyky.mp3', 'test'],
    ] as const
  ).map(([f, split]) => ({ path: `heritage/${f}`, kind: 'singing' as const, split })),
  // plain speech on old carriers, in large rooms, over PA or crowd: still speech, not speech
  // over music (split by speaker)
  ...(
    [
      ['echotrainer__fdr-fear.mp3', 'train'],
      ['echotrainer__armstrong-step.mp3', 'train'],
      ['echotrainer__perkins-security.mp3', 'train'],
      ['echotrainer__ike-mic.mp3', 'train'],
      ['echotrainer__er-humanrights.mp3', 'test'],
      ['echotrainer__jfk-moon.mp3', 'test'],
      ['echotrainer__reagan-wall.mp3', 'test'],
    ] as const
  ).map(([f, split]) => ({
    path: `heritage/historical_speech/${f}`,
    kind: 'speech' as const,
    split,
  })),
];

export interface TruthSegment {
  readonly label: SegmentLabel;
  readonly start: number;
  readonly end: number;
  /** What it was made of, for reports. */
  readonly source: string;
}

export interface Mixture {
  readonly samples: Float32Array;
  readonly segments: readonly TruthSegment[];
}

import { mulberry32 } from '../src/dsp/random.js';

export const rng = mulberry32;

function rms(x: Float32Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]! * x[i]!;
  return Math.sqrt(s / Math.max(1, x.length));
}

function scaleTo(x: Float32Array, dbfs: number): Float32Array {
  const r = rms(x);
  const g = r > 1e-9 ? 10 ** (dbfs / 20) / r : 0;
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = Math.max(-1, Math.min(1, x[i]! * g));
  return out;
}

/** Generated noise: white, pink, brown, mains hum with hiss, or rain-like crackle. */
export function generatedNoise(kind: number, n: number, r: () => number): Float32Array {
  const x = new Float32Array(n);
  let b0 = 0;
  let b1 = 0;
  let b2 = 0;
  let brown = 0;
  const humHz = r() < 0.5 ? 50 : 60;
  for (let i = 0; i < n; i++) {
    const w = 2 * r() - 1;
    switch (kind % 5) {
      case 0:
        x[i] = w;
        break;
      case 1: // pink (Paul Kellet's economy filter)
        b0 = 0.99765 * b0 + w * 0.099046;
        b1 = 0.963 * b1 + w * 0.2965164;
        b2 = 0.57 * b2 + w * 1.0526913;
        x[i] = b0 + b1 + b2 + w * 0.1848;
        break;
      case 2:
        brown = 0.995 * brown + 0.1 * w;
        x[i] = brown;
        break;
      case 3: {
        const t = i / RATE_HZ;
        let h = 0;
        for (let k = 1; k <= 5; k++) h += Math.sin(2 * Math.PI * humHz * k * t) / k;
        x[i] = h + 0.3 * w;
        break;
      }
      default:
        x[i] = (r() < 0.002 ? 8 * w : 0) + 0.2 * w;
    }
  }
  return x;
}

/** Generated tonal music: chords and a melody of harmonic (or pure) tones with envelopes. */
export function generatedMusic(n: number, r: () => number): Float32Array {
  const x = new Float32Array(n);
  const pure = r() < 0.4;
  const noteSec = 0.2 + r() * 0.6;
  const noteLen = Math.round(noteSec * RATE_HZ);
  const base = 110 * 2 ** Math.floor(r() * 3);
  const scale = [0, 2, 4, 5, 7, 9, 11, 12];
  for (let s = 0; s < n; s += noteLen) {
    const chordRoot = scale[Math.floor(r() * scale.length)]!;
    const notes = [
      chordRoot,
      chordRoot + 4,
      chordRoot + 7,
      chordRoot + 12 + scale[Math.floor(r() * 8)]!,
    ];
    for (const [k, semi] of notes.entries()) {
      const f = base * 2 ** (semi / 12) * (k === 3 ? 2 : 1);
      for (let i = 0; i < noteLen && s + i < n; i++) {
        const env = Math.min(1, i / 200) * Math.exp(-i / (noteLen * 0.8));
        let v = 0;
        const partials = pure ? 1 : 6;
        for (let p = 1; p <= partials; p++) {
          if (f * p > 7000) break;
          v += Math.sin((2 * Math.PI * f * p * i) / RATE_HZ) / p;
        }
        x[s + i]! += env * v;
      }
    }
  }
  return x;
}

const cache = new Map<string, Float32Array>();

/** Union of the RTTM turns of one file inside [0, 30) s, keeping regions ≥ 1 s. */
function speechRegions(rttmText: string, uri: string): [number, number][] {
  const turns: [number, number][] = [];
  for (const line of rttmText.split('\n')) {
    const p = line.trim().split(/\s+/);
    if (p[0] !== 'SPEAKER' || p[1] !== uri) continue;
    turns.push([Number(p[3]), Number(p[3]) + Number(p[4])]);
  }
  turns.sort((a, b) => a[0] - b[0]);
  const u: [number, number][] = [];
  for (const [a, b] of turns) {
    const last = u[u.length - 1];
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else u.push([a, b]);
  }
  return u.map(([a, b]): [number, number] => [a, Math.min(b, 30)]).filter(([a, b]) => b - a >= 1);
}

async function load(corpusDir: string, src: string | SourceSpec): Promise<Float32Array> {
  const spec = typeof src === 'string' ? { path: src } : src;
  const key = join(corpusDir, spec.path);
  let x = cache.get(key);
  if (!x) {
    x = await decodeMono16k(key);
    if ('rttm' in spec && spec.rttm) {
      const uri = basename(spec.path).replace(/\.[^.]+$/, '');
      const regions = speechRegions(readFileSync(join(corpusDir, spec.rttm), 'utf8'), uri);
      const parts = regions.map(([a, b]) =>
        x!.subarray(Math.round(a * RATE_HZ), Math.round(b * RATE_HZ)),
      );
      const joined = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
      let o = 0;
      for (const p of parts) {
        joined.set(p, o);
        o += p.length;
      }
      x = joined;
    }
    cache.set(key, x);
  }
  return x;
}

function excerpt(x: Float32Array, n: number, r: () => number): Float32Array {
  if (x.length <= n) {
    // Loop short sources to the requested length.
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = x[i % x.length]!;
    return out;
  }
  const off = Math.floor(r() * (x.length - n));
  return x.slice(off, off + n);
}

const uniform = (r: () => number, a: number, b: number): number => a + (b - a) * r();

/**
 * Channel augmentation (in place): a random one-pole low-pass (2.5–7 kHz, half the time) and
 * high-pass (80–300 Hz, a third of the time), so the model learns content, not one microphone.
 */
function augment(x: Float32Array, r: () => number): Float32Array {
  if (r() < 0.5) {
    const a = Math.exp((-2 * Math.PI * uniform(r, 2500, 7000)) / RATE_HZ);
    let y = 0;
    for (let i = 0; i < x.length; i++) x[i] = y = (1 - a) * x[i]! + a * y;
  }
  if (r() < 0.33) {
    const a = Math.exp((-2 * Math.PI * uniform(r, 80, 300)) / RATE_HZ);
    let lp = 0;
    for (let i = 0; i < x.length; i++) {
      lp = (1 - a) * x[i]! + a * lp;
      x[i] = x[i]! - lp;
    }
  }
  return x;
}

/**
 * Schroeder reverberator (in place): four parallel feedback combs (29.7–43.7 ms) whose gains give
 * the reverberation time `rt60Sec`, two series all-passes, mixed with the dry signal.
 */
function reverberate(x: Float32Array, rt60Sec: number, wet: number): Float32Array {
  const combMs = [29.7, 37.1, 41.1, 43.7];
  const sum = new Float32Array(x.length);
  for (const ms of combMs) {
    const d = Math.round((ms / 1000) * RATE_HZ);
    const g = 10 ** ((-3 * ms) / 1000 / rt60Sec);
    const buf = new Float32Array(d);
    for (let i = 0, k = 0; i < x.length; i++, k = (k + 1) % d) {
      const y = x[i]! + g * buf[k]!;
      buf[k] = y;
      sum[i]! += y / combMs.length;
    }
  }
  for (const [ms, g] of [
    [5, 0.7],
    [1.7, 0.7],
  ] as const) {
    const d = Math.round((ms / 1000) * RATE_HZ);
    const buf = new Float32Array(d);
    for (let i = 0, k = 0; i < sum.length; i++, k = (k + 1) % d) {
      const b = buf[k]!;
      const v = sum[i]! + g * b;
      buf[k] = v;
      sum[i] = b - g * v;
    }
  }
  const wetGain = (wet * rms(x)) / Math.max(1e-9, rms(sum));
  for (let i = 0; i < x.length; i++) x[i] = (1 - wet) * x[i]! + wetGain * sum[i]!;
  return x;
}

/**
 * Crowd noise: a slowly fluctuating (0.5–3 Hz) band-limited roar of pink noise, optionally with
 * the babble of `babble` (other train-split speech, summed), as a PA speech over a square has.
 */
function crowdNoise(n: number, r: () => number, babble: Float32Array[]): Float32Array {
  const x = generatedNoise(1, n, r);
  const a = Math.exp((-2 * Math.PI * uniform(r, 1500, 4000)) / RATE_HZ);
  let y = 0;
  const fm = uniform(r, 0.5, 3);
  const ph = r() * 2 * Math.PI;
  for (let i = 0; i < n; i++) {
    y = (1 - a) * x[i]! + a * y;
    x[i] = y * (1 + 0.5 * Math.sin((2 * Math.PI * fm * i) / RATE_HZ + ph));
  }
  const out = scaleTo(x, -20);
  for (const b of babble) {
    const s = scaleTo(b, -26);
    for (let i = 0; i < n; i++) out[i]! += s[i]!;
  }
  return out;
}

/**
 * Carrier and room degradations that do not change what a segment is (issue 9): reverberation
 * (RT60 0.3–1.8 s), crowd noise (6–20 dB below the signal), tape or line hiss and mains hum
 * (15–35 dB below), applied to any class with probability `p` each, so that none of them is
 * evidence of music (speech in a hall, over a crowd or on an old carrier stays `speech`).
 */
async function degrade(
  x: Float32Array,
  r: () => number,
  p: number,
  babble: () => Promise<Float32Array[]>,
): Promise<Float32Array> {
  const n = x.length;
  if (r() < p) reverberate(x, uniform(r, 0.3, 1.8), uniform(r, 0.2, 0.7));
  const level = rms(x);
  const mixIn = (noise: Float32Array, snrDb: number): void => {
    const g = (level * 10 ** (-snrDb / 20)) / Math.max(1e-9, rms(noise));
    for (let i = 0; i < n; i++) x[i] = Math.max(-1, Math.min(1, x[i]! + g * noise[i]!));
  };
  if (r() < p) mixIn(crowdNoise(n, r, r() < 0.5 ? await babble() : []), uniform(r, 6, 20));
  if (r() < p) mixIn(generatedNoise(Math.floor(r() * 5), n, r), uniform(r, 15, 35));
  return x;
}

/** Level under which a stretch of at least SILENCE_MIN_SEC is labelled silence, dBFS. */
export const SILENCE_DBFS = -60;
export const SILENCE_MIN_SEC = 1;

/**
 * The truth of one drawn segment: its label, except stretches of ≥ 1 s whose 0.1 s blocks are all
 * below −60 dBFS, which are silence whatever the source (a trumpet loop's rests, the quiet between
 * a dog's howls). Without this the truth would call audible silence "music" or "noise".
 */
function splitSilences(
  x: Float32Array,
  label: SegmentLabel,
  t0: number,
  source: string,
): TruthSegment[] {
  const blockN = RATE_HZ / 10;
  const nb = Math.floor(x.length / blockN);
  const quiet = new Uint8Array(nb);
  const thr = 10 ** (SILENCE_DBFS / 10);
  for (let b = 0; b < nb; b++) {
    let e = 0;
    for (let i = b * blockN; i < (b + 1) * blockN; i++) e += x[i]! * x[i]!;
    quiet[b] = e / blockN < thr ? 1 : 0;
  }
  const out: TruthSegment[] = [];
  const end = t0 + x.length / RATE_HZ;
  let cur = t0;
  let b = 0;
  while (b < nb) {
    if (!quiet[b] || label === 'silence') {
      b++;
      continue;
    }
    let e = b;
    while (e < nb && quiet[e]) e++;
    if ((e - b) / 10 >= SILENCE_MIN_SEC) {
      const qs = t0 + b / 10;
      const qe = e === nb ? end : t0 + e / 10;
      if (qs > cur) out.push({ label, start: cur, end: qs, source });
      out.push({ label: 'silence', start: qs, end: qe, source: `${source} (quiet)` });
      cur = qe;
    }
    b = e;
  }
  if (end > cur) out.push({ label, start: cur, end, source });
  return out;
}

/** Class weights when drawing segments. */
const DRAW: readonly [SegmentLabel, number][] = [
  ['speech', 0.22],
  ['music', 0.2],
  ['speech_over_music', 0.2],
  ['noise', 0.14],
  ['silence', 0.12],
  ['singing', 0.12],
];

export interface MixtureOptions {
  /**
   * Probability of each carrier/room degradation per drawn segment (see `degrade`); 0 (the
   * default, and the evaluation's setting) draws no extra random numbers, so the mixtures of
   * a seed are unchanged.
   */
  readonly degrade?: number;
}

/**
 * Builds one mixture of about `durationSec` seconds from the sources of one split.
 * Segments last 2–10 s; speech is set to −28…−16 dBFS, music −32…−14, speech over music at
 * 3–15 dB speech-to-music ratio, noise −45…−18, silence is digital zero or hiss below −62 dBFS.
 */
export async function buildMixture(
  corpusDir: string,
  split: Split,
  durationSec: number,
  seed: number,
  opts: MixtureOptions = {},
): Promise<Mixture> {
  const r = rng(seed);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)]!;
  const of = (kind: SourceKind): SourceSpec[] =>
    SOURCES.filter((s) => s.kind === kind && s.split === split);
  const parts: Float32Array[] = [];
  const segments: TruthSegment[] = [];
  let t = 0;
  let prev: SegmentLabel | undefined;
  while (t < durationSec) {
    let label: SegmentLabel;
    do {
      let u = r();
      label = DRAW[DRAW.length - 1]![0];
      for (const [l, w] of DRAW) {
        if ((u -= w) < 0) {
          label = l;
          break;
        }
      }
    } while (label === prev);
    prev = label;
    const sec = Math.round(uniform(r, 2, 10) * 100) / 100;
    const n = Math.round(sec * RATE_HZ);
    let x: Float32Array;
    let source: string;
    if (label === 'speech' || label === 'singing') {
      const s = pick(of(label === 'speech' ? 'speech' : 'singing'));
      x = scaleTo(augment(excerpt(await load(corpusDir, s), n, r), r), uniform(r, -28, -16));
      source = s.path;
    } else if (label === 'music') {
      if (r() < 0.2) {
        x = scaleTo(generatedMusic(n, r), uniform(r, -30, -14));
        source = 'generated music';
      } else {
        const s = pick(of('music'));
        x = scaleTo(augment(excerpt(await load(corpusDir, s), n, r), r), uniform(r, -32, -14));
        source = s.path;
      }
    } else if (label === 'speech_over_music') {
      const sp = pick(of('speech'));
      const mu = pick(of('music'));
      const speechDb = uniform(r, -26, -16);
      const snr = pick([3, 6, 10, 15]);
      const a = scaleTo(augment(excerpt(await load(corpusDir, sp), n, r), r), speechDb);
      const b = scaleTo(augment(excerpt(await load(corpusDir, mu), n, r), r), speechDb - snr);
      x = new Float32Array(n);
      for (let i = 0; i < n; i++) x[i] = Math.max(-1, Math.min(1, a[i]! + b[i]!));
      source = `${sp.path} over ${mu.path} at ${snr} dB`;
    } else if (label === 'noise') {
      if (r() < 0.5) {
        const s = pick(of('noise'));
        x = scaleTo(augment(excerpt(await load(corpusDir, s), n, r), r), uniform(r, -35, -18));
        source = s.path;
      } else {
        const kind = Math.floor(r() * 5);
        x = scaleTo(generatedNoise(kind, n, r), uniform(r, -45, -18));
        source = `generated noise ${kind}`;
      }
    } else {
      if (r() < 0.5) {
        x = new Float32Array(n);
        source = 'digital silence';
      } else {
        x = scaleTo(generatedNoise(Math.floor(r() * 3), n, r), uniform(r, -80, -62));
        source = 'low hiss';
      }
    }
    const pDeg = opts.degrade ?? 0;
    if (pDeg > 0 && label !== 'silence' && label !== 'noise') {
      const speakers = of('speech');
      const babble = async (): Promise<Float32Array[]> => {
        const k = 2 + Math.floor(r() * 4);
        const out: Float32Array[] = [];
        for (let j = 0; j < k; j++) out.push(excerpt(await load(corpusDir, pick(speakers)), n, r));
        return out;
      };
      x = await degrade(x, r, pDeg, babble);
    }
    parts.push(x);
    for (const sg of splitSilences(x, label, t, source)) segments.push(sg);
    t = Math.round((t + sec) * 100) / 100;
  }
  const total = parts.reduce((s, p) => s + p.length, 0);
  const samples = new Float32Array(total);
  let o = 0;
  for (const p of parts) {
    samples.set(p, o);
    o += p.length;
  }
  return { samples, segments };
}

/** Ground-truth label index (into `classes`) of every `stepSec` step's centre. */
export function truthLabels(
  segments: readonly {
    readonly label: SegmentLabel;
    readonly start: number;
    readonly end: number;
  }[],
  classes: readonly SegmentLabel[],
  stepSec: number,
  n: number,
): Uint8Array {
  const out = new Uint8Array(n);
  let k = 0;
  for (let i = 0; i < n; i++) {
    const t = (i + 0.5) * stepSec;
    while (k < segments.length - 1 && t >= segments[k]!.end) k++;
    out[i] = segments.length > 0 ? classes.indexOf(segments[k]!.label) : 255;
  }
  return out;
}

/** Features and per-block truth of one mixture, computed exactly as the analyzer does. */
export async function mixtureFeatures(
  mix: Mixture,
  classes: readonly SegmentLabel[],
): Promise<{ features: Float32Array; nBlocks: number; labels: Uint8Array; msPerSec: number }> {
  const t0 = performance.now();
  const r = await driveAnalyzers(
    (ctx) => [createVoiceActivityAnalyzer(ctx), createSegmentationFeatureCollector()],
    mix.samples,
  );
  const f = (r.sections['segmentation_features'] as SegmentationFeaturesSection)[
    SEGMENTATION_FEATURES
  ];
  return {
    features: f.features,
    nBlocks: f.nBlocks,
    labels: truthLabels(mix.segments, classes, BLOCK_SEC, f.nBlocks),
    msPerSec: (performance.now() - t0) / (mix.samples.length / RATE_HZ),
  };
}

/** Frame (10 ms) accuracy of predicted segments against the truth, with a confusion matrix. */
export function frameAccuracy(
  truth: readonly TruthSegment[],
  predicted: readonly {
    readonly label: SegmentLabel;
    readonly start: number;
    readonly end: number;
  }[],
  classes: readonly SegmentLabel[],
  durationSec: number,
): { accuracy: number; confusion: number[][]; frames: number } {
  const n = Math.floor(durationSec / 0.01);
  const t = truthLabels(truth, classes, 0.01, n);
  const p = truthLabels(predicted, classes, 0.01, n);
  const confusion = classes.map(() => classes.map(() => 0));
  let ok = 0;
  for (let i = 0; i < n; i++) {
    if (t[i]! < classes.length && p[i]! < classes.length) confusion[t[i]!]![p[i]!]!++;
    if (t[i] === p[i]) ok++;
  }
  return { accuracy: n > 0 ? ok / n : 0, confusion, frames: n };
}
