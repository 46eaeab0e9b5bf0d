/**
 * Trains the segmentation model and writes `models/segmenter.json`.
 *
 *   node --import tsx scripts/train-segmenter.ts [--minutes 60] [--members 3] [--degrade 0.15]
 *     [--out models/segmenter.json]
 *
 * Data: labelled mixtures built from the TRAIN split of the corpus sources
 * (eval/segmentation-mixtures.ts; the test split is never read here). Smoothing parameters are
 * chosen on a separate validation mixture, also from the train split (without degradations).
 * `--degrade p`: each drawn segment gets reverberation, crowd noise and hiss/hum with probability
 * p each (eval/segmentation-mixtures.ts `degrade`), labels unchanged.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { format } from 'prettier';
import {
  CompiledSegmenter,
  posteriorsToSegments,
  SEGMENT_LABELS,
  SEGMENTER_FORMAT_VERSION,
  trainSegmenter,
  type SegmenterModel,
} from '../src/analysis/segmentation/index.js';
import { N_FEATURES } from '../src/analysis/segmentation/features.js';
import {
  buildMixture,
  frameAccuracy,
  mixtureFeatures,
  SOURCES,
} from '../eval/segmentation-mixtures.js';
import { RATE_HZ } from '../eval/speech-harness.js';

const args = process.argv.slice(2);
const arg = (name: string, dflt: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : dflt;
};
const corpus = resolve(process.env['SONOTECA_CORPUS'] ?? '../shared/corpus');
const minutes = Number(arg('minutes', '60'));
const degradeP = Number(arg('degrade', '0.15'));
const out = arg('out', 'models/segmenter.json');
const classes = [...SEGMENT_LABELS];

const MIX_MIN = 10;
const feats: Float32Array[] = [];
const labs: Uint8Array[] = [];
for (let k = 0; k < Math.ceil(minutes / MIX_MIN); k++) {
  const mix = await buildMixture(corpus, 'train', MIX_MIN * 60, 1000 + k, { degrade: degradeP });
  const f = await mixtureFeatures(mix, classes);
  feats.push(f.features);
  labs.push(f.labels);
  console.log(
    `train mixture ${k}: ${f.nBlocks} blocks, features at ${(1000 / f.msPerSec).toFixed(0)}x real time`,
  );
}
const n = labs.reduce((s, l) => s + l.length, 0);
const X = new Float32Array(n * N_FEATURES);
const Y = new Uint8Array(n);
let o = 0;
for (let k = 0; k < labs.length; k++) {
  X.set(feats[k]!, o * N_FEATURES);
  Y.set(labs[k]!, o);
  o += labs[k]!.length;
}
const t0 = performance.now();
// An ensemble of MEMBERS perceptrons (different seeds) whose logits are averaged: with so few
// source files a single network's decision regions move from seed to seed (notably `singing`).
// Averaging logits of members sharing the standardisation is exactly one wider perceptron
// (hidden units concatenated, output weights divided by MEMBERS), so the artefact format is
// unchanged.
const MEMBERS = Number(arg('members', '3'));
const members = Array.from({ length: MEMBERS }, (_, k) =>
  trainSegmenter(X, Y, classes, { hidden: 24, epochs: 40, seed: 7 + k }),
);
const first = members[0]!;
const params: typeof first = {
  ...first,
  hidden_weights: members.flatMap((m) => m.hidden_weights),
  hidden_bias: members.flatMap((m) => m.hidden_bias),
  output_weights: classes.map((_, c) =>
    members.flatMap((m) => m.output_weights[c]!.map((w) => Math.round((w / MEMBERS) * 1e6) / 1e6)),
  ),
  output_bias: classes.map(
    (_, c) =>
      Math.round((members.reduce((a, m) => a + m.output_bias[c]!, 0) / MEMBERS) * 1e6) / 1e6,
  ),
};
console.log(
  `trained ${MEMBERS} members on ${n} blocks in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
);

// Training accuracy per block (before smoothing), for the record.
const draft: SegmenterModel = {
  ...params,
  version: 'draft',
  smoothing: { switch_penalty: 0, min_segment_sec: 0 },
};
const post = new CompiledSegmenter(draft).predict(X, n);
let ok = 0;
for (let i = 0; i < n; i++) {
  let best = 0;
  for (let c = 1; c < classes.length; c++)
    if (post[i * classes.length + c]! > post[i * classes.length + best]!) best = c;
  if (best === Y[i]) ok++;
}
const trainAcc = ok / n;
console.log(`block accuracy on training data: ${(100 * trainAcc).toFixed(1)} %`);

// Smoothing chosen on a validation mixture from the train split (never the test split).
const val = await buildMixture(corpus, 'train', 8 * 60, 9001);
const vf = await mixtureFeatures(val, classes);
const vpost = new CompiledSegmenter(draft).predict(vf.features, vf.nBlocks);
const durationSec = val.samples.length / RATE_HZ;
let best = { penalty: 0, minSec: 0, acc: -1 };
for (const penalty of [0, 2, 4, 6, 8, 12, 16]) {
  for (const minSec of [0, 0.3, 0.5, 1, 1.5]) {
    const segs = posteriorsToSegments(vpost, vf.nBlocks, classes, {
      switchPenalty: penalty,
      minSegmentSec: minSec,
      durationSec,
    });
    const { accuracy } = frameAccuracy(val.segments, segs, classes, durationSec);
    if (accuracy > best.acc + 1e-9) best = { penalty, minSec, acc: accuracy };
  }
}
console.log(
  `smoothing: switch_penalty ${best.penalty}, min_segment_sec ${best.minSec} ` +
    `(validation frame accuracy ${(100 * best.acc).toFixed(1)} %)`,
);

const model: SegmenterModel = {
  ...params,
  format_version: SEGMENTER_FORMAT_VERSION,
  version: `1.0.0+${new Date().toISOString().slice(0, 10)}`,
  smoothing: { switch_penalty: best.penalty, min_segment_sec: best.minSec },
  training: {
    script: 'scripts/train-segmenter.ts',
    mixtures_minutes: minutes,
    degrade_probability: degradeP,
    ensemble_members: MEMBERS,
    blocks: n,
    block_accuracy_train: Math.round(trainAcc * 1e4) / 1e4,
    frame_accuracy_validation: Math.round(best.acc * 1e4) / 1e4,
    sources: SOURCES.filter((s) => s.split === 'train').map((s) => s.path),
    note: 'validation mixture drawn from the train split; the test split is only used by eval/segmentation.ts',
  },
};
// Written in Prettier's layout so `npm run format:check` accepts the artefact as is.
writeFileSync(out, await format(JSON.stringify(model), { parser: 'json', printWidth: 100 }));
console.log(`wrote ${out}`);
