/**
 * Schemas of the voices routes (routes/voices.ts), declared once; docs/schema/voices.schema.json
 * describes the same document (see schemas/tasks.ts for the conventions).
 */
import type { FromSchema } from 'json-schema-to-ts';

/** A speaker of a recording as shown to people (the web page, the CLI). */
export const voiceSchema = {
  type: 'object',
  properties: {
    voice_id: { type: 'integer' },
    speaker: { type: 'string' },
    model: { type: 'string' },
    task_id: { type: ['string', 'null'] },
    file_name: { type: ['string', 'null'] },
    talk_time_sec: { type: ['number', 'null'] },
    name: { type: ['string', 'null'], description: 'Only a name a person confirmed' },
    suggested_name: {
      type: ['string', 'null'],
      description: 'A proposed name, until a person confirms it',
    },
    suggestion_score: {
      type: ['number', 'null'],
      description: 'Calibrated probability that the suggestion is right',
    },
    score_calibrated: {
      type: ['boolean', 'null'],
      description:
        'False while the embedding model has no fitted calibration (the score is a generic guess)',
    },
    suggested_from: {
      type: ['object', 'null'],
      description: 'Where the suggestion comes from (the confirmed voice)',
      properties: { voice_id: { type: 'integer' }, task_id: { type: ['string', 'null'] } },
      required: ['voice_id', 'task_id'],
      additionalProperties: false,
    },
  },
  required: [
    'voice_id',
    'speaker',
    'model',
    'task_id',
    'file_name',
    'talk_time_sec',
    'name',
    'suggested_name',
    'suggestion_score',
    'score_calibrated',
    'suggested_from',
  ],
  additionalProperties: false,
} as const;
export type VoiceView = FromSchema<typeof voiceSchema>;

/** `GET /api/v1/tasks/{id}/speakers` and the answer of naming or rejecting. */
export const voicesSchema = {
  type: 'object',
  properties: {
    schema_version: { type: 'string' },
    task_id: { type: 'string' },
    speakers: { type: 'array', items: voiceSchema },
  },
  required: ['schema_version', 'task_id', 'speakers'],
  additionalProperties: false,
} as const;
export type Voices = FromSchema<typeof voicesSchema>;

/** The body of `PUT /api/v1/tasks/{id}/speakers/{speaker}/name`. */
export const speakerNameBodySchema = {
  type: 'object',
  required: ['name'],
  properties: { name: { type: 'string', minLength: 1, maxLength: 200 } },
  additionalProperties: false,
} as const;
export type SpeakerNameBody = FromSchema<typeof speakerNameBodySchema>;
