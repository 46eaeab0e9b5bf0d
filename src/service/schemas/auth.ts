/** Schemas of the auth routes (routes/auth.ts), declared once (see schemas/tasks.ts). */
import type { FromSchema } from 'json-schema-to-ts';
import { ROLES } from '../../store/types.js';

/** The body of `POST /api/v1/auth/login`. */
export const loginBodySchema = {
  type: 'object',
  properties: {
    username: { type: 'string', minLength: 1, maxLength: 128 },
    password: { type: 'string', minLength: 1, maxLength: 1024 },
  },
  required: ['username', 'password'],
  additionalProperties: false,
} as const;
export type LoginBody = FromSchema<typeof loginBodySchema>;

/** `POST /api/v1/auth/login` (200). */
export const loginResponseSchema = {
  type: 'object',
  properties: {
    access_token: { type: 'string' },
    token_type: { type: 'string', enum: ['bearer'] },
    expires_in: { type: 'integer' },
    role: { type: 'string', enum: ROLES },
  },
  required: ['access_token', 'token_type', 'expires_in', 'role'],
  additionalProperties: false,
} as const;
export type LoginResponse = FromSchema<typeof loginResponseSchema>;
