/**
 * Review endpoints (issue 11), used by the web page and by integrators alike:
 * `GET /api/v1/collection`, `GET /api/v1/review/queue`, `GET /api/v1/review/accuracy`,
 * `GET /api/v1/review/labels.csv`, `GET /api/v1/results/{id}/peaks`,
 * `GET /api/v1/tasks/{id}/audio` (HTTP range requests), `GET|POST /api/v1/results/{id}/corrections`.
 */
import { basename, dirname } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { SonoError } from '../../errors.js';
import { REVIEW_REASONS, type ReviewReason } from '../../metadata/review/index.js';
import {
  TASK_STATUSES,
  type CollectionItem as StoredCollectionItem,
  type CollectionSort,
  type TaskStatus,
} from '../../store/types.js';
import { SECURITY, type RouteContext } from '../context.js';
import { requireRole } from '../plugins/auth.js';
import {
  accuracySchema,
  audioUrlSchema,
  collectionPageSchema,
  correctionBodySchema,
  correctionsSchema,
  reviewQueueSchema,
  type AudioUrl,
  type CorrectionBody,
  type CollectionItem,
  type CollectionPage,
  type Corrections,
  type ReviewQueue,
} from '../schemas/review.js';
import {
  addCorrection,
  buildLabelsCsv,
  computeAccuracy,
  AUDIO_URL_TTL_SEC,
  correctionView,
  loadMachineReport,
  signAudioUrl,
  verifyAudioSignature,
  syncSummaries,
} from '../review.js';
import { taskStatusView } from '../views.js';
import { loadTask } from './tasks.js';

