/**
 * `sonoteca worker`: a queue worker process (no HTTP). Several workers — on one Redis (BullMQ) or
 * one SQLite/PostgreSQL database (local queue) — share the work. SIGTERM finishes or requeues the
 * jobs in flight.
 */
import type { Command } from 'commander';
import { loadConfig } from '../../config/config.js';
import { startRuntime, stopOnSignals } from '../../service/runtime.js';
import { UsageError, type CliCommand } from '../command.js';

export const workerCommand: CliCommand = {
  name: 'worker',
  register(program: Command): void {
    program
      .command('worker')
      .description('Run an analysis worker that takes jobs from the queue (no HTTP).')
      .option('--concurrency <n>', 'analysis threads (overrides WORKER_CONCURRENCY)')
      .option('--health-port <port>', 'serve /health, /ready and /metrics on this port (on HOST)')
      .addHelpText(
        'after',
        `
Uses the same configuration as \`sonoteca serve\`; run it beside \`sonoteca serve --no-worker\`.
Job metrics live in the process that ran the job: let Prometheus scrape every worker's
--health-port /metrics (docs/OPERATIONS.md).
Example:
  REDIS_HOST=127.0.0.1 DB_HOST=db DB_PASSWORD=… sonoteca worker --concurrency 2`,
      )
      .action(async (opts: { concurrency?: string; healthPort?: string }) => {
        const env: Record<string, string | undefined> = { ...process.env };
        if (opts.concurrency !== undefined) {
          if (!/^\d+$/.test(opts.concurrency) || Number(opts.concurrency) < 1)
            throw new UsageError(
              `--concurrency must be a positive integer (got ${opts.concurrency})`,
            );
          env['WORKER_CONCURRENCY'] = opts.concurrency;
        }
        let healthPort: number | undefined;
        if (opts.healthPort !== undefined) {
          healthPort = Number(opts.healthPort);
          if (!/^\d+$/.test(opts.healthPort) || healthPort > 65535)
            throw new UsageError(`--health-port must be a port number (got ${opts.healthPort})`);
        }
        const runtime = await startRuntime(loadConfig(env), {
          api: false,
          worker: true,
          healthPort,
        });
        await stopOnSignals(runtime);
        // Everything is closed; do not wait for stray timers (e.g. a pool's terminate grace).
        setTimeout(() => process.exit(), 1000).unref();
      });
  },
};
