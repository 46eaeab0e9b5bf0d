/**
 * Response schemas of the review routes (routes/review.ts), declared once; the types are derived
 * from them for the handlers and the web page (see schemas/tasks.ts for the conventions).
 */
import type { FromSchema } from 'json-schema-to-ts';
import type { WaveformSection } from '../../analysis/waveform/waveform-analyzer.js';
import { taskStatusSchema } from './tasks.js';

/** A task status with its review summary: one row of the collection and of the review queue. */
export const collectionItemSchema = {
  type: 'object',
  properties: {
    ...taskStatusSchema.properties,
    category: { type: ['string', 'null'] },
    category_uncertain: { type: ['boolean', 'null'] },
    qc_verdict: { type: ['string', 'null'] },
    speakers: { type: ['integer', 'null'] },
    reviewed: { type: 'boolean' },
    reviewed_by: { type: ['string', 'null'] },
    version: { type: 'integer' },
    reasons: { type: 'array', items: { type: 'string' } },
    priority_score: { type: 'number' },
  },
  required: [
    ...taskStatusSchema.required,
    'category',
    'category_uncertain',
    'qc_verdict',
    'speakers',
    'reviewed',
    'reviewed_by',
    'version',
    'reasons',
    'priority_score',
  ],
  additionalProperties: false,
} as const;
export type CollectionItem = FromSchema<typeof collectionItemSchema>;

/** `GET /api/v1/collection`. */
export const collectionPageSchema = {
  type: 'object',
  properties: {
    items: { type: 'array', items: collectionItemSchema },
    total: { type: 'integer' },
    offset: { type: 'integer' },
    limit: { type: 'integer' },
    by_status: { type: 'object', additionalProperties: { type: 'integer' } },
    by_category: { type: 'object', additionalProperties: { type: 'integer' } },
  },
  required: ['items', 'total', 'offset', 'limit', 'by_status', 'by_category'],
  additionalProperties: false,
} as const;
export type CollectionPage = FromSchema<typeof collectionPageSchema>;

/** `GET /api/v1/review/queue`. */
export const reviewQueueSchema = {
  type: 'object',
  properties: {
    items: { type: 'array', items: collectionItemSchema },
    total: { type: 'integer' },
    reasons: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          reason: { type: 'string' },
          label: { type: 'string' },
          weight: { type: 'number' },
          count: { type: 'integer' },
        },
        required: ['reason', 'label', 'weight', 'count'],
        additionalProperties: false,
      },
    },
  },
  required: ['items', 'total', 'reasons'],
  additionalProperties: false,
} as const;
export type ReviewQueue = FromSchema<typeof reviewQueueSchema>;

/**
 * `GET /api/v1/review/accuracy`: per analyzer, what reviewers changed. Each analyzer's figures
 * are its own (counts, rates, `{from→to: n}` maps), so only `analyzer` is fixed.
 */
export const accuracySchema = {
  type: 'object',
  properties: {
    approved_recordings: { type: 'integer' },
    analyzers: {
      type: 'array',
      items: {
        type: 'object',
        properties: { analyzer: { type: 'string' } },
        required: ['analyzer'],
        additionalProperties: true,
      },
    },
  },
  required: ['approved_recordings', 'analyzers'],
  additionalProperties: false,
} as const;
export type Accuracy = FromSchema<typeof accuracySchema>;

/** `POST /api/v1/tasks/{id}/audio-url`. */
export const audioUrlSchema = {
  type: 'object',
  properties: { url: { type: 'string' }, expires_in: { type: 'integer' } },
  required: ['url', 'expires_in'],
  additionalProperties: false,
} as const;
export type AudioUrl = FromSchema<typeof audioUrlSchema>;

/**
 * `GET /api/v1/results/{id}/peaks`: the report's waveform section as stored (sent as is, so no
 * serialiser schema; docs/schema/sections/waveform.schema.json), typed from the analyzer.
 */
export type Peaks = { readonly task_id: string } & WaveformSection;

/** One stored version of a result (version 0, the machine's, has no row). */
export const correctionSchema = {
  type: 'object',
  properties: {
    version: { type: 'integer' },
    kind: { type: 'string' },
    correction: { type: 'object', additionalProperties: true },
    actor: { type: 'string' },
    created_at: { type: 'string' },
  },
  required: ['version', 'kind', 'correction', 'actor', 'created_at'],
  additionalProperties: false,
} as const;
export type CorrectionView = FromSchema<typeof correctionSchema>;

/** `GET /api/v1/results/{id}/corrections`. */
export const correctionsSchema = {
  type: 'object',
  properties: {
    task_id: { type: 'string' },
    version: { type: 'integer' },
    approved: { type: 'boolean' },
    versions: { type: 'array', items: correctionSchema },
  },
  required: ['task_id', 'version', 'approved', 'versions'],
  additionalProperties: false,
} as const;
export type Corrections = FromSchema<typeof correctionsSchema>;

/** The body of `POST /api/v1/results/{id}/corrections`. */
export const correctionBodySchema = {
  type: 'object',
  properties: {
    base_version: { type: 'integer', minimum: 0 },
    correction: { type: 'object', additionalProperties: true },
  },
  required: ['correction'],
  additionalProperties: false,
} as const;
export type CorrectionBody = FromSchema<typeof correctionBodySchema>;
