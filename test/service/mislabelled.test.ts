/**
 * Issue 8 regressions through the API: every mislabelled or damaged fixture uploaded under its
 * misleading name is accepted (202), analysed by the real worker, and its report states the
 * codec, rate and duration of the content with the extension_mismatch / truncated findings —
 * the M4A named .mp3 no longer "completes" as MPEG 2.5 Layer 3, the Opus named .mp3 not as AAC.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { basename } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import type { Report } from '../../src/pipeline/report.js';
import type { Runtime } from '../../src/service/runtime.js';
import { assertReportMatches, writeMislabelledFixtures } from '../audio/mislabelled-fixtures.js';
import { tempDir } from '../helpers/fixtures.js';
import { cleanupBackend, multipart, startAdminRuntime } from './harness.js';

const dir = tempDir('sonoteca-api-mislabelled-');
const fixtures = writeMislabelledFixtures(dir);

describe('issue 8 regressions via the API (sqlite+local)', () => {
  let rt: Runtime;
  let auth: { authorization: string };
  before(async () => {
    ({ rt, auth } = await startAdminRuntime('sqlite+local', { WORKER_CONCURRENCY: '1' }));
  });
  after(async () => {
    await rt.stop();
    await cleanupBackend(rt.config);
    rmSync(dir, { recursive: true, force: true });
  });

  /** Uploads `path` under its own (misleading) name; returns the finished task's report. */
  async function analyseUpload(path: string): Promise<Report> {
    const up = multipart([
      { name: 'processing_type', value: 'technical' },
      { name: 'audio_file', filename: basename(path), data: readFileSync(path) },
    ]);
    const res = await rt.app!.inject({
      method: 'POST',
      url: '/api/v1/process',
      headers: { ...up.headers, ...auth },
      payload: up.payload,
    });
    assert.equal(res.statusCode, 202, `accepted by content: ${res.body}`);
    const id = (res.json() as { task_id: string }).task_id;
    for (let i = 0; i < 1200; i++) {
      const st = (await rt.app!.inject({ url: `/api/v1/status/${id}`, headers: auth })).json();
      if (st.status === 'completed') break;
      assert.notEqual(st.status, 'failed', `rejected: ${JSON.stringify(st.error)}`);
      await sleep(50);
    }
    const report = await rt.app!.inject({ url: `/api/v1/results/${id}`, headers: auth });
    assert.equal(report.statusCode, 200, report.body);
    return report.json() as Report;
  }

  for (const f of fixtures) {
    it(f.name, async () => {
      const report = await analyseUpload(f.path);
      assert.equal(report.source.file_name, basename(f.path));
      assertReportMatches(report, f);
    });
  }
});
