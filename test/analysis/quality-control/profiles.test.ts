import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ACCESS_COPY,
  BUILTIN_PROFILES,
  PRESERVATION_MASTER,
  QC_METRICS,
  evaluateCheck,
  evaluateProfile,
  resolveQcProfile,
} from '../../../src/analysis/quality-control/profiles.js';
import { tempDir } from '../../helpers/fixtures.js';

const code = (e: unknown): string | undefined => (e as { code?: string }).code;

test('built-in profiles resolve by name; the default is preservation-master', () => {
  assert.equal(resolveQcProfile(undefined), PRESERVATION_MASTER);
  assert.equal(resolveQcProfile('preservation-master'), PRESERVATION_MASTER);
  assert.equal(resolveQcProfile('access-copy'), ACCESS_COPY);
  assert.deepEqual(Object.keys(BUILTIN_PROFILES).sort(), ['access-copy', 'preservation-master']);
  assert.throws(
    () => resolveQcProfile('broadcast'),
    (e: unknown) =>
      code(e) === 'SONO_ERR_UNKNOWN_PROFILE' &&
      /broadcast/.test((e as Error).message) &&
      /preservation-master, access-copy/.test((e as Error).message),
  );
});

test('every built-in check reads a known metric', () => {
  for (const p of Object.values(BUILTIN_PROFILES))
    for (const c of p.checks) assert.ok(c.metric in QC_METRICS, `${p.name}/${c.id}`);
});

test('a JSON profile file is loaded and validated; bad files give coded errors', () => {
  const dir = tempDir();
  const good = join(dir, 'broadcast.json');
  writeFileSync(
    good,
    JSON.stringify({
      name: 'broadcast-r128',
      checks: [
        {
          id: 'loudness',
          metric: 'integrated_loudness_lufs',
          target: -23,
          warn_tolerance: 0.5,
          fail_tolerance: 1,
        },
        { id: 'tp', metric: 'true_peak_dbtp', fail_above: -1 },
      ],
    }),
  );
  const p = resolveQcProfile(good);
  assert.equal(p.name, 'broadcast-r128');
  assert.equal(p.checks.length, 2);

  const unknownMetric = join(dir, 'bad-metric.json');
  writeFileSync(
    unknownMetric,
    JSON.stringify({ name: 'x', checks: [{ id: 'a', metric: 'nope', fail_above: 1 }] }),
  );
  assert.throws(
    () => resolveQcProfile(unknownMetric),
    (e: unknown) =>
      code(e) === 'SONO_ERR_INVALID_CONFIG' && /checks\.0\.metric/.test((e as Error).message),
  );

  const noThreshold = join(dir, 'no-threshold.json');
  writeFileSync(
    noThreshold,
    JSON.stringify({ name: 'x', checks: [{ id: 'a', metric: 'bit_depth' }] }),
  );
  assert.throws(
    () => resolveQcProfile(noThreshold),
    (e: unknown) => code(e) === 'SONO_ERR_INVALID_CONFIG' && /threshold/.test((e as Error).message),
  );

  const tolWithoutTarget = join(dir, 'tol.json');
  writeFileSync(
    tolWithoutTarget,
    JSON.stringify({ name: 'x', checks: [{ id: 'a', metric: 'bit_depth', warn_tolerance: 1 }] }),
  );
  assert.throws(
    () => resolveQcProfile(tolWithoutTarget),
    (e: unknown) => code(e) === 'SONO_ERR_INVALID_CONFIG',
  );

  const extraKey = join(dir, 'extra.json');
  writeFileSync(
    extraKey,
    JSON.stringify({
      name: 'x',
      checks: [{ id: 'a', metric: 'bit_depth', fail_below: 16, fial_above: 3 }],
    }),
  );
  assert.throws(
    () => resolveQcProfile(extraKey),
    (e: unknown) => code(e) === 'SONO_ERR_INVALID_CONFIG',
  );

  const notJson = join(dir, 'broken.json');
  writeFileSync(notJson, '{ name: ');
  assert.throws(
    () => resolveQcProfile(notJson),
    (e: unknown) =>
      code(e) === 'SONO_ERR_INVALID_CONFIG' && /not valid JSON/.test((e as Error).message),
  );

  assert.throws(
    () => resolveQcProfile(join(dir, 'missing.json')),
    (e: unknown) => code(e) === 'SONO_ERR_PATH_NOT_FOUND',
  );
});

test('the example profile in docs/QC-PROFILES.md is valid', () => {
  const md = readFileSync('docs/QC-PROFILES.md', 'utf8');
  const m = /```json\n([\s\S]*?)\n```/.exec(md);
  assert.ok(m, 'docs/QC-PROFILES.md has a json example');
  const dir = tempDir();
  const p = join(dir, 'example.json');
  writeFileSync(p, m[1]!);
  assert.ok(resolveQcProfile(p).checks.length > 0);
});

test('check semantics: above/below are strict, tolerance is absolute, booleans, missing values', () => {
  const tp = { id: 'tp', metric: 'true_peak_dbtp' as const, warn_above: -1, fail_above: 0 };
  assert.equal(evaluateCheck(tp, { true_peak_dbtp: -1 }).status, 'pass');
  assert.equal(evaluateCheck(tp, { true_peak_dbtp: -0.5 }).status, 'warn');
  assert.equal(evaluateCheck(tp, { true_peak_dbtp: 0.2 }).status, 'fail');
  const sr = { id: 'sr', metric: 'sample_rate_hz' as const, fail_below: 48000 };
  assert.equal(evaluateCheck(sr, { sample_rate_hz: 48000 }).status, 'pass');
  assert.equal(evaluateCheck(sr, { sample_rate_hz: 44100 }).status, 'fail');
  const loud = {
    id: 'l',
    metric: 'integrated_loudness_lufs' as const,
    target: -16,
    warn_tolerance: 1,
    fail_tolerance: 3,
  };
  assert.equal(evaluateCheck(loud, { integrated_loudness_lufs: -16.9 }).status, 'pass');
  assert.equal(evaluateCheck(loud, { integrated_loudness_lufs: -14.5 }).status, 'warn');
  assert.equal(evaluateCheck(loud, { integrated_loudness_lufs: -20 }).status, 'fail');
  const lossless = { id: 'c', metric: 'lossless' as const, fail_if: false };
  assert.equal(evaluateCheck(lossless, { lossless: true }).status, 'pass');
  assert.equal(evaluateCheck(lossless, { lossless: false }).status, 'fail');
  const depth = { id: 'd', metric: 'bit_depth' as const, fail_below: 24 };
  assert.equal(evaluateCheck(depth, { bit_depth: null }).status, 'warn');
  assert.equal(evaluateCheck({ ...depth, on_missing: 'fail' }, { bit_depth: null }).status, 'fail');
  const v = evaluateProfile(
    { name: 'p', checks: [tp, sr] },
    { true_peak_dbtp: -0.5, sample_rate_hz: 96000 },
  );
  assert.equal(v.verdict, 'warn');
  assert.equal(v.profile, 'p');
  assert.match(v.checks[0]!.message, /-0\.50 > -1/);
});
