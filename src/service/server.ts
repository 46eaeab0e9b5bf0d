/** `listen`: binds a built app to HOST:PORT (kept apart from `buildApp` so tests never listen). */
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config/config.js';

/** Starts listening; resolves with the bound address (e.g. `http://127.0.0.1:8000`). */
export async function listen(
  app: FastifyInstance,
  config: Pick<Config, 'host' | 'port'>,
): Promise<string> {
  return app.listen({ host: config.host, port: config.port });
}
