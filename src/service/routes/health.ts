/**
 * Probes. `/health` is liveness: answered from memory (background-sampled host figures), no
 * database or queue call, so it stays fast under load. `/ready` asks every dependency and answers
 * 503 until all are up. `/api/health` is the detailed view for operators.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ComponentHealth } from '../../store/types.js';
import type { RouteContext } from '../context.js';
import { recordReadiness } from '../metrics.js';
import { computeHealthScore } from '../system-metrics.js';

const systemMetricsSchema = {
  type: 'object',
  properties: {
    cpu_percent: { type: 'number' },
    memory_percent: { type: 'number' },
    disk_percent: { type: 'number' },
  },
  required: ['cpu_percent', 'memory_percent', 'disk_percent'],
} as const;

const healthSchema = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['healthy', 'degraded'] },
    health_score: { type: 'number' },
    uptime_seconds: { type: 'number' },
    version: { type: 'string' },
    system_metrics: systemMetricsSchema,
  },
  required: ['status', 'health_score', 'uptime_seconds', 'system_metrics'],
} as const;

const componentSchema = {
  type: 'object',
  properties: {
    ok: { type: 'boolean' },
    latency_ms: { type: 'number' },
    error: {
      type: 'object',
      properties: { code: { type: 'string' }, message: { type: 'string' } },
    },
  },
  additionalProperties: true,
} as const;

const readySchema = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['ready', 'not_ready'] },
    components: { type: 'object', additionalProperties: componentSchema },
  },
  required: ['status', 'components'],
} as const;

interface ComponentView {
  ok: boolean;
  latency_ms: number;
  error?: { code: string; message: string };
  [k: string]: unknown;
}

function view(h: ComponentHealth): ComponentView {
  return {
    ok: h.ok,
    latency_ms: Math.round(h.latencyMs * 100) / 100,
    ...(h.error ? { error: { code: h.error.code, message: h.error.message } } : {}),
  };
}

async function checkAll(ctx: RouteContext): Promise<Record<string, ComponentView>> {
  const entries: [string, Promise<ComponentHealth>][] = [
    ['database', ctx.store.ping()],
    ['queue', ctx.queue.ping()],
    ...Object.entries(ctx.readinessChecks).map(
      ([k, f]) => [k, f()] as [string, Promise<ComponentHealth>],
    ),
  ];
  const out: Record<string, ComponentView> = {};
  for (const [k, p] of entries) {
    out[k] = view(
      await p.catch((e: unknown): ComponentHealth => ({
        ok: false,
        latencyMs: 0,
        error: { code: 'SONO_ERR_INTERNAL', message: String(e) },
      })),
    );
  }
  return out;
}

function liveness(ctx: RouteContext) {
  const m = ctx.system.current();
  const score = computeHealthScore(m);
  return {
    status: score >= 50 ? ('healthy' as const) : ('degraded' as const),
    health_score: score,
    uptime_seconds: Math.round((Date.now() - ctx.startedAtMs) / 100) / 10,
    version: ctx.version,
    system_metrics: m,
  };
}

export function registerHealthRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const noLimit = { rateLimit: false } as const;
  // Machine endpoints: no rate limit. Security headers stay on (every route has them: a probe
  // URL opened in a browser, or proxied, must not be the one unprotected answer).
  app.get(
    '/health',
    {
      config: noLimit,
      logLevel: 'warn',
      schema: {
        tags: ['health'],
        summary: 'Liveness: 200 while the process is up (no dependency calls)',
        response: { 200: healthSchema },
      },
    },
    async () => liveness(ctx),
  );

  const ready = async (_req: unknown, reply: FastifyReply) => {
    const components = await checkAll(ctx);
    const ok = Object.values(components).every((c) => c.ok);
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ready' : 'not_ready', components });
  };
  const readyOpts = {
    config: noLimit,
    logLevel: 'warn' as const,
    schema: {
      tags: ['health'],
      summary: 'Readiness: 503 until database, queue and models are ready',
      response: { 200: readySchema, 503: readySchema },
    },
  };
  app.get('/ready', readyOpts, ready);
  app.get('/api/ready', readyOpts, ready);

  app.get(
    '/api/health',
    {
      config: noLimit,
      schema: {
        tags: ['health'],
        summary: 'Detailed component status',
        response: {
          '2xx': {
            type: 'object',
            properties: {
              ...healthSchema.properties,
              ready: { type: 'boolean' },
              environment: { type: 'string' },
              backends: {
                type: 'object',
                properties: { database: { type: 'string' }, queue: { type: 'string' } },
              },
              components: { type: 'object', additionalProperties: componentSchema },
            },
            required: [...healthSchema.required, 'ready', 'components'],
          },
        },
      },
    },
    async (_req, reply) => {
      const components = await checkAll(ctx);
      const ready = Object.values(components).every((c) => c.ok);
      const queueComponent = components['queue'];
      if (queueComponent?.ok === true) {
        queueComponent['counts'] = await ctx.queue.counts().catch(() => undefined);
      }
      const base = liveness(ctx);
      return reply.code(ready ? 200 : 503).send({
        ...base,
        status: ready ? base.status : 'degraded',
        ready,
        environment: ctx.config.environment,
        backends: { database: ctx.store.kind, queue: ctx.queue.backend },
        components,
      });
    },
  );

  app.get(
    '/metrics',
    {
      config: noLimit,
      logLevel: 'warn',
      schema: {
        tags: ['health'],
        summary: 'Prometheus metrics (text exposition format)',
        produces: ['text/plain'],
        response: { 200: { type: 'string' } },
      },
    },
    async (_req, reply) => {
      // Readiness as a metric, so "not ready for N minutes" can alert without a blackbox prober.
      recordReadiness(ctx.metrics, await checkAll(ctx));
      const text = await ctx.metrics.registry.metrics();
      return reply.type(ctx.metrics.registry.contentType).send(text);
    },
  );
}
