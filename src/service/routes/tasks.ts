/**
 * Submission and task endpoints: `POST /api/v1/process`, `POST /api/v1/batch/process`,
 * `GET /api/v1/status/{id}`, `GET /api/v1/results/{id}` (+ exports), `GET /api/v1/tasks`,
 * `PATCH|DELETE /api/v1/tasks/{id}`, `POST /api/v1/tasks/{id}/cancel`.
 */
import { randomUUID } from 'node:crypto';
import { sep } from 'node:path';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { describeNonAudio, sniffAudioFormat, SNIFF_HEAD_BYTES } from '../../audio/sniff.js';
import { SonoError } from '../../errors.js';
import { openAllowedFile, resolveAllowedPath } from '../../maxxi/allowed-roots.js';
import { EXPORTERS } from '../../metadata/exports/index.js';
import { renderOaiDc } from '../../metadata/oai-dc.js';
import type { Report } from '../../pipeline/report.js';
import { PROCESSING_TYPES } from '../../pipeline/stages.js';
import { TASK_STATUSES, type Task, type TaskStatus } from '../../store/types.js';
import { audit } from '../audit.js';
import { SECURITY, type RouteContext } from '../context.js';
import { principalOf, requireRole } from '../plugins/auth.js';
import { loadVersionedReport, type ReportVersion } from '../review.js';
import { actorOf } from '../principal.js';
import {
  MAX_PRIORITY,
  MIN_PRIORITY,
  submitTask,
  withdrawBatch,
  type Submission,
} from '../submissions.js';
import { discardUploads, receiveUpload, removeUpload, type StoredUpload } from '../uploads.js';
import {
  acceptedSchema,
  batchAcceptedSchema,
  exportListSchema,
  reportResponseSchema,
  taskListSchema,
  taskStatusSchema,
  type Accepted,
  type BatchAccepted,
  type ExportList,
  type TaskList,
} from '../schemas/tasks.js';
import { taskStatusView } from '../views.js';

/** `?version=machine` serves the machine result; the reviewed version is the default. */
const versionQuery = {
  type: 'object',
  properties: { version: { type: 'string', enum: ['reviewed', 'machine'], default: 'reviewed' } },
  additionalProperties: false,
} as const;

