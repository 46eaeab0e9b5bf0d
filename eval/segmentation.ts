/**
 * Segmentation frame accuracy on labelled mixtures built from the TEST split of the corpus
 * sources (eval/segmentation-mixtures.ts): files the shipped model never heard in training.
 * Scored every 10 ms over the whole mixture, no collar. Target: ≥ 95 %.
 */
import { resolve } from 'node:path';
import {
  createSegmentationAnalyzer,
  SEGMENT_LABELS,
  type SegmentationSection,
} from '../src/analysis/segmentation/index.js';
import { createVoiceActivityAnalyzer } from '../src/analysis/voice-activity/index.js';
import { markdownTable, type Evaluation } from './common.js';
import { buildMixture, frameAccuracy, SOURCES } from './segmentation-mixtures.js';
import { decodeMono16k, driveAnalyzers, RATE_HZ } from './speech-harness.js';

/** Whole sung recordings: the share of their non-silent time labelled singing is the recall. */
const SUNG = [
  'heritage/opera/spatialaudio__singing.wav',
  'heritage/religious_chant/sms__tibetan-chant.wav',
  'heritage/religious_chant/muslimtify__adhan_a.mp3',
  'heritage/religious_chant/muslimtify__adhan_b.mp3',
  'heritage/folk_music/aljanaki__ukr_hrai-zhuchku.wav',
  'heritage/folk_music/aljanaki__ukr_misyt-korovaichyky.mp3',
  'heritage/folk_music/aljanaki__ukr_oi-u-poli-dvi-topoli.wav',
  'heritage/folk_music/aljanaki__ukr_oi-vesna-vesna.wav',
  'heritage/folk_music/aljanaki__ukr_oi-vesna-vesna_inna.wav',
  'heritage/folk_music/aljanaki__ukr_smutnyi-vechir.wav',
  'heritage/folk_music/aljanaki__ukr_zhuk_first-voice.wav',
];
/** Sung with orchestra (Caruso 78s): singing or music both count as not-speech. */
const SUNG_ACCOMPANIED = [
  'heritage/opera/pulsefy__caruso_pagliacci_vesti-la-giubba.ogg',
  'heritage/opera/pulsefy__caruso_manon-lescaut_donna-non-vidi-mai.ogg',
];
/** Instrumental music: the share labelled singing is a false alarm (precision of singing). */
const INSTRUMENTAL = [
  'heritage/classical_music/bachvln__john-garner_bwv1002_mov8.mp3',
  'heritage/classical_music/bachvln__minji-kim_bwv1003_mov4.opus',
  'music/brahms-hungarian-dance-5.ogg',
  'music/tchaikovsky-sugar-plum-fairy.ogg',
  'music/sorohan-solo-trumpet-90bpm-F.ogg',
  'music/orsa-pistachio-ragtime.ogg',
  'music/setuniman-sweet-waltz.ogg',
  'music/macleod-vibe-ace.ogg',
];
/** Plain speech (no music): the share labelled singing or speech_over_music must stay ≤ 5 %. */
const PLAIN_SPEECH = [
  'speech/librispeech-198-209-0000.ogg',
  'speech/librispeech-3436-172162-0000.ogg',
  'speech/librispeech-5703-47212-0000.ogg',
  'heritage/spoken_word/chatterbox__linda_johnson_01.flac',
  'heritage/spoken_word/chatterbox__linda_johnson_02.flac',
  'heritage/historical_speech/whisper__jfk.flac',
  'heritage/historical_speech/echotrainer__jfk-moon.mp3',
  'heritage/historical_speech/echotrainer__armstrong-step.mp3',
  'heritage/historical_speech/echotrainer__fdr-fear.mp3',
  'heritage/historical_speech/echotrainer__fdr-infamy.mp3',
  'heritage/historical_speech/echotrainer__perkins-security.mp3',
  'heritage/historical_speech/echotrainer__er-humanrights.mp3',
  'heritage/historical_speech/echotrainer__ike-mic.mp3',
  'heritage/historical_speech/echotrainer__reagan-wall.mp3',
  'conversation/ami-dev00.wav',
  'conversation/ami-dev01.wav',
  'conversation/ami-trn03.wav',
];

