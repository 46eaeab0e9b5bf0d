/** `sonoteca duplicates` end to end: real files, real ffmpeg decode, schema-valid JSON. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { validateAgainst } from '../../src/pipeline/validate-report.js';
import { changeSpeed, melody } from '../analysis/fingerprint/fingerprint-fixtures.js';
import { tempDir, writeWav } from '../helpers/fixtures.js';

const dir = tempDir('sono-dup-cli-');
after(() => rmSync(dir, { recursive: true, force: true }));

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0' },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

it('lists an exact copy and a wrong-speed transfer, not the unrelated file', () => {
  const song = melody(25, 31);
  const master = writeWav(dir, 'master.wav', [song], { sampleRateHz: 16000, format: 'pcm16' });
  copyFileSync(master, join(dir, 'master-copy.wav'));
  writeWav(dir, 'fast.wav', [changeSpeed(song, 1.04)], { sampleRateHz: 16000, format: 'pcm16' });
  writeWav(dir, 'other.wav', [melody(25, 32)], { sampleRateHz: 16000, format: 'pcm16' });
  writeWav(dir, 'broken.wav', [], { sampleRateHz: 16000 });
  const r = cli('duplicates', dir, '--format', 'json');
  const doc = JSON.parse(r.stdout) as {
    pairs: { a: string; b: string; kind: string; speed_ratio: number }[];
    failures: { path: string; code: string }[];
  };
  assert.deepEqual(validateAgainst('duplicates.schema.json', doc).errors, []);
  // The empty WAV is listed as a coded failure (exit 1); the others are still compared.
  assert.equal(r.status, 1, r.stderr);
  assert.equal(doc.failures.length, 1);
  assert.match(doc.failures[0]!.path, /broken\.wav$/);
  const summary = doc.pairs.map((p) => `${p.kind} ${p.a.split('/').pop()} ${p.b.split('/').pop()}`);
  assert.deepEqual(summary.sort(), [
    'exact master-copy.wav master.wav',
    'near_duplicate fast.wav master-copy.wav',
    'near_duplicate fast.wav master.wav',
  ]);
  const fast = doc.pairs.find((p) => p.kind === 'near_duplicate')!;
  // a = fast.wav (sorted first), b = a master: the master plays 1/1.04 as fast.
  assert.ok(Math.abs(fast.speed_ratio - 1 / 1.04) < 0.005, String(fast.speed_ratio));
});

it('rejects an unknown --format with a usage error', () => {
  const r = cli('duplicates', dir, '--format', 'xml');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--format must be text or json/);
});