const taskIdParams = {
  type: 'object',
  properties: { task_id: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' } },
  required: ['task_id'],
} as const;

/** Parses the `processing_type` and `priority` form fields (strings in multipart). */
function parseSubmitFields(fields: Readonly<Record<string, string>>): {
  processingType: string;
  priority: number;
} {
  const processingType = fields['processing_type'] ?? 'comprehensive';
  if (!(PROCESSING_TYPES as readonly string[]).includes(processingType))
    throw new SonoError('SONO_ERR_VALIDATION', {
      detail: `processing_type must be one of ${PROCESSING_TYPES.join(', ')} (got "${processingType}")`,
    });
  const raw = fields['priority'] ?? '0';
  const priority = Number(raw);
  if (!/^-?\d+$/.test(raw.trim()) || priority < MIN_PRIORITY || priority > MAX_PRIORITY)
    throw new SonoError('SONO_ERR_VALIDATION', {
      detail: `priority must be an integer in [${MIN_PRIORITY}, ${MAX_PRIORITY}] (got "${raw}")`,
    });
  return { processingType, priority };
}

/**
 * Streams every `audio_file` part to disk and collects the other fields. All-or-nothing: on any
 * error the files stored so far are removed.
 */
async function receiveMultipart(
  req: FastifyRequest,
  ctx: RouteContext,
  maxFiles: number,
): Promise<{ uploads: StoredUpload[]; fields: Record<string, string> }> {
  if (!req.isMultipart())
    throw new SonoError('SONO_ERR_VALIDATION', {
      detail: 'expected multipart/form-data with audio_file',
    });
  const uploads: StoredUpload[] = [];
  const fields: Record<string, string> = {};
  try {
    const parts = req.parts({
      limits: {
        fileSize: ctx.config.maxUploadBytes,
        files: maxFiles,
        fields: 20,
        fieldSize: 4096,
        parts: maxFiles + 20,
      },
    });
    for await (const part of parts) {
      if (part.type === 'file') {
        if (part.fieldname !== 'audio_file') {
          part.file.resume();
          throw new SonoError('SONO_ERR_VALIDATION', {
            detail: `unexpected file field "${part.fieldname}" (use audio_file)`,
          });
        }
        const file = part.file;
        uploads.push(
          await receiveUpload(file, {
            uploadDir: ctx.config.uploadDir,
            originalName: part.filename,
            maxBytes: ctx.config.maxUploadBytes,
            isTruncated: () => file.truncated,
          }),
        );
      } else {
        fields[part.fieldname] = String(part.value);
      }
    }
  } catch (e) {
    await discardUploads(uploads);
    if (e instanceof SonoError || (e as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE')
      throw e;
    // Busboy/Dicer parse errors and aborted bodies are the client's fault, not ours.
    throw new SonoError('SONO_ERR_VALIDATION', {
      detail: `malformed multipart body: ${(e as Error).message}`,
    });
  }
  if (uploads.length === 0) {
    throw new SonoError('SONO_ERR_VALIDATION', { detail: 'no audio_file part in the request' });
  }
  return { uploads, fields };
}

/**
 * Commits the tasks of one submission, all or nothing: when the queue refuses one, those of the
 * same batch already committed are taken back (no task rows are left by a 503).
 */
async function commitTasks(
  ctx: RouteContext,
  batchId: string | null,
  submissions: readonly Submission[],
): Promise<Task[]> {
  const tasks: Task[] = [];
  try {
    for (const s of submissions) tasks.push(await submitTask(ctx.store, ctx.queue, s));
  } catch (e) {
    if (batchId !== null) await withdrawBatch(ctx.store, ctx.queue, batchId, tasks);
    throw e;
  }
  return tasks;
}

/** Commits tasks for stored uploads; on failure every upload of the submission is removed. */
async function commitUploads(
  ctx: RouteContext,
  req: FastifyRequest,
  uploads: readonly StoredUpload[],
  s: { processingType: string; priority: number; batchId: string | null },
): Promise<Task[]> {
  let tasks: Task[];
  try {
    tasks = await commitTasks(
      ctx,
      s.batchId,
      uploads.map((u) => ({
        id: u.id,
        batchId: s.batchId,
        processingType: s.processingType,
        priority: s.priority,
        sourcePath: u.path,
        originalName: u.originalName,
        sizeBytes: u.sizeBytes,
        sha256: u.sha256,
        mime: u.mime,
        submittedBy: actorOf(req.principal),
      })),
    );
  } catch (e) {
    await discardUploads(uploads);
    throw e;
  }
  for (const u of uploads) ctx.metrics.uploadBytes.inc(u.sizeBytes);
  return tasks;
}

/**
 * Validates a by-reference source (inside MAXXI_ALLOWED_ROOTS, a real audio file) and returns
 * its real path, MIME type and size, read from one descriptor opened inside the roots.
 */
export async function checkReference(
  ctx: RouteContext,
  ref: string,
): Promise<{ path: string; mime: string; size: number }> {
  const roots = ctx.config.maxxi.allowedRoots;
  const path = await resolveAllowedPath(ref, roots);
  const file = await openAllowedFile(path, roots);
  try {
    const size = file.sizeBytes;
    if (size === 0) throw new SonoError('SONO_ERR_EMPTY_FILE', { path });
    if (size > ctx.config.maxUploadBytes)
      throw new SonoError('SONO_ERR_PAYLOAD_TOO_LARGE', { limit: ctx.config.maxUploadBytes });
    const head = Buffer.alloc(SNIFF_HEAD_BYTES);
    const { bytesRead } = await file.handle.read(head, 0, SNIFF_HEAD_BYTES, 0);
    const r = sniffAudioFormat(head.subarray(0, bytesRead));
    if (r === null)
      throw new SonoError('SONO_ERR_NOT_AUDIO', {
        detected: describeNonAudio(head.subarray(0, bytesRead)) ?? 'unrecognised content',
        path,
      });
    return { path, mime: r.mime, size };
  } finally {
    await file.close();
  }
}

const batchJsonSchema = z.object({
  paths: z.array(z.string().min(1).max(4096)).min(1).max(1000),
  processing_type: z.enum(PROCESSING_TYPES as [string, ...string[]]).default('comprehensive'),
  priority: z.number().int().min(MIN_PRIORITY).max(MAX_PRIORITY).default(0),
  label: z.string().max(256).optional(),
});

function zodDetail(e: z.ZodError): string {
  return e.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
}

export async function loadTask(ctx: RouteContext, id: string): Promise<Task> {
  const t = await ctx.store.tasks.get(id);
  if (t === undefined) throw new SonoError('SONO_ERR_NOT_FOUND', { what: 'Task', id });
  return t;
}

/**
 * The report of a completed task, with `task_id` set to this task (cached results carry another):
 * the reviewed version (corrections replayed) unless `version` is `machine`.
 */
export async function loadReport(
  ctx: RouteContext,
  task: Task,
  version: ReportVersion = 'reviewed',
): Promise<Report> {
  return loadVersionedReport(ctx.store, task, version);
}

/** Built-in exports beside the registry's: the oai_dc record and the report itself. */
function exportCatalogue(
  report: Report,
): { id: string; mediaType: string; fileSuffix: string; render: () => string }[] {
  const dc = report.results.metadata_generation.dublin_core ?? {};
  return [
    {
      id: 'dublin-core-xml',
      mediaType: 'application/xml',
      fileSuffix: '.dc.xml',
      render: () => renderOaiDc(dc),
    },
    {
      id: 'dublin-core-json',
      mediaType: 'application/json',
      fileSuffix: '.dc.json',
      render: () => `${JSON.stringify(dc, null, 2)}\n`,
    },
    ...EXPORTERS.filter((e) => e.applies(report)).map((e) => ({
      id: e.id,
      mediaType: e.mimeType ?? 'text/plain',
      fileSuffix: e.fileSuffix,
      render: () => e.render(report),
    })),
  ];
}

export function registerTaskRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { store, queue } = ctx;
  const archivist = requireRole('archivist');
  const viewer = requireRole('viewer');

  app.post(
    '/api/v1/process',
    {
      preHandler: archivist,
      schema: {
        tags: ['tasks'],
        summary: 'Submit one recording (multipart: audio_file, processing_type, priority)',
        description:
          'multipart/form-data fields: `audio_file` (the recording; checked by content), ' +
          '`processing_type` (comprehensive | technical | speech | music; default comprehensive), ' +
          '`priority` (integer, higher runs first; default 0). The upload is durable and queued ' +
          'before 202 is returned.',
        consumes: ['multipart/form-data'],
        security: SECURITY,
        response: { 202: acceptedSchema },
      },
    },
    async (req, reply) => {
      const { uploads, fields } = await receiveMultipart(req, ctx, 1);
      let parsed: ReturnType<typeof parseSubmitFields>;
      try {
        parsed = parseSubmitFields(fields);
      } catch (e) {
        await discardUploads(uploads);
        throw e;
      }
      const [task] = await commitUploads(ctx, req, uploads, { ...parsed, batchId: null });
      const u = uploads[0]!;
      await audit(
        store,
        req,
        'task.submitted',
        { type: 'task', id: task!.id },
        {
          file_name: u.originalName,
          sha256: u.sha256,
          size_bytes: u.sizeBytes,
          processing_type: parsed.processingType,
        },
      );
      return reply.code(202).send({
        task_id: task!.id,
        status: 'queued',
        message: `Accepted ${u.originalName} (${u.sizeBytes} bytes) for ${parsed.processingType} analysis`,
        sha256: u.sha256,
        size_bytes: u.sizeBytes,
      } satisfies Accepted);
    },
  );

  app.post(
    '/api/v1/batch/process',
    {
      preHandler: archivist,
      bodyLimit: 1024 * 1024,
      schema: {
        tags: ['tasks'],
        summary: 'Submit many recordings: several audio_file parts, or JSON server-side paths',
        description:
          'multipart/form-data with several `audio_file` parts (+ `processing_type`, `priority`, ' +
          '`label`), or JSON `{paths: [...], processing_type?, priority?, label?}` for trusted ' +
          'integrations (admin or API key): every path must lie inside MAXXI_ALLOWED_ROOTS. ' +
          'All-or-nothing: one bad file rejects the batch.',
        consumes: ['multipart/form-data', 'application/json'],
        security: SECURITY,
        response: { 202: batchAcceptedSchema },
      },
    },
    async (req, reply) => {
      const p = principalOf(req);
      const batchId = randomUUID();
      let tasks: Task[];
      let processingType: string;
      let label: string | undefined;
      if (req.isMultipart()) {
        const { uploads, fields } = await receiveMultipart(req, ctx, 1000);
        let parsed: ReturnType<typeof parseSubmitFields>;
        try {
          parsed = parseSubmitFields(fields);
        } catch (e) {
          await discardUploads(uploads);
          throw e;
        }
        processingType = parsed.processingType;
        label = fields['label'];
        await store.batches.create({
          id: batchId,
          submittedBy: actorOf(p),
          processingType,
          taskCount: uploads.length,
          label: label ?? null,
        });
        tasks = await commitUploads(ctx, req, uploads, { ...parsed, batchId });
      } else {
        if (p.kind !== 'api_key' && p.role !== 'admin')
          throw new SonoError('SONO_ERR_FORBIDDEN', {
            detail: 'submission by server-side path is for API keys and admins',
          });
        const body = batchJsonSchema.safeParse(req.body ?? {});
        if (!body.success)
          throw new SonoError('SONO_ERR_VALIDATION', { detail: zodDetail(body.error) });
        processingType = body.data.processing_type;
        label = body.data.label;
        // Check every path before creating anything (all-or-nothing).
        const refs = [];
        for (const ref of body.data.paths) refs.push(await checkReference(ctx, ref));
        await store.batches.create({
          id: batchId,
          submittedBy: actorOf(p),
          processingType,
          taskCount: refs.length,
          label: label ?? null,
        });
        tasks = await commitTasks(
          ctx,
          batchId,
          refs.map((r) => ({
            batchId,
            processingType,
            priority: body.data.priority,
            sourcePath: r.path,
            originalName: r.path.split(sep).pop() ?? null,
            sizeBytes: r.size,
            mime: r.mime,
            submittedBy: actorOf(p),
          })),
        );
      }
      await audit(
        store,
        req,
        'batch.submitted',
        { type: 'batch', id: batchId },
        {
          task_count: tasks.length,
          processing_type: processingType,
          ...(label !== undefined ? { label } : {}),
        },
      );
      return reply.code(202).send({
        batch_id: batchId,
        task_ids: tasks.map((t) => t.id),
        status: 'queued',
      } satisfies BatchAccepted);
    },
  );

  app.get<{ Params: { task_id: string } }>(
    '/api/v1/status/:task_id',
    {
      preHandler: viewer,
      schema: {
        tags: ['tasks'],
        summary: 'Task state and progress',
        security: SECURITY,
        params: taskIdParams,
        response: { 200: taskStatusSchema },
      },
    },
    async (req) => taskStatusView(await loadTask(ctx, req.params.task_id)),
  );

  app.get<{ Params: { task_id: string }; Querystring: { version?: ReportVersion } }>(
    '/api/v1/results/:task_id',
    {
      preHandler: viewer,
      schema: {
        tags: ['tasks'],
        summary:
          'The analysis report (docs/schema/report.schema.json), reviewed version by default',
        security: SECURITY,
        params: taskIdParams,
        querystring: versionQuery,
        response: { 200: reportResponseSchema },
      },
    },
    async (req, reply) => {
      const report = await loadReport(
        ctx,
        await loadTask(ctx, req.params.task_id),
        req.query.version,
      );
      // Already a plain JSON document: skip the response serializer.
      return reply.type('application/json').send(JSON.stringify(report));
    },
  );

  app.get<{ Params: { task_id: string } }>(
    '/api/v1/results/:task_id/exports',
    {
      preHandler: viewer,
      schema: {
        tags: ['exports'],
        summary: 'Exports available for a completed task',
        security: SECURITY,
        params: taskIdParams,
        response: { 200: exportListSchema },
      },
    },
    async (req): Promise<ExportList> => {
      const task = await loadTask(ctx, req.params.task_id);
      const report = await loadReport(ctx, task);
      return {
        task_id: task.id,
        exports: exportCatalogue(report).map((e) => ({
          id: e.id,
          media_type: e.mediaType,
          url: `/api/v1/results/${task.id}/exports/${e.id}`,
        })),
      };
    },
  );

  app.get<{
    Params: { task_id: string; export_id: string };
    Querystring: { version?: ReportVersion };
  }>(
    '/api/v1/results/:task_id/exports/:export_id',
    {
      preHandler: archivist,
      schema: {
        tags: ['exports'],
        summary: 'One export (oai_dc XML, Dublin Core JSON, segments CSV, RTTM, WebVTT, …)',
        security: SECURITY,
        querystring: versionQuery,
        params: {
          type: 'object',
          properties: {
            ...taskIdParams.properties,
            export_id: { type: 'string', pattern: '^[a-z0-9-]{1,64}$' },
          },
          required: ['task_id', 'export_id'],
        },
        produces: ['application/xml', 'application/json', 'text/plain', 'text/csv'],
      },
    },
    async (req, reply) => {
      const task = await loadTask(ctx, req.params.task_id);
      const report = await loadReport(ctx, task, req.query.version);
      const ex = exportCatalogue(report).find((e) => e.id === req.params.export_id);
      if (ex === undefined)
        throw new SonoError('SONO_ERR_NOT_FOUND', {
          what: 'Export',
          id: `${req.params.export_id} (for task ${task.id})`,
        });
      const body = ex.render();
      await audit(store, req, 'task.exported', { type: 'task', id: task.id }, { export_id: ex.id });
      const base = (task.originalName ?? task.id).replace(/["\\\r\n]/g, '_');
      return reply
        .type(`${ex.mediaType}; charset=utf-8`)
        .header('content-disposition', `attachment; filename="${base}${ex.fileSuffix}"`)
        .send(body);
    },
  );

  app.get<{
    Querystring: {
      status?: string;
      processing_type?: string;
      batch_id?: string;
      submitted_by?: string;
      created_from?: string;
      created_to?: string;
      limit?: number;
      cursor?: string;
    };
  }>(
    '/api/v1/tasks',
    {
      preHandler: viewer,
      schema: {
        tags: ['tasks'],
        summary: 'List tasks, newest first (filter, paginate with next_cursor)',
        security: SECURITY,
        querystring: {
          type: 'object',
          properties: {
            status: {
              type: 'string',
              description: `Comma-separated: ${TASK_STATUSES.join(', ')}`,
              maxLength: 100,
            },
            processing_type: { type: 'string', enum: PROCESSING_TYPES },
            batch_id: { type: 'string', maxLength: 64 },
            submitted_by: { type: 'string', maxLength: 128 },
            created_from: { type: 'string', format: 'date-time' },
            created_to: { type: 'string', format: 'date-time' },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 50 },
            cursor: { type: 'string', maxLength: 512 },
          },
          additionalProperties: false,
        },
        response: { 200: taskListSchema },
      },
    },
    async (req): Promise<TaskList> => {
      const q = req.query;
      let status: TaskStatus[] | undefined;
      if (q.status !== undefined) {
        status = q.status.split(',').map((s) => s.trim()) as TaskStatus[];
        const bad = status.filter((s) => !TASK_STATUSES.includes(s));
        if (bad.length > 0)
          throw new SonoError('SONO_ERR_VALIDATION', {
            detail: `status must be among ${TASK_STATUSES.join(', ')} (got ${bad.join(', ')})`,
          });
      }
      const page = await store.tasks.list({
        status,
        processingType: q.processing_type,
        batchId: q.batch_id,
        submittedBy: q.submitted_by,
        createdFrom:
          q.created_from === undefined ? undefined : new Date(q.created_from).toISOString(),
        createdTo: q.created_to === undefined ? undefined : new Date(q.created_to).toISOString(),
        limit: q.limit,
        cursor: q.cursor,
      });
      return { items: page.items.map(taskStatusView), next_cursor: page.nextCursor };
    },
  );

  const cancelHandler = async (req: FastifyRequest<{ Params: { task_id: string } }>) => {
    const task = await loadTask(ctx, req.params.task_id);
    if (!(await store.tasks.markCancelled(task.id)))
      throw new SonoError('SONO_ERR_CONFLICT', {
        detail: `task ${task.id} is already ${task.status}`,
      });
    await queue.cancel(task.id).catch((e: unknown) => {
      // The row says cancelled, so a worker that picks the job up will skip it.
      req.log.warn({ err: e, taskId: task.id }, 'queue cancel failed');
    });
    await audit(store, req, 'task.cancelled', { type: 'task', id: task.id });
    return taskStatusView(await loadTask(ctx, task.id));
  };
  app.post<{ Params: { task_id: string } }>(
    '/api/v1/tasks/:task_id/cancel',
    {
      preHandler: archivist,
      schema: {
        tags: ['tasks'],
        summary: 'Cancel a queued or running task',
        security: SECURITY,
        params: taskIdParams,
        response: { 200: taskStatusSchema },
      },
    },
    cancelHandler,
  );

  app.patch<{
    Params: { task_id: string };
    Body: { external_ids?: Record<string, string> | null; priority?: number };
  }>(
    '/api/v1/tasks/:task_id',
    {
      preHandler: archivist,
      schema: {
        tags: ['tasks'],
        summary: 'Edit a task’s external identifiers or priority',
        security: SECURITY,
        params: taskIdParams,
        body: {
          type: 'object',
          properties: {
            external_ids: {
              type: ['object', 'null'],
              additionalProperties: { type: 'string', maxLength: 512 },
              maxProperties: 32,
            },
            priority: { type: 'integer', minimum: MIN_PRIORITY, maximum: MAX_PRIORITY },
          },
          additionalProperties: false,
          minProperties: 1,
        },
        response: { 200: taskStatusSchema },
      },
    },
    async (req) => {
      const before = await loadTask(ctx, req.params.task_id);
      const t = await store.tasks.update(before.id, {
        ...(req.body.external_ids !== undefined ? { externalIds: req.body.external_ids } : {}),
        ...(req.body.priority !== undefined ? { priority: req.body.priority } : {}),
      });
      if (t === undefined)
        throw new SonoError('SONO_ERR_NOT_FOUND', { what: 'Task', id: before.id });
      await audit(store, req, 'task.edited', { type: 'task', id: t.id }, { ...req.body });
      return taskStatusView(t);
    },
  );

  app.delete<{ Params: { task_id: string } }>(
    '/api/v1/tasks/:task_id',
    {
      preHandler: requireRole('admin'),
      schema: {
        tags: ['tasks'],
        summary: 'Delete a task (cancelling it first) and its uploaded file',
        security: SECURITY,
        params: taskIdParams,
      },
    },
    async (req, reply) => {
      const task = await loadTask(ctx, req.params.task_id);
      if (task.status === 'queued' || task.status === 'processing') {
        await store.tasks.markCancelled(task.id);
        await queue.cancel(task.id).catch(() => false);
      }
      await store.tasks.delete(task.id);
      // Only files we stored; by-reference sources belong to their archive.
      if (task.sourcePath.startsWith(ctx.config.uploadDir + sep))
        await removeUpload(task.sourcePath);
      await audit(
        store,
        req,
        'task.deleted',
        { type: 'task', id: task.id },
        {
          file_name: task.originalName,
          sha256: task.sha256,
        },
      );
      return reply.code(204).send();
    },
  );
}
