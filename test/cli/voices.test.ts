/** `sonoteca voices name` / `reject` / `search` against a real SQLite database under DATA_DIR. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { validateAgainst } from '../../src/pipeline/validate-report.js';
import { tempDir } from '../helpers/fixtures.js';

const dir = tempDir('sono-voices-cli-');
after(() => rmSync(dir, { recursive: true, force: true }));

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0', DATA_DIR: dir, ENVIRONMENT: 'development' },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const voice = (a: number, b: number) => {
  const n = Math.hypot(a, b, 1);
  return [a / n, b / n, 1 / n];
};

function writeReport(name: string, sha: string, speakers: Record<string, number[]>): string {
  const path = join(dir, `${name}.json`);
  writeFileSync(
    path,
    JSON.stringify({
      task_id: `t-${name}`,
      source: { file_name: `${name}.wav` },
      results: {
        fixity: { status: 'ok', sha256: sha.repeat(64) },
        speaker_recognition: {
          status: 'ok',
          speakers: Object.entries(speakers).map(([id, vector]) => ({
            id,
            embedding: { model: 'cli-test', vector },
          })),
        },
      },
    }),
  );
  return path;
}

it('names a speaker once and proposes the name for the same voice in another report', () => {
  const first = writeReport('tape-1', 'a', { SPEAKER_00: voice(1, 0), SPEAKER_01: voice(0, 1) });
  const second = writeReport('tape-2', 'b', { SPEAKER_00: voice(1, 0.02) });
  const added = cli('voices', 'add', second);
  assert.equal(added.status, 0, added.stderr);
  assert.match(added.stdout, /tape-2\.json: 1 voice/);
  const named = cli('voices', 'name', first, 'SPEAKER_00', 'Anna Rossi', '--format', 'json');
  assert.equal(named.status, 0, named.stderr);
  assert.deepEqual(validateAgainst('voices.schema.json', JSON.parse(named.stdout)).errors, []);
  const speakers = (JSON.parse(named.stdout) as { speakers: { speaker: string; name: string }[] })
    .speakers;
  assert.deepEqual(
    speakers.map((s) => [s.speaker, s.name]),
    [
      ['SPEAKER_00', 'Anna Rossi'],
      ['SPEAKER_01', null],
    ],
  );
  const found = cli('voices', 'search', 'Anna Rossi', '--format', 'json');
  assert.equal(found.status, 0, found.stderr);
  assert.deepEqual(validateAgainst('voices.schema.json', JSON.parse(found.stdout)).errors, []);
  const voices = (
    JSON.parse(found.stdout) as {
      voices: { file_name: string; name: string | null; suggested_name: string | null }[];
    }
  ).voices;
  assert.deepEqual(
    voices.map((v) => [v.file_name, v.name, v.suggested_name]),
    [
      ['tape-1.wav', 'Anna Rossi', null],
      ['tape-2.wav', null, 'Anna Rossi'],
    ],
  );
});

it('rejects a proposed name: withdrawn, and a speaker without a proposal is a clear error', () => {
  const third = writeReport('tape-3', 'c', { SPEAKER_00: voice(1, 0.03) });
  assert.equal(cli('voices', 'add', third).status, 0);
  const before = cli('voices', 'search', 'Anna Rossi', '--format', 'json');
  assert.match(before.stdout, /tape-3\.wav/);
  const rejected = cli('voices', 'reject', third, 'SPEAKER_00', '--format', 'json');
  assert.equal(rejected.status, 0, rejected.stderr);
  const speakers = (
    JSON.parse(rejected.stdout) as { speakers: { suggested_name: string | null }[] }
  ).speakers;
  assert.equal(speakers[0]!.suggested_name, null);
  assert.doesNotMatch(cli('voices', 'search', 'Anna Rossi').stdout, /tape-3/);
  const again = cli('voices', 'reject', third, 'SPEAKER_00');
  assert.notEqual(again.status, 0);
  assert.match(again.stderr, /SONO_ERR_CONFLICT|no proposed name/);
});
