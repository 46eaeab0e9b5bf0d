/**
 * `npm run eval`: accuracy evaluations against the corpus annotations. Each module in EVALUATIONS
 * prints its table and returns Markdown; the whole is written to docs/EVALUATION.md.
 * Kept apart from the pass/fail unit suite: it reports measured numbers and the targets the
 * issues name, whether or not they are met.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
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

const OUT = 'docs/EVALUATION.md';
const corpus = corpusDirOrExit();
const only = process.argv.slice(2);
const unknown = only.filter((id) => !EVALUATIONS.some((e) => e.id === id));
if (unknown.length > 0) {
  console.error(
    `unknown evaluation(s): ${unknown.join(', ')}; known: ${EVALUATIONS.map((e) => e.id).join(', ')}`,
  );
  process.exit(2);
}

/**
 * docs/EVALUATION.md, section by section (`## <title>`). A run rewrites the sections it ran and
 * keeps the others as the file has them (each dated by its own run), so `npm run eval -- music`
 * updates the music section only. Hand-written reading notes live between
 * `<!-- notes:<id> -->` and `<!-- /notes:<id> -->` markers and are carried over when their section
 * is regenerated (appended after the generated text).
 */
function readSections(): Map<string, string> {
  const sections = new Map<string, string>();
  if (!existsSync(OUT)) return sections;
  const text = readFileSync(OUT, 'utf8');
  const starts = EVALUATIONS.map((e) => ({ e, at: text.indexOf(`\n## ${e.title}\n`) }))
    .filter((x) => x.at >= 0)
    .sort((x, y) => x.at - y.at);
  starts.forEach((x, i) => {
    const end = i + 1 < starts.length ? starts[i + 1]!.at : text.length;
    sections.set(x.e.id, text.slice(x.at + 1, end).trimEnd());
  });
  return sections;
}

function notesOf(section: string | undefined, id: string): string | undefined {
  if (!section) return undefined;
  const open = `<!-- notes:${id} -->`;
  const close = `<!-- /notes:${id} -->`;
  const a = section.indexOf(open);
  const b = section.indexOf(close);
  return a >= 0 && b > a ? section.slice(a, b + close.length) : undefined;
}

const previous = readSections();
const today = new Date().toISOString().slice(0, 10);
const parts: string[] = [
  '# Evaluation',
  '',
  `Written by \`npm run eval\` against the shared corpus. Each section states the date of the run that measured it.`,
  'Numbers are what that run measured; targets are those named in the issues. Text between',
  '`notes` markers is written by hand (reading notes) and kept when a section is re-measured.',
  '',
];
for (const e of EVALUATIONS) {
  if (only.length > 0 && !only.includes(e.id)) {
    const kept = previous.get(e.id);
    if (kept) parts.push(kept, '');
    continue;
  }
  console.log(`\n=== ${e.title} ===`);
  const t0 = performance.now();
  const md = await e.run(corpus);
  console.log(`(${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  parts.push(`## ${e.title}`, '', `_Measured on ${today}._`, '', md.trimEnd(), '');
  const notes = notesOf(previous.get(e.id), e.id);
  if (notes) parts.push(notes, '');
}
writeFileSync(OUT, parts.join('\n'));
console.log(
  `\nwrote ${OUT}${only.length > 0 ? ` (sections: ${only.join(', ')}; the others kept)` : ''}`,
);
