/**
 * Readiness of what the analysis needs besides the database and the queue: the ffmpeg binary and
 * the model files (checked for presence and readability once, then cached — loading the models
 * themselves happens in the worker threads).
 */
import { access, constants } from 'node:fs/promises';
import { resolveFfmpeg } from '../audio/ffmpeg-path.js';
import { resolveSileroModelPath } from '../analysis/voice-activity/silero-engine.js';
import { toSonoError } from '../errors.js';
import type { ComponentHealth } from '../store/types.js';
import type { ReadinessCheck } from './context.js';

export function createModelsCheck(): ReadinessCheck {
  let ok: ComponentHealth | undefined;
  return async () => {
    if (ok !== undefined) return ok;
    const t0 = performance.now();
    try {
      const ffmpeg = resolveFfmpeg();
      await access(ffmpeg.path, constants.X_OK);
      await access(resolveSileroModelPath(), constants.R_OK);
      ok = { ok: true, latencyMs: performance.now() - t0 };
      return ok;
    } catch (e) {
      const err = toSonoError(e);
      return {
        ok: false,
        latencyMs: performance.now() - t0,
        error: { code: err.code, message: err.message },
      };
    }
  };
}
