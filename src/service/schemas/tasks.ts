/**
 * Response schemas of the task routes (routes/tasks.ts), declared once: Fastify serialises with
 * them and the OpenAPI document shows them; the types are derived from them (`FromSchema`), for
 * the handlers and for the web page (`import type`), so no client copies a shape by hand.
 *
 * `required` lists what the handler always sends; the serialiser writes required properties
 * first, so `properties` are ordered as they go on the wire.
 */
import type { FromSchema } from 'json-schema-to-ts';
import type { ReviewInfo } from '../../metadata/review/corrections.js';
import type { Report } from '../../report/index.js';
import { TASK_STATUSES } from '../../store/types.js';

/** One task's state (`GET /api/v1/status/{id}`, the items of `GET /api/v1/tasks`, …). */
export const taskStatusSchema = {
  $id: 'TaskStatus',
  type: 'object',
  properties: {
    task_id: { type: 'string' },
    status: { type: 'string', enum: TASK_STATUSES },
    progress: { type: 'number', description: 'Percent done, 0–100' },
    created_at: { type: 'string' },
    started_at: { type: ['string', 'null'] },
    completed_at: { type: ['string', 'null'] },
    processing_time: { type: ['number', 'null'], description: 'Seconds' },
    processing_type: { type: 'string' },
    priority: { type: 'integer' },
    batch_id: { type: ['string', 'null'] },
    file_name: { type: ['string', 'null'] },
    size_bytes: { type: ['integer', 'null'] },
    sha256: { type: ['string', 'null'] },
    duration_sec: { type: ['number', 'null'] },
    attempts: { type: 'integer' },
    cached_from_task_id: { type: ['string', 'null'] },
    external_ids: { type: ['object', 'null'], additionalProperties: { type: 'string' } },
    error: {
      type: 'object',
      properties: { code: { type: 'string' }, message: { type: 'string' } },
      required: ['code', 'message'],
      additionalProperties: false,
    },
  },
  required: [
    'task_id',
    'status',
    'progress',
    'created_at',
    'started_at',
    'completed_at',
    'processing_time',
    'processing_type',
    'priority',
    'batch_id',
    'file_name',
    'size_bytes',
    'sha256',
    'duration_sec',
    'attempts',
    'cached_from_task_id',
    'external_ids',
  ],
  additionalProperties: false,
} as const;
export type TaskStatusView = FromSchema<typeof taskStatusSchema>;

/** `POST /api/v1/process` (202). */
export const acceptedSchema = {
  type: 'object',
  properties: {
    task_id: { type: 'string' },
    status: { type: 'string' },
    message: { type: 'string' },
    sha256: { type: 'string' },
    size_bytes: { type: 'integer' },
  },
  required: ['task_id', 'status', 'message', 'sha256', 'size_bytes'],
  additionalProperties: false,
} as const;
export type Accepted = FromSchema<typeof acceptedSchema>;

/** `POST /api/v1/batch/process` (202). */
export const batchAcceptedSchema = {
  type: 'object',
  properties: {
    batch_id: { type: 'string' },
    task_ids: { type: 'array', items: { type: 'string' } },
    status: { type: 'string' },
  },
  required: ['batch_id', 'task_ids', 'status'],
  additionalProperties: false,
} as const;
export type BatchAccepted = FromSchema<typeof batchAcceptedSchema>;

/** `GET /api/v1/tasks`. */
export const taskListSchema = {
  type: 'object',
  properties: {
    items: { type: 'array', items: taskStatusSchema },
    next_cursor: { type: ['string', 'null'] },
  },
  required: ['items', 'next_cursor'],
  additionalProperties: false,
} as const;
export type TaskList = FromSchema<typeof taskListSchema>;

/**
 * `GET /api/v1/results/{id}`: the report, sent as stored (no serialiser runs on it), so the schema
 * only names what every version has; docs/schema/report.schema.json describes the rest.
 */
export const reportResponseSchema = {
  type: 'object',
  additionalProperties: true,
  properties: { task_id: { type: 'string' }, schema_version: { type: 'string' } },
} as const;
/**
 * The served report, typed from src/report (FromSchema would need report.schema.json and its
 * section schemas copied as TypeScript literals: a second source). The reviewed version carries
 * its review state.
 */
export type ServedReport = Report & { readonly review?: ReviewInfo };

/** `GET /api/v1/results/{id}/exports`. */
export const exportListSchema = {
  type: 'object',
  properties: {
    task_id: { type: 'string' },
    exports: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          media_type: { type: 'string' },
          url: { type: 'string' },
        },
        required: ['id', 'media_type', 'url'],
        additionalProperties: false,
      },
    },
  },
  required: ['task_id', 'exports'],
  additionalProperties: false,
} as const;
export type ExportList = FromSchema<typeof exportListSchema>;
