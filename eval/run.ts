/**
 * `npm run eval`: accuracy evaluations against the corpus annotations. Each module in EVALUATIONS
 * prints its table and returns Markdown; the whole is written to docs/EVALUATION.md.
 * Kept apart from the pass/fail unit suite: it reports measured numbers and the targets the
 * issues name, whether or not they are met.
 */
import { writeFileSync } from 'node:fs';
import { corpusDirOrExit, type Evaluation } from './common.js';
import { diarizationEvaluation } from './diarization.js';
import { duplicatesEvaluation } from './duplicates.js';
import { heritageEvaluation } from './heritage.js';
import { musicEvaluation } from './music.js';
import { segmentationEvaluation } from './segmentation.js';
import { vadEvaluation } from './vad.js';
import { voicesEvaluation } from './voices.js';

const EVALUATIONS: readonly Evaluation[] = [
  vadEvaluation,
  segmentationEvaluation,
  diarizationEvaluation,
  musicEvaluation,
  heritageEvaluation,
  duplicatesEvaluation,
  voicesEvaluation,
];

const corpus = corpusDirOrExit();
const only = process.argv.slice(2);
const parts: string[] = [
  '# Evaluation',
  '',
  `Measured by \`npm run eval\` on ${new Date().toISOString().slice(0, 10)} against \`${corpus}\`.`,
  'Numbers are what this run measured; targets are those named in the issues.',
  '',
];
for (const e of EVALUATIONS) {
  if (only.length > 0 && !only.includes(e.id)) continue;
  console.log(`\n=== ${e.title} ===`);
  const t0 = performance.now();
  const md = await e.run(corpus);
  console.log(`(${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  parts.push(`## ${e.title}`, '', md, '');
}
if (only.length === 0) {
  writeFileSync('docs/EVALUATION.md', parts.join('\n'));
  console.log('\nwrote docs/EVALUATION.md');
}
