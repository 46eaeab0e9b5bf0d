/**
 * Worker-thread entry of the worker pool: runs `analyzeFileSafe` for each `run` message, forwards
 * progress, and aborts on `cancel`. One file at a time per worker.
 */
import { parentPort } from 'node:worker_threads';
import { analyzeFileSafe } from './analyze-file.js';
import type { WorkerRequest, WorkerResponse } from './worker-pool.js';

const port = parentPort;
if (!port) throw new Error('analyze-worker must run in a worker thread');

const running = new Map<number, AbortController>();

port.on('message', (msg: WorkerRequest) => {
  if (msg.type === 'cancel') {
    running.get(msg.id)?.abort();
    return;
  }
  const ac = new AbortController();
  running.set(msg.id, ac);
  void analyzeFileSafe(msg.path, {
    ...msg.params,
    signal: ac.signal,
    onProgress: (p) => {
      const m: WorkerResponse = { type: 'progress', id: msg.id, ...p };
      port.postMessage(m);
    },
  }).then((result) => {
    running.delete(msg.id);
    const m: WorkerResponse = { type: 'result', id: msg.id, result };
    port.postMessage(m);
  });
});
