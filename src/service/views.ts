/** JSON views of stored rows (field names fixed by CONTRACT.md) and their schemas. */
import { TASK_STATUSES, type Task } from '../store/types.js';

export const taskStatusSchema = {
  $id: 'TaskStatus',
  type: 'object',
  properties: {
    task_id: { type: 'string' },
    status: { type: 'string', enum: TASK_STATUSES },
    progress: { type: 'number', description: 'Percent done, 0–100' },
    processing_type: { type: 'string' },
    priority: { type: 'integer' },
    batch_id: { type: ['string', 'null'] },
    file_name: { type: ['string', 'null'] },
    size_bytes: { type: ['integer', 'null'] },
    sha256: { type: ['string', 'null'] },
    created_at: { type: 'string' },
    started_at: { type: ['string', 'null'] },
    completed_at: { type: ['string', 'null'] },
    processing_time: { type: ['number', 'null'], description: 'Seconds' },
    duration_sec: { type: ['number', 'null'] },
    attempts: { type: 'integer' },
    cached_from_task_id: { type: ['string', 'null'] },
    external_ids: { type: ['object', 'null'], additionalProperties: { type: 'string' } },
    error: {
      type: 'object',
      properties: { code: { type: 'string' }, message: { type: 'string' } },
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
  ],
} as const;

export function taskStatusView(t: Task): Record<string, unknown> {
  return {
    task_id: t.id,
    status: t.status,
    progress: t.status === 'completed' ? 100 : Math.round(t.progress * 1000) / 10,
    processing_type: t.processingType,
    priority: t.priority,
    batch_id: t.batchId,
    file_name: t.originalName,
    size_bytes: t.sizeBytes,
    sha256: t.sha256,
    created_at: t.createdAt,
    started_at: t.startedAt,
    completed_at: t.completedAt,
    processing_time: t.processingTimeSec,
    duration_sec: t.durationSec,
    attempts: t.attempts,
    cached_from_task_id: t.cachedFromTaskId,
    external_ids: t.externalIds,
    ...(t.errorCode !== null
      ? { error: { code: t.errorCode, message: t.errorMessage ?? t.errorCode } }
      : {}),
  };
}
