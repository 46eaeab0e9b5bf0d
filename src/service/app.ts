/**
 * `buildApp(deps)`: the Fastify application — plugins, hooks, every route — without listening
 * (`server.ts` does that), so tests drive it with `inject()`.
 */
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import jwt from '@fastify/jwt';
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyServerOptions,
} from 'fastify';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/config.js';
import { SonoError } from '../errors.js';
import type { JobQueue } from '../jobs/queue.js';
import type { MaxxiIntegration } from '../maxxi/integration.js';
import { generatorVersion, packageRoot } from '../pipeline/report.js';
import type { Store } from '../store/types.js';
import type { ReadinessCheck, RouteContext } from './context.js';
import { createServiceMetrics, type ServiceMetrics } from './metrics.js';
import { installAuth } from './plugins/auth.js';
import { installErrorHandling } from './plugins/errors.js';
import { registerAdminRoutes } from './routes/admin.js';
import { registerAuthRoutes } from './routes/auth.js';
import { registerDuplicatesRoutes } from './routes/duplicates.js';
import { registerHealthRoutes } from './routes/health.js';
import { registerMaxxiRoutes } from './routes/maxxi.js';
import { registerReviewRoutes } from './routes/review.js';
import { registerTaskRoutes } from './routes/tasks.js';
import { registerVoicesRoutes } from './routes/voices.js';
import { ERROR_SCHEMA } from './schemas/errors.js';
import { SystemSampler } from './system-metrics.js';

export interface AppDeps {
  readonly config: Config;
  readonly store: Store;
  readonly queue: JobQueue;
  /** A pino logger (the process's); default: Fastify's own at `config.logLevel`. */
  readonly logger?: FastifyBaseLogger;
  /** Metrics shared with the in-process worker; created when omitted. */
  readonly metrics?: ServiceMetrics;
  readonly maxxi?: MaxxiIntegration;
  /** Extra readiness checks, e.g. `{models: …, worker_pool: …}`. */
  readonly readinessChecks?: Readonly<Record<string, ReadinessCheck>>;
}

function createFastify(deps: AppDeps): FastifyInstance {
  const { config } = deps;
  const logOptions: Pick<FastifyServerOptions, 'logger' | 'loggerInstance'> =
    deps.logger !== undefined
      ? { loggerInstance: deps.logger }
      : {
          logger: {
            level: config.logLevel,
            redact: ['req.headers.authorization', 'req.headers["x-api-key"]'],
          },
        };
  const app = Fastify({
    ...logOptions,
    // A client's X-Request-Id is kept only when it is a short token (bounded, no control or
    // header-splitting characters); anything else gets a fresh UUID.
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    bodyLimit: 1024 * 1024,
    // Behind a reverse proxy set trustProxy via the proxy's address; default: the direct peer.
    trustProxy: false,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
    return503OnClosing: true,
    connectionTimeout: 0,
    requestTimeout: 0,
  });
  return app;
}

/** Accepted client request ids: 1–128 characters of [A-Za-z0-9._:-]. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Shared set-up of both apps: context, error mapping, request metrics, request-id header. */
function prepare(app: FastifyInstance, deps: AppDeps): RouteContext {
  const { config, store, queue } = deps;
  app.addSchema(ERROR_SCHEMA);
  const metrics = deps.metrics ?? createServiceMetrics({ store, queue, dataDir: config.dataDir });
  const system = new SystemSampler(config.dataDir).start();
  app.addHook('onClose', async () => system.stop());

  const ctx: RouteContext = {
    config,
    store,
    queue,
    metrics,
    system,
    maxxi: deps.maxxi,
    readinessChecks: deps.readinessChecks ?? {},
    startedAtMs: Date.now(),
    version: generatorVersion(),
  };

  installErrorHandling(app, { maxUploadBytes: config.maxUploadBytes, metrics });

  // Request metrics by route pattern (never the raw URL: unbounded label values).
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    const labels = { method: req.method, route, status: String(reply.statusCode) };
    metrics.httpRequests.inc(labels);
    metrics.httpDuration.observe(labels, reply.elapsedTime / 1000);
  });
  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });
  return ctx;
}

