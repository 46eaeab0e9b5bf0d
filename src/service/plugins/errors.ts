/**
 * One error shape for every failure: `{error: {code, message, details?}}` with a code from
 * src/errors.ts and its HTTP status. Fastify's own errors (validation, body limits, unknown media
 * types, multipart limits) are mapped onto the registry too.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isSonoError, SonoError } from '../../errors.js';
import type { ServiceMetrics } from '../metrics.js';
import type { ErrorBody } from '../schemas/errors.js';

function fromFastifyError(err: FastifyError, maxUploadBytes: number): SonoError {
  if (err.validation) {
    const where = err.validationContext ?? 'request';
    return new SonoError('SONO_ERR_VALIDATION', { detail: `${where} ${err.message}` });
  }
  switch (err.code) {
    case 'FST_REQ_FILE_TOO_LARGE':
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new SonoError('SONO_ERR_PAYLOAD_TOO_LARGE', { limit: maxUploadBytes });
    case 'FST_FILES_LIMIT':
    case 'FST_PARTS_LIMIT':
    case 'FST_FIELDS_LIMIT':
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new SonoError('SONO_ERR_VALIDATION', { detail: err.message });
  }
  const status = err.statusCode ?? 500;
  if (status === 404)
    return new SonoError('SONO_ERR_NOT_FOUND', { what: 'Resource', id: err.message });
  if (status === 413) return new SonoError('SONO_ERR_PAYLOAD_TOO_LARGE', { limit: maxUploadBytes });
  if (status >= 400 && status < 500)
    return new SonoError('SONO_ERR_VALIDATION', { detail: err.message });
  return new SonoError('SONO_ERR_INTERNAL', { detail: err.message }, { cause: err });
}

/** Sends a SonoError as the JSON error body with its status. */
export function sendError(reply: FastifyReply, e: SonoError): FastifyReply {
  const internal = e.code === 'SONO_ERR_INTERNAL';
  const body: ErrorBody = {
    error: {
      code: e.code,
      // Internal errors keep their detail in the log, not in the response.
      message: internal ? `Internal error (request ${reply.request.id})` : e.message,
      ...(internal || Object.keys(e.details).length === 0 ? {} : { details: e.details }),
    },
  };
  return reply.code(e.httpStatus).type('application/json').send(body);
}

export function installErrorHandling(
  app: FastifyInstance,
  opts: { readonly maxUploadBytes: number; readonly metrics: ServiceMetrics },
): void {
  app.setErrorHandler((err: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const e = isSonoError(err) ? err : fromFastifyError(err as FastifyError, opts.maxUploadBytes);
    opts.metrics.errors.inc({ code: e.code, source: 'http' });
    if (e.httpStatus >= 500) request.log.error({ err, code: e.code }, e.message);
    else request.log.info({ code: e.code }, e.message);
    return sendError(reply, e);
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(
      reply,
      new SonoError('SONO_ERR_NOT_FOUND', {
        what: 'Route',
        id: `${request.method} ${request.url}`,
      }),
    ),
  );
}
