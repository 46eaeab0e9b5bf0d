import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { clusterByCosine } from '../../../src/analysis/diarization/clustering.js';
import {
  StatisticsEmbeddingEngine,
  unpackStatistics,
} from '../../../src/analysis/diarization/embedding-engine.js';
import { OnnxEmbeddingEngine } from '../../../src/analysis/diarization/onnx-embedding-engine.js';
import { isSonoError } from '../../../src/errors.js';
import { rng, tempDir } from '../../helpers/fixtures.js';

test('ONNX engine: a missing model path is a coded model-load error naming the path', async () => {
  const e = new OnnxEmbeddingEngine({ modelPath: '/nonexistent/spk-embed.onnx' });
  assert.equal(e.space, 'cosine');
  await assert.rejects(
    () => e.load(),
    (err) =>
      isSonoError(err) &&
      err.code === 'SONO_ERR_MODEL_LOAD' &&
      err.message.includes('/nonexistent/spk-embed.onnx'),
  );
});

test('ONNX engine: a file that is not an ONNX model is a coded model-load error', async () => {
  const p = join(tempDir(), 'not-a-model.onnx');
  writeFileSync(p, 'this is not protobuf');
  await assert.rejects(
    () => new OnnxEmbeddingEngine({ modelPath: p }).load(),
    (err) => isSonoError(err) && err.code === 'SONO_ERR_MODEL_LOAD',
  );
});

test('statistics engine packs mergeable Gaussian statistics (count, mean, second moments)', () => {
  const dim = 3;
  const n = 50;
  const r = rng(3);
  const mfcc = new Float32Array(n * dim).map(() => r() * 2 - 1);
  const emb = new StatisticsEmbeddingEngine().embed({
    nFrames: n,
    mfcc,
    mfccDim: dim,
    melLog: new Float32Array(0),
    nMels: 0,
  });
  assert.equal(emb.length, 1 + dim + (dim * (dim + 1)) / 2);
  const s = unpackStatistics(emb);
  assert.equal(s.n, n);
  let sum0 = 0;
  for (let i = 0; i < n; i++) sum0 += mfcc[i * dim]!;
  assert.ok(Math.abs(s.sum[0]! - sum0) < 1e-4);
});

test('cosine clustering picks the number of clusters by eigengap and honours bounds', () => {
  // three well-separated directions, 6 noisy embeddings each
  const r = rng(9);
  const centres = [
    [1, 0, 0, 0],
    [0, 1, 0, 0],
    [0, 0, 1, 0],
  ];
  const emb: Float32Array[] = [];
  for (let i = 0; i < 18; i++)
    emb.push(Float32Array.from(centres[i % 3]!.map((v) => v + 0.15 * (r() - 0.5))));
  const res = clusterByCosine(emb, { minClusters: 1, maxClusters: 10 });
  assert.equal(res.k, 3);
  for (let i = 3; i < 18; i++) assert.equal(res.labels[i], res.labels[i % 3]);
  assert.equal(clusterByCosine(emb, { minClusters: 1, maxClusters: 2 }).k, 2);
  assert.equal(clusterByCosine(emb, { minClusters: 4, maxClusters: 10 }).k, 4);
});

test('cosine clustering of many items goes through a subsample and labels every item', () => {
  const r = rng(11);
  const centres = [
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1],
  ];
  const emb: Float32Array[] = [];
  for (let i = 0; i < 600; i++)
    emb.push(Float32Array.from(centres[i % 3]!.map((v) => v + 0.2 * (r() - 0.5))));
  const res = clusterByCosine(emb, { minClusters: 1, maxClusters: 10 }, 60);
  assert.equal(res.k, 3);
  for (let i = 3; i < 600; i++) assert.equal(res.labels[i], res.labels[i % 3]);
});