/** Seconds per label of a whole file's segmentation. */
async function labelSeconds(
  corpusDir: string,
  rel: string,
  modelPath: string | undefined,
): Promise<Map<string, number>> {
  const x = await decodeMono16k(resolve(corpusDir, rel));
  const r = await driveAnalyzers(
    (ctx) => [
      createVoiceActivityAnalyzer(ctx),
      createSegmentationAnalyzer(ctx, modelPath ? { modelPath: resolve(modelPath) } : {}),
    ],
    x,
  );
  const out = new Map<string, number>();
  for (const sg of (r.sections['segmentation'] as SegmentationSection).segments)
    out.set(sg.label, (out.get(sg.label) ?? 0) + sg.end - sg.start);
  return out;
}

/**
 * Whole-file singing recall on sung corpus recordings and the share of plain speech called
 * singing or speech over music (targets: ≥ 80 % and ≤ 5 %). Files in the train split of the
 * mixtures are marked: their figure is not held out.
 */
export async function wholeFileSinging(
  corpusDir: string,
  modelPath: string | undefined,
): Promise<string> {
  const trained = new Set(SOURCES.filter((s) => s.split === 'train').map((s) => s.path));
  const rows: (string | number)[][] = [];
  const tally = {
    sung: [0, 0],
    sungHeld: [0, 0],
    speech: [0, 0],
    speechHeld: [0, 0],
    instrumental: [0, 0],
    instrumentalHeld: [0, 0],
  };
  // singing precision over the unaccompanied files: singing seconds on sung files / all of them
  const singingSec = { onSung: 0, all: 0 };
  const active = (m: Map<string, number>): number =>
    [...m].filter(([l]) => l !== 'silence').reduce((a, [, v]) => a + v, 0);
  for (const rel of [...SUNG, ...SUNG_ACCOMPANIED, ...INSTRUMENTAL, ...PLAIN_SPEECH]) {
    const m = await labelSeconds(corpusDir, rel, modelPath);
    const act = active(m) || 1;
    const sung = SUNG.includes(rel);
    const accompanied = SUNG_ACCOMPANIED.includes(rel);
    const instrumental = INSTRUMENTAL.includes(rel);
    const value = sung
      ? (m.get('singing') ?? 0) / act
      : instrumental
        ? (m.get('singing') ?? 0) / act
        : accompanied
          ? ((m.get('singing') ?? 0) + (m.get('music') ?? 0)) / act
          : ((m.get('singing') ?? 0) + (m.get('speech_over_music') ?? 0)) / act;
    const held = !trained.has(rel);
    if (!accompanied) {
      singingSec.all += m.get('singing') ?? 0;
      if (sung) singingSec.onSung += m.get('singing') ?? 0;
      const k = sung ? 'sung' : instrumental ? 'instrumental' : 'speech';
      tally[k][0]! += value * act;
      tally[k][1]! += act;
      if (held) {
        tally[`${k}Held`][0]! += value * act;
        tally[`${k}Held`][1]! += act;
      }
    }
    rows.push([
      rel,
      held ? 'held out' : 'train',
      sung || instrumental
        ? 'singing'
        : accompanied
          ? 'singing or music'
          : 'singing or speech over music',
      pct(value),
      [...m].map(([l, v]) => `${l} ${v.toFixed(1)}`).join(', '),
    ]);
  }
  const r = (t: readonly number[]): string => pct(t[0]! / (t[1]! || 1));
  const table = markdownTable(
    ['file', 'mixtures split', 'measured share', 'value', 'seconds per label'],
    rows,
  );
  const text = [
    `Singing recall on solo sung recordings (share of non-silent time labelled singing): all ${r(tally.sung)}, held-out files ${r(tally.sungHeld)} (target ≥ 80 %).`,
    `Instrumental music labelled singing (false alarms): all ${r(tally.instrumental)}, held-out files ${r(tally.instrumentalHeld)}.`,
    `Singing precision on these files (singing seconds on sung recordings / singing seconds on sung, instrumental and speech recordings): ${pct(singingSec.onSung / (singingSec.all || 1))}.`,
    `Plain speech labelled singing or speech over music: all ${r(tally.speech)}, held-out files ${r(tally.speechHeld)} (target ≤ 5 %).`,
    '',
    table,
  ].join('\n');
  console.log(text);
  return text;
}

