/**
 * `sonoteca serve [--no-worker]`: the HTTP API, with an in-process queue worker (analysis in
 * worker threads) unless `--no-worker`. `npm start` runs this with the embedded defaults: SQLite
 * and the local durable queue under ./data, bound to 127.0.0.1:8000.
 */
import type { Command } from 'commander';
import { loadConfig } from '../../config/config.js';
import { startRuntime, stopOnSignals } from '../../service/runtime.js';
import { listen } from '../../service/server.js';
import { UsageError, type CliCommand } from '../command.js';

export const serveCommand: CliCommand = {
  name: 'serve',
  register(program: Command): void {
    program
      .command('serve')
      .description(
        'Run the HTTP API (and, unless --no-worker, an analysis worker in the same process).',
      )
      .option('--no-worker', 'API only; run `sonoteca worker` processes separately')
      .option('--host <host>', 'bind address (overrides HOST)')
      .option('--port <port>', 'port (overrides PORT)')
      .addHelpText(
        'after',
        `
Configuration comes from the environment and ./.env (see docs/DEPLOY.md): DB_HOST selects
PostgreSQL, REDIS_HOST selects the BullMQ queue; without them SQLite and the local durable queue
under DATA_DIR (./data) are used. First run prints a one-time admin password to stderr.
Examples:
  npm start
  PORT=9000 sonoteca serve --no-worker`,
      )
      .action(async (opts: { worker: boolean; host?: string; port?: string }) => {
        const env: Record<string, string | undefined> = { ...process.env };
        if (opts.host !== undefined) env['HOST'] = opts.host;
        if (opts.port !== undefined) {
          if (!/^\d+$/.test(opts.port))
            throw new UsageError(`--port must be an integer (got ${opts.port})`);
          env['PORT'] = opts.port;
        }
        const config = loadConfig(env);
        const runtime = await startRuntime(config, { api: true, worker: opts.worker });
        const stopped = stopOnSignals(runtime);
        try {
          const address = await listen(runtime.app!, config);
          runtime.logger.info(
            {
              address,
              database: runtime.store.kind,
              queue: runtime.queue.backend,
              worker: opts.worker,
            },
            `Sonoteca listening on ${address} (API docs at ${address}/docs)`,
          );
        } catch (e) {
          await runtime.stop();
          throw e;
        }
        await stopped;
        // Everything is closed; do not wait for stray timers (e.g. a pool's terminate grace).
        setTimeout(() => process.exit(), 1000).unref();
      });
  },
};