/**
 * The probe app of a worker process (`sonoteca worker --health-port`): only `/health`, `/ready`,
 * `/api/health`, `/api/ready` and `/metrics` (the worker's job metrics live here).
 */
export async function buildProbeApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = createFastify(deps);
  await app.register(helmet);
  registerHealthRoutes(app, prepare(app, deps));
  return app;
}

/** The full API. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config, store } = deps;
  const app = createFastify(deps);
  const ctx = prepare(app, deps);

  await app.register(helmet, {
    // The Swagger UI at /docs needs its own scripts and styles; the web page at / needs only its
    // own bundle, inline styles (the waveform's shadow DOM) and the audio route (media-src).
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", 'https:', "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'validator.swagger.io'],
        mediaSrc: ["'self'", 'blob:'],
      },
    },
  });
  await app.register(cors, {
    origin:
      config.corsOrigins.length === 0
        ? false
        : config.corsOrigins.includes('*')
          ? true
          : [...config.corsOrigins],
    methods: ['GET', 'POST', 'PATCH', 'DELETE', 'OPTIONS'],
    allowedHeaders: ['authorization', 'content-type', 'x-api-key', 'x-request-id'],
    exposedHeaders: ['x-request-id', 'retry-after'],
  });
  await app.register(jwt, {
    secret: config.secretKey,
    sign: { algorithm: 'HS256', iss: 'sonoteca' },
    verify: { algorithms: ['HS256'], allowedIss: 'sonoteca' },
  });
  installAuth(app, store);
  await app.register(rateLimit, {
    global: true,
    max: config.rateLimit.max,
    timeWindow: config.rateLimit.windowSec * 1000,
    keyGenerator: (req) =>
      req.principal !== undefined ? `${req.principal.kind}:${req.principal.id}` : `ip:${req.ip}`,
    errorResponseBuilder: (_req, c) =>
      new SonoError('SONO_ERR_RATE_LIMITED', { detail: `retry in ${c.after}` }),
  });
  await app.register(multipart, {
    limits: {
      fileSize: config.maxUploadBytes,
      files: 1000,
      fields: 20,
      fieldSize: 4096,
      headerPairs: 100,
    },
    throwFileSizeLimit: true,
  });
  // Multipart routes read their parts themselves; a JSON body on them stays JSON.
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Sonoteca API',
        version: ctx.version,
        description:
          'Heritage audio analysis service. Errors are `{error: {code, message}}` with codes from docs/errors.md.',
      },
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          apiKeyAuth: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
        },
      },
      tags: [
        { name: 'health' },
        { name: 'auth' },
        { name: 'tasks' },
        { name: 'exports' },
        { name: 'maxxi' },
        { name: 'admin' },
        { name: 'review' },
      ],
    },
  });
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    staticCSP: true,
    uiConfig: { deepLinking: false },
  });

  registerHealthRoutes(app, ctx);
  registerAuthRoutes(app, ctx);
  registerTaskRoutes(app, ctx);
  registerDuplicatesRoutes(app, ctx);
  registerVoicesRoutes(app, ctx);
  registerMaxxiRoutes(app, ctx);
  registerAdminRoutes(app, ctx);
  registerReviewRoutes(app, ctx);
  // The archivists' web page (web/, built by `npm run build:web` into dist/web): static files only,
  // a client of the same /api/v1. Unknown paths fall through to the JSON 404.
  const webRoot = join(packageRoot(), 'dist', 'web');
  await app.register(fastifyStatic, {
    root: webRoot,
    prefix: '/',
    serve: existsSync(join(webRoot, 'index.html')),
    index: ['index.html'],
    cacheControl: true,
    maxAge: 0,
  });
  return app;
}
