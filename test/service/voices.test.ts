/**
 * GET /api/v1/tasks/{id}/speakers, PUT …/{speaker}/name and POST …/{speaker}/reject over the
 * store, on both backends: suggestions are listed apart from names, archivists confirm or reject
 * them, viewers cannot, and coded errors name what is wrong.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { storeVoices } from '../../src/jobs/voiceprints.js';
import type { Report } from '../../src/pipeline/report.js';
import { validateAgainst } from '../../src/pipeline/validate-report.js';
import type { Voices } from '../../src/service/schemas/voices.js';
import { BACKENDS, createHarness, type Harness } from './harness.js';

const report = (taskId: string, file: string, vector: number[]): Report =>
  ({
    task_id: taskId,
    source: { file_name: file },
    results: {
      speaker_recognition: {
        status: 'ok',
        speakers: [
          { id: 'SPEAKER_00', talk_time_sec: 12, embedding: { model: 'route-test', vector } },
        ],
      },
    },
  }) as unknown as Report;

for (const backend of BACKENDS) {
  describe(`voices routes: ${backend}`, { concurrency: false }, () => {
    let h: Harness;
    const ids: Record<string, string> = {};
    before(async () => {
      h = await createHarness(backend);
      for (const [key, sha, vector] of [
        ['a', 'a', [1, 0, 0]],
        ['b', 'b', [0.99, 0.1, 0]],
      ] as const) {
        const task = await h.store.tasks.create({
          processingType: 'speech',
          sourcePath: `/archive/${key}.wav`,
          originalName: `${key}.wav`,
          sha256: sha.repeat(64),
        });
        ids[key] = task.id;
        await storeVoices(h.store, report(task.id, `${key}.wav`, [...vector]), sha.repeat(64));
      }
    });
    after(async () => h.close());

    const speakers = async (key: string): Promise<Voices['speakers']> => {
      const res = await h.app.inject({
        url: `/api/v1/tasks/${ids[key]}/speakers`,
        headers: h.auth('viewer'),
      });
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(validateAgainst('voices.schema.json', res.json()).errors, []);
      return (res.json() as Voices).speakers;
    };

    it('a name given here is proposed there as a suggestion, not a name', async () => {
      const put = await h.app.inject({
        method: 'PUT',
        url: `/api/v1/tasks/${ids['a']}/speakers/SPEAKER_00/name`,
        headers: h.auth('archivist'),
        payload: { name: 'Lina Sarti' },
      });
      assert.equal(put.statusCode, 200, put.body);
      const [b] = await speakers('b');
      assert.equal(b!.name, null);
      assert.equal(b!.suggested_name, 'Lina Sarti');
      assert.ok(b!.suggestion_score! > 0.9, String(b!.suggestion_score));
      assert.equal(b!.score_calibrated, false); // no fitted calibration for this test model
    });

    it('viewers cannot reject; archivists can, once; then nothing is proposed', async () => {
      const url = `/api/v1/tasks/${ids['b']}/speakers/SPEAKER_00/reject`;
      const viewer = await h.app.inject({ method: 'POST', url, headers: h.auth('viewer') });
      assert.equal(viewer.statusCode, 403);
      const ok = await h.app.inject({ method: 'POST', url, headers: h.auth('archivist') });
      assert.equal(ok.statusCode, 200, ok.body);
      const [b] = (ok.json() as Voices).speakers;
      assert.deepEqual([b!.name, b!.suggested_name], [null, null]);
      const again = await h.app.inject({ method: 'POST', url, headers: h.auth('archivist') });
      assert.equal(again.statusCode, 409);
      assert.equal((again.json() as { error: { code: string } }).error.code, 'SONO_ERR_CONFLICT');
      const unknown = await h.app.inject({
        method: 'POST',
        url: `/api/v1/tasks/${ids['b']}/speakers/SPEAKER_07/reject`,
        headers: h.auth('archivist'),
      });
      assert.equal(unknown.statusCode, 404);
    });
  });
}
