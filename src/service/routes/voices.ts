/**
 * Voices of a task's recording: `GET /api/v1/tasks/{id}/speakers` (each speaker's confirmed name,
 * or the name Sonoteca proposes with its calibrated score) and
 * `PUT /api/v1/tasks/{id}/speakers/{speaker}/name` (a person names or confirms a speaker) and
 * `POST /api/v1/tasks/{id}/speakers/{speaker}/reject` (a person rejects the proposed name).
 */
import type { FastifyInstance } from 'fastify';
import { SonoError } from '../../errors.js';
import type { Task } from '../../store/types.js';
import { audit } from '../audit.js';
import { SECURITY, type RouteContext } from '../context.js';
import { principalOf, requireRole } from '../plugins/auth.js';
import { actorOf } from '../principal.js';
import {
  speakerNameBodySchema,
  voicesSchema,
  type SpeakerNameBody,
  type VoiceView,
  type Voices,
} from '../schemas/voices.js';
import {
  nameSpeaker,
  recordingVoices,
  rejectSuggestion,
  VOICES_SCHEMA_VERSION,
} from '../voices.js';
import { loadTask } from './tasks.js';

function shaOf(task: Task): string {
  if (task.sha256 === null) {
    throw new SonoError('SONO_ERR_CONFLICT', {
      detail: `task ${task.id} is ${task.status}; speakers exist only for analysed recordings`,
    });
  }
  return task.sha256;
}

export function registerVoicesRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const params = {
    type: 'object',
    properties: {
      task_id: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' },
      speaker: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,64}$' },
    },
    required: ['task_id'],
  } as const;
  const speakerParams = { ...params, required: ['task_id', 'speaker'] } as const;
  /** The answer of every voices route: the recording's speakers as they now stand. */
  const voicesOf = (task: Task, speakers: VoiceView[]): Voices => ({
    schema_version: VOICES_SCHEMA_VERSION,
    task_id: task.id,
    speakers,
  });

  app.get<{ Params: { task_id: string } }>(
    '/api/v1/tasks/:task_id/speakers',
    {
      preHandler: requireRole('viewer'),
      schema: {
        tags: ['voices'],
        summary:
          'Speakers of the recording with confirmed names and proposed names (calibrated score)',
        security: SECURITY,
        params,
        response: { 200: voicesSchema },
      },
    },
    async (req) => {
      const task = await loadTask(ctx, req.params.task_id);
      return voicesOf(task, await recordingVoices(ctx.store, shaOf(task)));
    },
  );

  app.put<{ Params: { task_id: string; speaker: string }; Body: SpeakerNameBody }>(
    '/api/v1/tasks/:task_id/speakers/:speaker/name',
    {
      preHandler: requireRole('archivist'),
      schema: {
        tags: ['voices'],
        summary:
          'Name (or confirm the proposed name of) a speaker; proposes it for matching voices elsewhere',
        security: SECURITY,
        params: speakerParams,
        body: speakerNameBodySchema,
        response: { 200: voicesSchema },
      },
    },
    async (req) => {
      const task = await loadTask(ctx, req.params.task_id);
      const principal = principalOf(req);
      const speakers = await nameSpeaker(ctx.store, {
        recordingSha256: shaOf(task),
        speaker: req.params.speaker,
        name: req.body.name,
        by: actorOf(principal),
      });
      await audit(
        ctx.store,
        req,
        'speaker.name',
        { type: 'task', id: task.id },
        {
          speaker: req.params.speaker,
          name: req.body.name,
        },
      );
      return voicesOf(task, speakers);
    },
  );
  app.post<{ Params: { task_id: string; speaker: string } }>(
    '/api/v1/tasks/:task_id/speakers/:speaker/reject',
    {
      preHandler: requireRole('archivist'),
      schema: {
        tags: ['voices'],
        summary:
          'Reject the name proposed for a speaker (never proposed for this voice again); 409 when none is proposed, 404 for an unknown speaker',
        security: SECURITY,
        params: speakerParams,
        response: { 200: voicesSchema },
      },
    },
    async (req) => {
      const task = await loadTask(ctx, req.params.task_id);
      const speakers = await rejectSuggestion(ctx.store, {
        recordingSha256: shaOf(task),
        speaker: req.params.speaker,
        by: actorOf(principalOf(req)),
      });
      await audit(
        ctx.store,
        req,
        'speaker.reject_name',
        { type: 'task', id: task.id },
        { speaker: req.params.speaker },
      );
      return voicesOf(task, speakers);
    },
  );
}