const taskIdParams = {
  type: 'object',
  properties: { task_id: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' } },
  required: ['task_id'],
} as const;

const pageProperties = {
  limit: { type: 'integer', minimum: 1, maximum: 1000, default: 50 },
  offset: { type: 'integer', minimum: 0, default: 0 },
} as const;

function itemView({ task, review }: StoredCollectionItem): CollectionItem {
  return {
    ...taskStatusView(task),
    category: review?.category ?? null,
    category_uncertain: review === null ? null : review.categoryUncertain,
    qc_verdict: review?.qcVerdict ?? null,
    speakers: review?.speakers ?? null,
    reviewed: review?.reviewed ?? false,
    reviewed_by: review?.reviewedBy ?? null,
    version: review?.version ?? 0,
    reasons: [...(review?.reasons ?? [])],
    priority_score: review?.priorityScore ?? 0,
  };
}

export function registerReviewRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { store } = ctx;
  const viewer = requireRole('viewer');
  const archivist = requireRole('archivist');

  app.get<{
    Querystring: {
      q?: string;
      status?: string;
      category?: string;
      qc_verdict?: string;
      reviewed?: boolean;
      uncertain?: boolean;
      batch_id?: string;
      sort?: CollectionSort;
      order?: 'asc' | 'desc';
      limit?: number;
      offset?: number;
    };
  }>(
    '/api/v1/collection',
    {
      preHandler: viewer,
      schema: {
        tags: ['review'],
        summary: 'Every task with its review summary: search, filter, sort and page on the server',
        security: SECURITY,
        querystring: {
          type: 'object',
          properties: {
            q: { type: 'string', maxLength: 200, description: 'Substring of the file name' },
            status: { type: 'string', maxLength: 100, description: 'Comma-separated statuses' },
            category: { type: 'string', maxLength: 100 },
            qc_verdict: { type: 'string', enum: ['pass', 'warn', 'fail'] },
            reviewed: { type: 'boolean' },
            uncertain: { type: 'boolean' },
            batch_id: { type: 'string', maxLength: 64 },
            sort: {
              type: 'string',
              enum: ['created_at', 'file_name', 'duration', 'status', 'category'],
            },
            order: { type: 'string', enum: ['asc', 'desc'] },
            ...pageProperties,
          },
          additionalProperties: false,
        },
        response: { 200: collectionPageSchema },
      },
    },
    async (req): Promise<CollectionPage> => {
      await syncSummaries(store);
      const q = req.query;
      let status: TaskStatus[] | undefined;
      if (q.status !== undefined && q.status !== '') {
        status = q.status.split(',').map((s) => s.trim()) as TaskStatus[];
        const bad = status.filter((s) => !TASK_STATUSES.includes(s));
        if (bad.length > 0)
          throw new SonoError('SONO_ERR_VALIDATION', {
            detail: `status must be among ${TASK_STATUSES.join(', ')} (got ${bad.join(', ')})`,
          });
      }
      const page = await store.reviews.listCollection({
        ...(q.q !== undefined ? { search: q.q } : {}),
        ...(status !== undefined ? { status } : {}),
        ...(q.category !== undefined ? { category: q.category } : {}),
        ...(q.qc_verdict !== undefined ? { qcVerdict: q.qc_verdict } : {}),
        ...(q.reviewed !== undefined ? { reviewed: q.reviewed } : {}),
        ...(q.uncertain !== undefined ? { uncertain: q.uncertain } : {}),
        ...(q.batch_id !== undefined ? { batchId: q.batch_id } : {}),
        ...(q.sort !== undefined ? { sort: q.sort } : {}),
        ...(q.order !== undefined ? { order: q.order } : {}),
        limit: q.limit ?? 50,
        offset: q.offset ?? 0,
      });
      return {
        items: page.items.map(itemView),
        total: page.total,
        offset: q.offset ?? 0,
        limit: q.limit ?? 50,
        by_status: await store.tasks.countByStatus(),
        by_category: await store.reviews.countCategories(),
      };
    },
  );

  app.get<{ Querystring: { reason?: ReviewReason; limit?: number; offset?: number } }>(
    '/api/v1/review/queue',
    {
      preHandler: viewer,
      schema: {
        tags: ['review'],
        summary:
          'Unreviewed recordings ranked by what most needs a person, with a count per reason',
        security: SECURITY,
        querystring: {
          type: 'object',
          properties: {
            reason: { type: 'string', enum: Object.keys(REVIEW_REASONS) },
            ...pageProperties,
          },
          additionalProperties: false,
        },
        response: { 200: reviewQueueSchema },
      },
    },
    async (req): Promise<ReviewQueue> => {
      await syncSummaries(store);
      const page = await store.reviews.listQueue({
        ...(req.query.reason !== undefined ? { reason: req.query.reason } : {}),
        limit: req.query.limit ?? 50,
        offset: req.query.offset ?? 0,
      });
      const counts = await store.reviews.countReasons();
      return {
        items: page.items.map(itemView),
        total: page.total,
        reasons: Object.entries(REVIEW_REASONS).map(([reason, r]) => ({
          reason,
          label: r.label,
          weight: r.weight,
          count: counts[reason] ?? 0,
        })),
      };
    },
  );

  app.get(
    '/api/v1/review/accuracy',
    {
      preHandler: viewer,
      schema: {
        tags: ['review'],
        summary: 'Per analyzer, how much reviewers changed (the machine’s measured accuracy here)',
        security: SECURITY,
        response: { 200: accuracySchema },
      },
    },
    async () => computeAccuracy(store),
  );

  app.get(
    '/api/v1/review/labels.csv',
    {
      preHandler: archivist,
      schema: {
        tags: ['review'],
        summary:
          'Approved recordings and their reviewed category, as a labels CSV for `sonoteca train`',
        security: SECURITY,
        produces: ['text/csv'],
      },
    },
    async (_req, reply) =>
      reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="reviewed-labels.csv"')
        .send(await buildLabelsCsv(store)),
  );

  app.get<{ Params: { task_id: string } }>(
    '/api/v1/results/:task_id/peaks',
    {
      preHandler: viewer,
      schema: {
        tags: ['review'],
        summary:
          'Waveform peaks and spectrogram (results.waveform; docs/schema/sections/waveform.schema.json)',
        security: SECURITY,
        params: taskIdParams,
      },
    },
    async (req, reply) => {
      const task = await loadTask(ctx, req.params.task_id);
      const report = await loadMachineReport(store, task);
      const w = (report.results as unknown as Record<string, { status?: string } | undefined>)[
        'waveform'
      ];
      if (w === undefined || w.status !== 'ok')
        throw new SonoError('SONO_ERR_NOT_FOUND', {
          what: 'Waveform peaks',
          id: `${task.id} (analysed before peaks existed: re-submit it)`,
        });
      return reply
        .type('application/json')
        .header('cache-control', 'private, max-age=3600')
        .send(JSON.stringify({ task_id: task.id, ...w }));
    },
  );

  app.post<{ Params: { task_id: string } }>(
    '/api/v1/tasks/:task_id/audio-url',
    {
      preHandler: viewer,
      schema: {
        tags: ['review'],
        summary: 'A signed URL (valid one hour) to play the recording where no header can be sent',
        security: SECURITY,
        params: taskIdParams,
        response: { 200: audioUrlSchema },
      },
    },
    async (req): Promise<AudioUrl> => {
      const task = await loadTask(ctx, req.params.task_id);
      return { url: signAudioUrl(ctx.config.secretKey, task.id), expires_in: AUDIO_URL_TTL_SEC };
    },
  );

  app.get<{ Params: { task_id: string }; Querystring: { exp?: number; sig?: string } }>(
    '/api/v1/tasks/:task_id/audio',
    {
      // A valid signature (from POST …/audio-url) stands in for the bearer token.
      preHandler: async (req, reply) => {
        const { exp, sig } = req.query;
        if (exp !== undefined && sig !== undefined) {
          if (verifyAudioSignature(ctx.config.secretKey, req.params.task_id, exp, sig)) return;
          throw new SonoError('SONO_ERR_UNAUTHORIZED', { detail: 'expired or invalid audio URL' });
        }
        await viewer.call(app, req, reply);
      },
      schema: {
        tags: ['review'],
        summary: 'The stored recording, streamed with HTTP range requests (for listening)',
        security: SECURITY,
        params: taskIdParams,
        querystring: {
          type: 'object',
          properties: {
            exp: { type: 'integer' },
            sig: { type: 'string', maxLength: 128 },
          },
          additionalProperties: false,
        },
        produces: ['audio/*'],
      },
    },
    async (req, reply) => {
      const task = await loadTask(ctx, req.params.task_id);
      reply.type(task.mime ?? 'application/octet-stream');
      // @fastify/send answers Range / If-Range / conditional requests (206, 416) for us.
      return reply.sendFile(basename(task.sourcePath), dirname(task.sourcePath), {
        contentType: false,
        cacheControl: false,
        dotfiles: 'allow',
      });
    },
  );

  app.get<{ Params: { task_id: string } }>(
    '/api/v1/results/:task_id/corrections',
    {
      preHandler: viewer,
      schema: {
        tags: ['review'],
        summary:
          'Every stored version of a result: who corrected what, when (version 0 is the machine’s)',
        security: SECURITY,
        params: taskIdParams,
        response: { 200: correctionsSchema },
      },
    },
    async (req): Promise<Corrections> => {
      const task = await loadTask(ctx, req.params.task_id);
      const list = await store.reviews.listCorrections(task.id);
      const summary = await store.reviews.getSummary(task.id);
      return {
        task_id: task.id,
        version: list.at(-1)?.version ?? 0,
        approved: summary?.reviewed ?? false,
        versions: list.map(correctionView),
      };
    },
  );

  app.post<{
    Params: { task_id: string };
    Body: CorrectionBody;
  }>(
    '/api/v1/results/:task_id/corrections',
    {
      preHandler: archivist,
      schema: {
        tags: ['review'],
        summary: 'Store one correction as a new version of the result (audit-logged)',
        description:
          '`correction.type`: move_boundary, relabel_segment, split_segment, rename_speaker, ' +
          'merge_speakers, set_dublin_core, set_category, approve. `base_version`: the version ' +
          'the edit was made on (409 when another edit came first).',
        security: SECURITY,
        params: taskIdParams,
        body: correctionBodySchema,
      },
    },
    async (req, reply) => {
      const task = await loadTask(ctx, req.params.task_id);
      const { correction, report } = await addCorrection(
        store,
        req,
        task,
        req.body.correction,
        req.body.base_version,
      );
      return reply.code(201).send({
        task_id: task.id,
        ...correctionView(correction),
        review: (report as unknown as { review?: unknown }).review ?? null,
      });
    },
  );
}
