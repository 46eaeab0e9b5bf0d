import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { after, test } from 'node:test';
import {
  COLLECTION_CSV_COLUMNS,
  collectionCsvErrorRow,
  collectionCsvRow,
  renderCollectionCsv,
} from '../../../src/metadata/exports/collection-csv.js';
import { analyzeFile } from '../../../src/pipeline/analyze-file.js';
import { tempDir, tone, writeWav } from '../../helpers/fixtures.js';

const dir = tempDir('sonoteca-ccsv-');
after(() => rmSync(dir, { recursive: true, force: true }));

test('collection CSV: one row per input with checksums, format, QC and failing check ids; errors coded', async () => {
  const wav = writeWav(dir, 'a, "b".wav', [tone(440, 1, 44100, 0.3)], {
    sampleRateHz: 44100,
    format: 'pcm16',
  });
  const report = await analyzeFile(wav, { processingType: 'technical' });
  const rows = [
    collectionCsvRow('a, "b".wav', report, 'a, "b".wav.json'),
    collectionCsvErrorRow('x.wav', 'SONO_ERR_NOT_AUDIO', 'not audio'),
  ];
  const schema = JSON.parse(
    readFileSync(
      new URL('../../../docs/schema/collection-csv.schema.json', import.meta.url),
      'utf8',
    ),
  ) as object;
  const validate = new Ajv2020({ strict: false }).compile(schema);
  for (const r of rows) assert.ok(validate(r), JSON.stringify(validate.errors));
  assert.deepEqual(Object.keys((schema as { properties: object }).properties), [
    ...COLLECTION_CSV_COLUMNS,
  ]);
  const csv = renderCollectionCsv(rows);
  const lines = csv.trimEnd().split('\n');
  assert.equal(lines.length, 3);
  assert.equal(lines[0], COLLECTION_CSV_COLUMNS.join(','));
  const cells = (line: string): Record<string, string> => {
    // Minimal RFC 4180 split for the test (quoted cells may hold commas and doubled quotes).
    const out: string[] = [];
    const re = /("(?:[^"]|"")*"|[^,]*)(,|$)/g;
    for (const m of line.matchAll(re)) {
      out.push(m[1]!.startsWith('"') ? m[1]!.slice(1, -1).replace(/""/g, '"') : m[1]!);
      if (m[2] === '') break;
    }
    return Object.fromEntries(COLLECTION_CSV_COLUMNS.map((c, i) => [c, out[i] ?? '']));
  };
  const ok = cells(lines[1]!);
  assert.equal(ok['input'], 'a, "b".wav');
  assert.equal(ok['status'], 'ok');
  assert.equal(ok['sha256'], report.results.fixity.sha256);
  assert.equal(ok['md5'], report.results.fixity.md5);
  assert.equal(ok['container'], 'WAVE');
  assert.equal(ok['sample_rate_hz'], '44100');
  assert.equal(ok['bit_depth'], '16');
  assert.equal(ok['channels'], '1');
  assert.equal(Number(ok['duration_sec']), 1);
  assert.equal(ok['qc_profile'], 'preservation-master');
  assert.equal(ok['qc_verdict'], 'fail');
  // 44.1 kHz / 16-bit fails the preservation master's rate and depth checks.
  assert.deepEqual(ok['qc_failed_checks']!.split(';').sort(), ['bit_depth', 'sample_rate']);
  assert.equal(ok['speech_ratio'], '', 'technical run: no VAD, no ratio invented');
  const bad = cells(lines[2]!);
  assert.equal(bad['status'], 'failed');
  assert.equal(bad['error_code'], 'SONO_ERR_NOT_AUDIO');
  assert.equal(bad['sha256'], '');
});
