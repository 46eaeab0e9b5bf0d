/** The error body every route answers with: `{error: {code, message, details?}}`. */
import type { FromSchema } from 'json-schema-to-ts';

/** JSON schema of the error body (shared by every route's responses). */
export const ERROR_SCHEMA = {
  $id: 'SonoErrorBody',
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        details: { type: 'object', additionalProperties: true },
      },
      required: ['code', 'message'],
    },
  },
  required: ['error'],
} as const;
export type ErrorBody = FromSchema<typeof ERROR_SCHEMA>;
