/**
 * The route schemas of src/service/schemas/: what the handlers' view functions produce goes
 * through each response schema's serialiser unchanged (no property dropped by
 * `additionalProperties: false`, no value coerced, every `required` one present), and the types
 * derived with `FromSchema` are the ones the web page relies on (checked by the compiler).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import { correctionView } from '../../src/service/review.js';
import type { LoginResponse } from '../../src/service/schemas/auth.js';
import { taskDuplicatesSchema } from '../../src/service/schemas/duplicates.js';
import {
  accuracySchema,
  collectionItemSchema,
  correctionsSchema,
  type CollectionItem,
  type Corrections,
} from '../../src/service/schemas/review.js';
import { taskStatusSchema, type TaskStatusView } from '../../src/service/schemas/tasks.js';
import { voicesSchema, type VoiceView } from '../../src/service/schemas/voices.js';
import type { Task } from '../../src/store/types.js';
import { taskStatusView } from '../../src/service/views.js';

type Equal<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** Compiles only when the two types are identical. */
function sameType<A, B>(proof: Equal<A, B>): void {
  assert.equal(proof, true);
}

const task: Task = {
  id: 't1',
  batchId: null,
  status: 'completed',
  processingType: 'comprehensive',
  priority: 0,
  progress: 1,
  sourcePath: '/data/uploads/t1',
  originalName: 'interview "1".wav',
  sizeBytes: 1234,
  sha256: 'ab'.repeat(32),
  mime: 'audio/wav',
  submittedBy: 'user:arch1',
  resultId: 'r1',
  cachedFromTaskId: null,
  errorCode: null,
  errorMessage: null,
  attempts: 1,
  externalIds: { inventory: 'X-1' },
  options: null,
  durationSec: 12.5,
  createdAt: '2026-12-01T10:00:00.000Z',
  updatedAt: '2026-12-01T10:00:03.000Z',
  startedAt: '2026-12-01T10:00:01.000Z',
  completedAt: '2026-12-01T10:00:03.000Z',
  processingTimeSec: 2.25,
};
const failed: Task = {
  ...task,
  id: 't2',
  status: 'failed',
  progress: 0.4567,
  errorCode: 'SONO_ERR_DECODE_FAILED',
  errorMessage: 'ffmpeg could not decode',
  externalIds: null,
  originalName: null,
  sizeBytes: null,
  sha256: null,
  durationSec: null,
  completedAt: null,
  processingTimeSec: null,
};

const item = (t: Task): CollectionItem => ({
  ...taskStatusView(t),
  category: 'oral_history',
  category_uncertain: true,
  qc_verdict: 'warn',
  speakers: 2,
  reviewed: false,
  reviewed_by: null,
  version: 1,
  reasons: ['uncertain_category'],
  priority_score: 1.75,
});

const voice: VoiceView = {
  voice_id: 7,
  speaker: 'SPEAKER_00',
  model: 'wespeaker-resnet34',
  task_id: 't1',
  file_name: 'a.wav',
  talk_time_sec: 33.3,
  name: null,
  suggested_name: 'Ada',
  suggestion_score: 0.91,
  score_calibrated: false,
  suggested_from: { voice_id: 3, task_id: null },
};

const corrections: Corrections = {
  task_id: 't1',
  version: 1,
  approved: false,
  versions: [
    correctionView({
      id: 1,
      taskId: 't1',
      version: 1,
      kind: 'move_boundary',
      op: { type: 'move_boundary', lane: 'segmentation', index: 2, edge: 'end', to_sec: 1.5 },
      actor: 'user:arch1',
      createdAt: '2026-12-01T10:05:00.000Z',
    }),
  ],
};

const cases: readonly (readonly [string, object, unknown])[] = [
  ['task status', taskStatusSchema, taskStatusView(task)],
  ['failed task status (with error)', taskStatusSchema, taskStatusView(failed)],
  ['collection item', collectionItemSchema, item(failed)],
  ['voices', voicesSchema, { schema_version: '1.0.0', task_id: 't1', speakers: [voice] }],
  ['corrections', correctionsSchema, corrections],
  [
    'duplicates',
    taskDuplicatesSchema,
    {
      schema_version: '1.0.0',
      task_id: 't1',
      pairs: [
        {
          a: 't1',
          b: 't9',
          kind: 'near_duplicate',
          offset_a_sec: 0,
          offset_b_sec: 1.25,
          duration_sec: 30.5,
          speed_ratio: 1.02,
          score: 0.83,
          b_task_id: 't9',
          b_file_name: null,
        },
      ],
    },
  ],
  [
    'accuracy',
    accuracySchema,
    {
      approved_recordings: 1,
      analyzers: [
        {
          analyzer: 'heritage_classification',
          accuracy: 0.667,
          changes: { 'music→speech': 1 },
        },
        { analyzer: 'segmentation', boundary_move: { total_sec: 0, mean_sec: null } },
      ],
    },
  ],
];

describe('route schemas (src/service/schemas)', () => {
  it('serialise what the views produce with every property and value kept', async () => {
    const app = Fastify({ logger: false });
    cases.forEach(([, schema, payload], i) =>
      app.get(`/${i}`, { schema: { response: { 200: schema } } }, async () => payload),
    );
    for (const [i, [name, , payload]] of cases.entries()) {
      const res = await app.inject({ url: `/${i}` });
      assert.equal(res.statusCode, 200, `${name}: ${res.body}`);
      assert.deepEqual(res.json(), JSON.parse(JSON.stringify(payload)), name);
    }
    await app.close();
  });

  it('refuse to send a view without a required property (500, not a silent gap)', async () => {
    const app = Fastify({ logger: false });
    const { sha256: _dropped, ...partial } = taskStatusView(task);
    app.get('/', { schema: { response: { 200: taskStatusSchema } } }, async () => partial);
    const res = await app.inject({ url: '/' });
    assert.equal(res.statusCode, 500);
    await app.close();
  });

  it('derive the types the web page reads', () => {
    sameType<
      TaskStatusView['status'],
      'queued' | 'processing' | 'completed' | 'failed' | 'cancelled'
    >(true);
    sameType<TaskStatusView['error'], { code: string; message: string } | undefined>(true);
    sameType<TaskStatusView['file_name'], string | null>(true);
    sameType<CollectionItem['reasons'], string[]>(true);
    sameType<CollectionItem['error'], TaskStatusView['error']>(true);
    sameType<VoiceView['suggested_from'], { voice_id: number; task_id: string | null } | null>(
      true,
    );
    sameType<LoginResponse['role'], 'admin' | 'archivist' | 'viewer'>(true);
  });
});
