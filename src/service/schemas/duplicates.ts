/**
 * Response schema of `GET /api/v1/tasks/{id}/duplicates` (routes/duplicates.ts), declared once;
 * docs/schema/duplicates.schema.json describes the same pair (see schemas/tasks.ts).
 */
import type { FromSchema } from 'json-schema-to-ts';

/** One pair: this recording (`a`) and another (`b`) that share audio. */
export const duplicatePairSchema = {
  type: 'object',
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
  required: [
    'a',
    'b',
    'kind',
    'offset_a_sec',
    'offset_b_sec',
    'duration_sec',
    'speed_ratio',
    'score',
    'b_task_id',
    'b_file_name',
  ],
  additionalProperties: false,
} as const;

export const taskDuplicatesSchema = {
  type: 'object',
  properties: {
    schema_version: { type: 'string' },
    task_id: { type: 'string' },
    pairs: { type: 'array', items: duplicatePairSchema },
  },
  required: ['schema_version', 'task_id', 'pairs'],
  additionalProperties: false,
} as const;
export type TaskDuplicatesView = FromSchema<typeof taskDuplicatesSchema>;
