/** The fingerprints repository and its inverted index, looped over SQLite and PostgreSQL. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodePoints, encodeTriplets } from '../../src/analysis/fingerprint/index.js';
import type { Store } from '../../src/store/types.js';
import { freshStore, type FreshStore } from './store-backends.js';

const triplets = [
  { hash: 0xabcde, timeSec: 0.25, lfSt: 30.5 },
  { hash: 7, timeSec: 1.5, lfSt: 12 },
  { hash: 0xabcde, timeSec: 9.125, lfSt: 40.25 },
];

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`fingerprints repository: ${kind}`, { concurrency: false }, () => {
    let fresh: FreshStore;
    let store: Store;
    before(async () => {
      fresh = await freshStore(kind);
      store = fresh.store;
    });
    after(async () => fresh.cleanup());

    it('stores a fingerprint once per content, with its postings', async () => {
      const data = encodeTriplets(triplets);
      assert.equal(data.length, 24); // 8 bytes per triplet
      const fp = await store.fingerprints.put({
        sha256: 'a'.repeat(64),
        taskId: 'task-1',
        sourceName: 'tape.wav',
        durationSec: 10,
        pcmMd5: 'f'.repeat(32),
        encoding: 'sonoteca-fp1',
        data,
      });
      assert.equal(fp.hashCount, 3);
      assert.deepEqual(decodePoints(fp.data).hashes, Uint32Array.from([0xabcde, 7, 0xabcde]));
      const again = await store.fingerprints.put({
        sha256: 'a'.repeat(64),
        taskId: 'task-2',
        sourceName: 'copy.wav',
        durationSec: 10,
        pcmMd5: null,
        encoding: 'sonoteca-fp1',
        data,
      });
      assert.equal(again.id, fp.id);
      assert.equal(again.taskId, 'task-1');
      assert.equal(await store.fingerprints.count(), 1);
      assert.equal((await store.fingerprints.findByTask('task-1'))?.id, fp.id);
      assert.equal((await store.fingerprints.findByPcmMd5('f'.repeat(32)))[0]?.id, fp.id);

      const postings = [...(await store.fingerprints.lookup([0xabcde, 99]))].sort(
        (x, y) => x.timeMs - y.timeMs,
      );
      assert.deepEqual(postings, [
        { hash: 0xabcde, fingerprintId: fp.id, timeMs: 250, lf: 30.5 * 32 },
        { hash: 0xabcde, fingerprintId: fp.id, timeMs: 9125, lf: 40.25 * 32 },
      ]);
    });

    it('looks up more hashes than one statement binds, and deletes postings with the fingerprint', async () => {
      const many = Array.from({ length: 5000 }, (_, i) => ({
        hash: i,
        timeSec: i / 100,
        lfSt: 20,
      }));
      const fp = await store.fingerprints.put({
        sha256: 'b'.repeat(64),
        taskId: null,
        sourceName: null,
        durationSec: 50,
        pcmMd5: null,
        encoding: 'sonoteca-fp1',
        data: encodeTriplets(many),
      });
      const hits = await store.fingerprints.lookup(many.map((t) => t.hash));
      assert.equal(hits.filter((p) => p.fingerprintId === fp.id).length, 5000);
      assert.equal(await store.fingerprints.delete(fp.id), true);
      assert.equal((await store.fingerprints.lookup([4321])).length, 0);
      assert.equal(await store.fingerprints.get(fp.id), undefined);
    });
  });
}