const MIXTURES = [
  { seed: 5001, minutes: 5 },
  { seed: 5002, minutes: 5 },
];

const pct = (x: number): string => (Number.isFinite(x) ? `${(100 * x).toFixed(1)} %` : '–');

export const segmentationEvaluation: Evaluation = {
  id: 'segmentation',
  title: 'Segmentation (speech / music / speech over music / noise / silence / singing)',
  async run(corpusDir: string): Promise<string> {
    const classes = [...SEGMENT_LABELS];
    const modelPath = process.env['SONOTECA_SEGMENTER_MODEL'];
    const total = classes.map(() => classes.map(() => 0));
    const rows: (string | number)[][] = [];
    let okAll = 0;
    let framesAll = 0;
    let audioSec = 0;
    let ms = 0;
    for (const m of MIXTURES) {
      const mix = await buildMixture(corpusDir, 'test', m.minutes * 60, m.seed);
      const dur = mix.samples.length / RATE_HZ;
      const r = await driveAnalyzers(
        (ctx) => [
          createVoiceActivityAnalyzer(ctx),
          createSegmentationAnalyzer(ctx, modelPath ? { modelPath: resolve(modelPath) } : {}),
        ],
        mix.samples,
      );
      const sec = r.sections['segmentation'] as SegmentationSection;
      const { accuracy, confusion, frames } = frameAccuracy(
        mix.segments,
        sec.segments,
        classes,
        dur,
      );
      for (let i = 0; i < classes.length; i++)
        for (let j = 0; j < classes.length; j++) total[i]![j]! += confusion[i]![j]!;
      okAll += accuracy * frames;
      framesAll += frames;
      audioSec += dur;
      ms += r.msBySection['segmentation'] ?? 0;
      rows.push([
        `mixture seed ${m.seed}`,
        dur.toFixed(0),
        mix.segments.length,
        sec.segments.length,
        pct(accuracy),
      ]);
    }
    const overall = okAll / framesAll;
    rows.push(['**overall**', audioSec.toFixed(0), '', '', `**${pct(overall)}**`]);
    const perClass = classes.map((c, i) => {
      const n = total[i]!.reduce((a, b) => a + b, 0);
      const predicted = total.reduce((a, row) => a + row[i]!, 0);
      return [
        c,
        (n / 100).toFixed(1),
        pct(n > 0 ? total[i]![i]! / n : NaN),
        pct(predicted > 0 ? total[i]![i]! / predicted : NaN),
      ];
    });
    const confusionRows = classes.map((c, i) => [
      c,
      ...total[i]!.map((v) => {
        const n = total[i]!.reduce((a, b) => a + b, 0);
        return n > 0 ? (v / n).toFixed(2) : '–';
      }),
    ]);
    const t1 = markdownTable(
      ['mixture', 'seconds', 'true segments', 'found', 'frame accuracy'],
      rows,
    );
    const t2 = markdownTable(['class', 'seconds', 'recall', 'precision'], perClass);
    const t3 = markdownTable(['truth \\ predicted', ...classes], confusionRows);
    console.log(t1 + '\n\n' + t2 + '\n\n' + t3);
    console.log(`segmentation analyzer alone: ${(audioSec / (ms / 1000)).toFixed(0)}x real time`);
    const test = SOURCES.filter((s) => s.split === 'test').map((s) => `\`${s.path}\``);
    return [
      `Frame accuracy (10 ms steps, no collar) on ${MIXTURES.length} mixtures of 2–10 s segments`,
      'built from test-split sources only (the model was trained on other files):',
      test.join(', ') + ', plus generated noise and tonal music (other seeds).',
      `Target ≥ 95 %: **${overall >= 0.95 ? 'met' : 'not met'}** (${pct(overall)}).`,
      '',
      t1,
      '',
      "Per class (recall = share of the class's frames labelled correctly):",
      '',
      t2,
      '',
      'Confusion (rows: truth, share of its frames):',
      '',
      t3,
      '',
      '### Whole recordings: singing and plain speech',
      '',
      await wholeFileSinging(corpusDir, modelPath),
    ].join('\n');
  },
};
