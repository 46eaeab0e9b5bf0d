/** What every route module receives: the app's dependencies, resolved once in `buildApp`. */
import type { Config } from '../config/config.js';
import type { JobQueue } from '../jobs/queue.js';
import type { MaxxiIntegration } from '../maxxi/integration.js';
import type { ComponentHealth, Store } from '../store/types.js';
import type { ServiceMetrics } from './metrics.js';
import type { SystemSampler } from './system-metrics.js';

/** An extra readiness check (models loaded, worker pool up, …); must not throw. */
export type ReadinessCheck = () => Promise<ComponentHealth>;

export interface RouteContext {
  readonly config: Config;
  readonly store: Store;
  readonly queue: JobQueue;
  readonly metrics: ServiceMetrics;
  readonly system: SystemSampler;
  readonly maxxi: MaxxiIntegration | undefined;
  readonly readinessChecks: Readonly<Record<string, ReadinessCheck>>;
  /** Process start (ms since epoch), for uptime. */
  readonly startedAtMs: number;
  readonly version: string;
}

/** OpenAPI security requirement of authenticated routes: a JWT or an API key. */
export const SECURITY: { [scheme: string]: string[] }[] = [{ bearerAuth: [] }, { apiKeyAuth: [] }];
