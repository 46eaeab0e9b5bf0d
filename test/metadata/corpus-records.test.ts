/**
 * The whole corpus, analysed once (comprehensive, --jobs 2, through the CLI): every report keeps
 * the consistency rules (0 unsupported or contradictory statements), and every PREMIS, EBUCore,
 * PBCore and oai_dc document written beside the reports validates against its official XSD.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { before, test } from 'node:test';
import type { Report } from '../../src/report/index.js';
import { analysedCorpus, corpusDir, corpusOrSkip } from '../helpers/corpus.js';
import { schemasDir, schemasOrSkip, XSD, type XsdKind } from '../helpers/schemas.js';
import { musicRule, recordRule, speakerRule, speechRule } from './report-rules.js';

let out = '';
let bases: string[] = [];
let reports: { file: string; report: Report }[] = [];
let analysed = false;

before(() => {
  const corpus = corpusDir();
  if (!existsSync(join(corpus, 'README.md'))) return; // each test skips (or fails under CI) through corpusOrSkip
  // Shared with the CLI's corpus test (test/cli/analyze.test.ts): one analysis per npm test.
  const run = analysedCorpus(corpus);
  assert.equal(run.status, 0, run.log);
  out = run.out;
  bases = run.files.map((f) => join(out, relative(corpus, f)));
  reports = bases.map((b, i) => ({
    file: relative(corpus, run.files[i]!),
    report: JSON.parse(readFileSync(`${b}.json`, 'utf8')) as Report,
  }));
  analysed = true;
});

function violations(rule: (r: Report) => string[]): string[] {
  return reports.flatMap(({ file, report }) => rule(report).map((v) => `${file}: ${v}`));
}

test('corpus: speech comes from one place and every section agrees', (t) => {
  if (!corpusOrSkip(t) || !analysed) return;
  assert.ok(reports.length > 10);
  assert.deepEqual(violations(speechRule), []);
});

test('corpus: speaker statistics only where there is speech', (t) => {
  if (!corpusOrSkip(t) || !analysed) return;
  assert.deepEqual(violations(speakerRule), []);
});

test('corpus: music descriptors only where there is music', (t) => {
  if (!corpusOrSkip(t) || !analysed) return;
  assert.deepEqual(violations(musicRule), []);
});

test('corpus: a plain reading (speech/) gets no tempo, key or tuning', (t) => {
  if (!corpusOrSkip(t) || !analysed) return;
  const readings = reports.filter(({ file }) => file.startsWith('speech/'));
  assert.ok(readings.length >= 3);
  const stated = readings.flatMap(({ file, report }) => {
    const mu = (report.results as unknown as Record<string, Record<string, unknown>>)[
      'music_analysis'
    ];
    return ['tempo', 'key', 'tuning']
      .filter((k) => (mu?.[k] as { status?: string } | null)?.status !== 'not_applicable')
      .map((k) => `${file}: music_analysis.${k} = ${JSON.stringify(mu?.[k]).slice(0, 80)}`);
  });
  assert.deepEqual(stated, []);
});

test('corpus: every record states only what the evidence supports, each value with provenance', (t) => {
  if (!corpusOrSkip(t) || !analysed) return;
  assert.deepEqual(violations(recordRule), []);
});

test('corpus: every PREMIS, EBUCore, PBCore and oai_dc document validates against its XSD', (t) => {
  if (!corpusOrSkip(t) || !analysed) return;
  const xsd = schemasOrSkip(t);
  if (!xsd) return;
  const suffix: Record<XsdKind, string> = {
    premis: '.premis.xml',
    ebucore: '.ebucore.xml',
    pbcore: '.pbcore.xml',
    oai_dc: '.dc.xml',
  };
  for (const kind of Object.keys(XSD) as XsdKind[]) {
    // One xmllint run per schema over every document (exit 0 only when all are valid).
    const r = spawnSync(
      'xmllint',
      [
        '--nonet',
        '--noout',
        '--schema',
        join(schemasDir(), XSD[kind]),
        ...bases.map((b) => `${b}${suffix[kind]}`),
      ],
      { encoding: 'utf8' },
    );
    assert.equal(r.status, 0, `${kind}: ${r.stderr.slice(0, 2000)}`);
    assert.equal((r.stderr.match(/ validates$/gm) ?? []).length, bases.length, kind);
  }
});
