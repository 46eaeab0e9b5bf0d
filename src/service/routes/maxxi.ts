/**
 * The MAXXI endpoints of CONTRACT.md:
 * - `GET /api/maxxi/metadata/{task_id}`: the metadata package (JSON, or oai_dc XML when
 *   MAXXI_OUTPUT_FORMAT=xml or `?format=xml`);
 * - `POST /api/maxxi/status`: MAXXI reports the archive state of a delivered result;
 * - `POST /api/maxxi/results`: MAXXI submits a recording already in its storage, by path or
 *   `file://` URL inside MAXXI_ALLOWED_ROOTS, with its own identifiers.
 */
import { sep } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { renderOaiDc } from '../../metadata/oai-dc.js';
import { packageRelativeDir, MAXXI_PACKAGE_VERSION } from '../../maxxi/package-writer.js';
import { PROCESSING_TYPES } from '../../pipeline/stages.js';
import { audit } from '../audit.js';
import { SECURITY, type RouteContext } from '../context.js';
import { principalOf, requireRole } from '../plugins/auth.js';
import { actorOf } from '../principal.js';
import { MAX_PRIORITY, MIN_PRIORITY, submitTask } from '../submissions.js';
import { checkReference, loadReport, loadTask } from './tasks.js';

const identifiersSchema = {
  type: 'object',
  additionalProperties: { type: 'string', maxLength: 512 },
  maxProperties: 32,
} as const;

