import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateModel } from '../../src/analysis/heritage/model.js';
import { chord, concat, noise, silence, tempDir, writeWav } from '../helpers/fixtures.js';

const SR = 16000;

function cli(args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    encoding: 'utf8',
    timeout: 300_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('sonoteca train builds a model from a labels CSV that sonoteca analyze --model then uses', () => {
  const dir = tempDir();
  const lines = ['path,category,source'];
  // two made-up categories of any taxonomy: sustained chords vs. noise bursts, 3 sources each
  for (let s = 0; s < 3; s++) {
    const base = 220 * 2 ** (s / 12);
    writeWav(dir, `chord-${s}.wav`, [chord([base, base * 1.25, base * 1.5], 4, SR)], {
      sampleRateHz: SR,
    });
    const bursts = concat(
      noise(0.5, SR, 0.4, 10 + s),
      silence(0.5, SR),
      noise(0.5, SR, 0.4, 20 + s),
      silence(2.5, SR),
    );
    writeWav(dir, `bursts-${s}.wav`, [bursts], { sampleRateHz: SR });
    lines.push(
      `chord-${s}.wav,sustained_tone,src-${s}`,
      `bursts-${s}.wav,noise_bursts,src-${s + 3}`,
    );
  }
  writeFileSync(join(dir, 'labels.csv'), `${lines.join('\n')}\n`);
  const modelPath = join(dir, 'model.json');
  const train = cli([
    'train',
    '--labels',
    join(dir, 'labels.csv'),
    '--out',
    modelPath,
    '--jobs',
    '2',
  ]);
  assert.equal(train.status, 0, train.stderr);
  const model = validateModel(JSON.parse(readFileSync(modelPath, 'utf8')));
  assert.deepEqual(model.taxonomy, ['noise_bursts', 'sustained_tone']);
  assert.equal(model.training?.samples, 6);
  assert.equal(model.training?.sources, 6);
  assert.match(train.stdout, /leave-one-source-out: accuracy/);

  // a new file of each kind, analysed with the trained model
  writeWav(dir, 'new-chord.wav', [chord([262, 330, 392], 4, SR)], { sampleRateHz: SR });
  const out = join(dir, 'out');
  const analyze = cli([
    'analyze',
    '--model',
    modelPath,
    '--out',
    out,
    '--root',
    dir,
    '--quiet',
    join(dir, 'new-chord.wav'),
  ]);
  assert.equal(analyze.status, 0, analyze.stderr);
  const report = JSON.parse(readFileSync(join(out, 'new-chord.wav.json'), 'utf8')) as {
    results: {
      heritage_classification: {
        model: { trained: boolean; path: string };
        predicted_category: string;
        scores: Record<string, number>;
      };
    };
  };
  const h = report.results.heritage_classification;
  assert.equal(h.model.trained, true);
  assert.equal(h.model.path, modelPath);
  assert.deepEqual(Object.keys(h.scores).sort(), ['noise_bursts', 'sustained_tone']);
  assert.equal(h.predicted_category, 'sustained_tone');
});

test('sonoteca train rejects a labels file without path/category columns: usage error, coded message', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'bad.csv'), 'file,label\na.wav,x\n');
  const r = cli(['train', '--labels', join(dir, 'bad.csv'), '--out', join(dir, 'm.json')]);
  assert.equal(r.status, 2);
  assert.match(
    r.stderr,
    /Invalid labels file .*bad\.csv: the header must name "path" and "category"/,
  );
});

test('sonoteca analyze --model with a missing or invalid model is a usage error before any file', () => {
  const dir = tempDir();
  const wav = writeWav(dir, 'a.wav', [chord([262, 330, 392], 1, SR)], { sampleRateHz: SR });
  const missing = cli(['analyze', '--model', join(dir, 'nope.json'), '--out', join(dir, 'o'), wav]);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /--model: Could not load model/);
  writeFileSync(join(dir, 'bad.json'), JSON.stringify({ format: 'something-else' }));
  const bad = cli(['analyze', '--model', join(dir, 'bad.json'), '--out', join(dir, 'o'), wav]);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--model: Invalid model file .*bad\.json: format/);
});
