/** GET /api/v1/tasks/{id}/duplicates over the store's fingerprint index, on both backends. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { encodeTriplets } from '../../src/analysis/fingerprint/index.js';
import type { FingerprintedRecording } from '../../src/analysis/fingerprint/index.js';
import type { Store } from '../../src/store/types.js';
import {
  changeSpeed,
  fingerprintSamples,
  melody,
} from '../analysis/fingerprint/fingerprint-fixtures.js';
import { BACKENDS, createHarness, type Harness } from './harness.js';

async function storeRecording(store: Store, name: string, fp: FingerprintedRecording, sha: string) {
  const task = await store.tasks.create({
    processingType: 'comprehensive',
    sourcePath: `/archive/${name}`,
    originalName: name,
  });
  const data = encodeTriplets(
    Array.from(fp.points.hashes, (hash, i) => ({
      hash,
      timeSec: fp.points.timesSec[i]!,
      lfSt: fp.points.lfSt[i]!,
    })),
  );
  await store.fingerprints.put({
    sha256: sha.repeat(64),
    taskId: task.id,
    sourceName: name,
    durationSec: fp.durationSec,
    pcmMd5: null,
    encoding: 'sonoteca-fp1',
    data,
  });
  return task.id;
}

const original = melody(30, 21);

for (const backend of BACKENDS) {
  describe(`duplicates route: ${backend}`, { concurrency: false }, () => {
    let h: Harness;
    const ids: Record<string, string> = {};
    before(async () => {
      h = await createHarness(backend);
      ids['orig'] = await storeRecording(
        h.store,
        'orig.wav',
        fingerprintSamples('o', original),
        'a',
      );
      ids['slow'] = await storeRecording(
        h.store,
        'slow.wav',
        fingerprintSamples('s', changeSpeed(original, 0.95)),
        'b',
      );
      ids['other'] = await storeRecording(
        h.store,
        'other.wav',
        fingerprintSamples('x', melody(30, 22)),
        'c',
      );
    });
    after(async () => h.close());

    it('lists the wrong-speed copy of a recording and nothing else', async () => {
      const res = await h.app.inject({
        url: `/api/v1/tasks/${ids['orig']}/duplicates`,
        headers: h.auth('viewer'),
      });
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json() as {
        task_id: string;
        pairs: { a: string; b: string; kind: string; speed_ratio: number; b_file_name: string }[];
      };
      assert.equal(body.task_id, ids['orig']);
      assert.equal(body.pairs.length, 1, res.body);
      const p = body.pairs[0]!;
      assert.equal(p.a, ids['orig']);
      assert.equal(p.b, ids['slow']);
      assert.equal(p.b_file_name, 'slow.wav');
      assert.equal(p.kind, 'near_duplicate');
      assert.ok(Math.abs(p.speed_ratio - 0.95) < 0.005, String(p.speed_ratio));
    });

    it('answers coded errors for unknown tasks, tasks without fingerprint and no token', async () => {
      const unknown = await h.app.inject({
        url: '/api/v1/tasks/nope/duplicates',
        headers: h.auth('viewer'),
      });
      assert.equal(unknown.statusCode, 404);
      const bare = await h.store.tasks.create({
        processingType: 'technical',
        sourcePath: '/x.wav',
      });
      const none = await h.app.inject({
        url: `/api/v1/tasks/${bare.id}/duplicates`,
        headers: h.auth('viewer'),
      });
      assert.equal(none.statusCode, 409);
      assert.equal((none.json() as { error: { code: string } }).error.code, 'SONO_ERR_CONFLICT');
      const anon = await h.app.inject({ url: `/api/v1/tasks/${ids['orig']}/duplicates` });
      assert.equal(anon.statusCode, 401);
    });
  });
}
