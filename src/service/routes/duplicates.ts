/** `GET /api/v1/tasks/{id}/duplicates`: the recordings in the store that share this one's audio. */
import type { FastifyInstance } from 'fastify';
import { SECURITY, type RouteContext } from '../context.js';
import { findTaskDuplicates } from '../duplicates.js';
import { requireRole } from '../plugins/auth.js';
import { taskDuplicatesSchema } from '../schemas/duplicates.js';
import { loadTask } from './tasks.js';

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
        response: { 200: taskDuplicatesSchema },
      },
    },
    async (req) => findTaskDuplicates(ctx.store, await loadTask(ctx, req.params.task_id)),
  );
}
