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
import { driveAnalyzers, RATE_HZ } from './speech-harness.js';

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
    ].join('\n');
  },
};
