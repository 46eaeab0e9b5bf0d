/** JSON views of stored rows (field names fixed by CONTRACT.md; schemas in schemas/). */
import type { Task } from '../store/types.js';
import type { TaskStatusView } from './schemas/tasks.js';

export function taskStatusView(t: Task): TaskStatusView {
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
