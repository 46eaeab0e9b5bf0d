/** `GET /api/v1/tasks/{id}/duplicates`: the recordings in the store that share this one's audio. */
import type { FastifyInstance } from 'fastify';
import { SECURITY, type RouteContext } from '../context.js';
import { findTaskDuplicates } from '../duplicates.js';
import { requireRole } from '../plugins/auth.js';
import { loadTask } from './tasks.js';

const pairSchema = {
  type: 'object',
  required: [
    'a',
    'b',
    'kind',
    'offset_a_sec',
    'offset_b_sec',
    'duration_sec',
    'speed_ratio',
    'score',
  ],
  properties: {
    a: { type: 'string' },
    b: { type: 'string' },
    kind: { type: 'string', enum: ['exact', 'near_duplicate', 'partial_overlap'] },
    offset_a_sec: { type: 'number' },
    offset_b_sec: { type: 'number' },
    duration_sec: { type: 'number' },
    speed_ratio: { type: 'number' },
    score: { type: 'number' },
    b_task_id: { type: ['string', 'null'] },
    b_file_name: { type: ['string', 'null'] },
  },
} as const;

export function registerDuplicatesRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.get<{ Params: { task_id: string } }>(
    '/api/v1/tasks/:task_id/duplicates',
    {
      preHandler: requireRole('viewer'),
      schema: {
        tags: ['tasks'],
        summary:
          'Exact copies, near-duplicates and partial overlaps of this recording among all fingerprinted recordings (docs/schema/duplicates.schema.json)',
        security: SECURITY,
        params: {
          type: 'object',
          properties: { task_id: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' } },
          required: ['task_id'],
        },
        response: {
          200: {
            type: 'object',
            required: ['schema_version', 'task_id', 'pairs'],
            properties: {
              schema_version: { type: 'string' },
              task_id: { type: 'string' },
              pairs: { type: 'array', items: pairSchema },
            },
          },
        },
      },
    },
    async (req) => findTaskDuplicates(ctx.store, await loadTask(ctx, req.params.task_id)),
  );
}