export function registerMaxxiRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { store, queue, config } = ctx;

  app.get<{ Params: { task_id: string }; Querystring: { format?: 'json' | 'xml' } }>(
    '/api/maxxi/metadata/:task_id',
    {
      preHandler: requireRole('viewer'),
      schema: {
        tags: ['maxxi'],
        summary: 'MAXXI-formatted metadata package of a completed task',
        security: SECURITY,
        params: {
          type: 'object',
          properties: { task_id: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' } },
          required: ['task_id'],
        },
        querystring: {
          type: 'object',
          properties: { format: { type: 'string', enum: ['json', 'xml'] } },
          additionalProperties: false,
        },
        produces: ['application/json', 'application/xml'],
      },
    },
    async (req, reply) => {
      const task = await loadTask(ctx, req.params.task_id);
      const report = await loadReport(ctx, task);
      const mg = report.results.metadata_generation;
      const dc = mg.dublin_core ?? {};
      if ((req.query.format ?? config.maxxi.outputFormat) === 'xml')
        return reply.type('application/xml; charset=utf-8').send(renderOaiDc(dc));
      const delivery = await store.maxxi.get(task.id);
      const heritage = report.results.heritage_classification;
      const speakers = report.results.speaker_recognition;
      return reply.type('application/json').send(
        JSON.stringify({
          package_version: MAXXI_PACKAGE_VERSION,
          task_id: task.id,
          status: task.status,
          metadata_schema: config.maxxi.metadataSchema,
          maxxi_identifiers: task.externalIds ?? {},
          dublin_core: dc,
          cultural_tags: mg.cultural_tags ?? null,
          heritage_classification: heritage,
          speaker_recognition: speakers,
          audio_info: report.audio_info,
          fixity: report.results.fixity,
          schema_version: report.schema_version,
          package:
            task.completedAt === null
              ? null
              : {
                  path: packageRelativeDir(task.id, new Date(task.completedAt)),
                  state: delivery?.state ?? null,
                  archive_state: delivery?.externalState ?? null,
                  delivered_at: delivery?.deliveredAt ?? null,
                },
        }),
      );
    },
  );

  app.post<{
    Body: {
      task_id: string;
      state: string;
      maxxi_id?: string;
      identifiers?: Record<string, string>;
      message?: string;
    };
  }>(
    '/api/maxxi/status',
    {
      preHandler: requireRole('archivist'),
      schema: {
        tags: ['maxxi'],
        summary: 'MAXXI reports the archive state of a delivered result',
        security: SECURITY,
        body: {
          type: 'object',
          properties: {
            task_id: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' },
            state: {
              type: 'string',
              pattern: '^[a-z_]{1,32}$',
              description: 'e.g. received, ingested, rejected, error',
            },
            maxxi_id: { type: 'string', maxLength: 512 },
            identifiers: identifiersSchema,
            message: { type: 'string', maxLength: 4096 },
          },
          required: ['task_id', 'state'],
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            properties: {
              task_id: { type: 'string' },
              acknowledged: { type: 'boolean' },
              state: { type: 'string' },
              maxxi_identifiers: { type: 'object', additionalProperties: { type: 'string' } },
            },
          },
        },
      },
    },
    async (req) => {
      const b = req.body;
      const task = await loadTask(ctx, b.task_id);
      const ids: Record<string, string> = { ...(task.externalIds ?? {}), ...(b.identifiers ?? {}) };
      if (b.maxxi_id !== undefined) ids['maxxi_id'] = b.maxxi_id;
      await store.tasks.update(task.id, { externalIds: ids });
      const existing = await store.maxxi.get(task.id);
      await store.maxxi.upsert(task.id, {
        ...(existing === undefined ? { state: 'external' } : {}),
        externalState: b.state,
        ...(b.state === 'error' || b.state === 'rejected'
          ? { lastError: b.message ?? b.state }
          : {}),
      });
      await audit(
        store,
        req,
        'maxxi.status',
        { type: 'task', id: task.id },
        {
          state: b.state,
          ...(b.message !== undefined ? { message: b.message } : {}),
        },
      );
      return { task_id: task.id, acknowledged: true, state: b.state, maxxi_identifiers: ids };
    },
  );

  app.post<{
    Body: {
      path?: string;
      url?: string;
      maxxi_id?: string;
      identifiers?: Record<string, string>;
      processing_type?: string;
      priority?: number;
    };
  }>(
    '/api/maxxi/results',
    {
      preHandler: requireRole('archivist'),
      schema: {
        tags: ['maxxi'],
        summary: 'MAXXI submits a recording already in its archive storage (by reference)',
        description:
          '`path` (absolute) or `url` (`file://`) must resolve — symlinks included — inside ' +
          'MAXXI_ALLOWED_ROOTS. The result is delivered back as a package in MAXXI_OUTPUT_DIR and ' +
          'announced on MAXXI_CALLBACK_URL.',
        security: SECURITY,
        body: {
          type: 'object',
          properties: {
            path: { type: 'string', minLength: 1, maxLength: 4096 },
            url: { type: 'string', minLength: 1, maxLength: 4096 },
            maxxi_id: { type: 'string', maxLength: 512 },
            identifiers: identifiersSchema,
            processing_type: { type: 'string', enum: PROCESSING_TYPES, default: 'comprehensive' },
            priority: { type: 'integer', minimum: MIN_PRIORITY, maximum: MAX_PRIORITY, default: 0 },
          },
          oneOf: [{ required: ['path'] }, { required: ['url'] }],
          additionalProperties: false,
        },
        response: {
          202: {
            type: 'object',
            properties: {
              task_id: { type: 'string' },
              status: { type: 'string' },
              message: { type: 'string' },
            },
            required: ['task_id'],
          },
        },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const p = principalOf(req);
      const ref = (b.path ?? b.url)!;
      const src = await checkReference(ctx, ref);
      const ids: Record<string, string> = { ...(b.identifiers ?? {}) };
      if (b.maxxi_id !== undefined) ids['maxxi_id'] = b.maxxi_id;
      const task = await submitTask(store, queue, {
        processingType: b.processing_type ?? 'comprehensive',
        priority: b.priority ?? 0,
        sourcePath: src.path,
        originalName: src.path.split(sep).pop() ?? null,
        sizeBytes: src.size,
        mime: src.mime,
        submittedBy: actorOf(p),
        externalIds: ids,
      });
      await audit(
        store,
        req,
        'maxxi.submitted',
        { type: 'task', id: task.id },
        { path: src.path, ...ids },
      );
      return reply.code(202).send({
        task_id: task.id,
        status: 'queued',
        message: `Queued ${src.path} for ${task.processingType} analysis`,
      });
    },
  );
}
