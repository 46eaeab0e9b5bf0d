/**
 * A small worker-thread pool running `analyzeFileSafe` off the main thread (the CLI's `--jobs N`,
 * the service's processors). One file per worker at a time; a worker that crashes (uncaught
 * error, out of memory) yields SONO_ERR_WORKER_CRASHED for its file and is replaced.
 */
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { SonoError } from '../errors.js';
import type { AnalyzeFileParams, AnalyzeProgress, AnalyzeResult } from './analyze-file.js';

/** Parameters that can cross the thread boundary (no callbacks, no signal). */
export type WorkerTaskParams = Omit<AnalyzeFileParams, 'signal' | 'onProgress' | 'stages'>;

export type WorkerRequest =
  | {
      readonly type: 'run';
      readonly id: number;
      readonly path: string;
      readonly params: WorkerTaskParams;
    }
  | { readonly type: 'cancel'; readonly id: number };

export type WorkerResponse =
  | ({ readonly type: 'progress'; readonly id: number } & AnalyzeProgress)
  | { readonly type: 'result'; readonly id: number; readonly result: AnalyzeResult };

export interface WorkerPoolOptions {
  /** Number of worker threads. @defaultValue 1 */
  readonly size?: number;
  /** Per-worker V8 heap limits (a worker exceeding them crashes and is replaced). */
  readonly resourceLimits?: ResourceLimits;
  /** Milliseconds a cancelled task may take to stop before its worker is terminated. @defaultValue 5000 */
  readonly cancelGraceMs?: number;
  /**
   * Worker entry speaking the WorkerRequest/WorkerResponse protocol (tests).
   * @defaultValue the bundled `analyze-worker` module
   */
  readonly workerEntry?: URL;
}

export interface PoolRunOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: AnalyzeProgress) => void;
}

interface Task {
  readonly id: number;
  readonly path: string;
  readonly params: WorkerTaskParams;
  readonly opts: PoolRunOptions;
  readonly resolve: (r: AnalyzeResult) => void;
  worker?: PoolWorker;
  settled: boolean;
  cleanup?: () => void;
}

interface PoolWorker {
  readonly worker: Worker;
  task?: Task;
  dead: boolean;
}

/** The worker entry: `.ts` under tsx (tests, dev), `.js` in dist. */
function workerUrl(): URL {
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./analyze-worker${ext}`, import.meta.url);
}

/**
 * Starts a worker on `entry`. A `.ts` entry (tests and development under tsx) gets a bootstrap
 * that registers tsx inside the worker first: on Node 20, loaders registered with
 * `--import tsx` do not reach worker threads.
 */
function startWorker(entry: URL, resourceLimits: ResourceLimits | undefined): Worker {
  const limits = resourceLimits ? { resourceLimits } : {};
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, limits);
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const code =
    `import(${JSON.stringify(tsxApi)})` +
    `.then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(code, { eval: true, ...limits });
}

function errorResult(path: string, err: SonoError): AnalyzeResult {
  return {
    ok: false,
    path,
    error: { code: err.code, message: err.message, details: err.details },
  };
}

export class WorkerPool {
  private readonly size: number;
  private readonly workers: PoolWorker[] = [];
  private readonly queue: Task[] = [];
  private nextId = 1;
  private closed = false;
  private readonly watched = new Map<AbortSignal, { set: Set<Task>; onAbort: () => void }>();

  constructor(private readonly options: WorkerPoolOptions = {}) {
    const size = options.size ?? 1;
    if (!Number.isInteger(size) || size < 1) {
      throw new SonoError('SONO_ERR_INVALID_PARAMETER', {
        name: 'size',
        detail: `${size}; expected an integer >= 1`,
      });
    }
    this.size = size;
  }

  /** Analyses one file in a worker; never rejects (failures are coded error results). */
  run(
    path: string,
    params: WorkerTaskParams = {},
    opts: PoolRunOptions = {},
  ): Promise<AnalyzeResult> {
    if (this.closed) {
      return Promise.resolve(
        errorResult(path, new SonoError('SONO_ERR_CANCELLED', { detail: 'worker pool closed' })),
      );
    }
    return new Promise<AnalyzeResult>((resolve) => {
      const task: Task = { id: this.nextId++, path, params, opts, resolve, settled: false };
      if (opts.signal) {
        if (opts.signal.aborted) queueMicrotask(() => this.cancel(task));
        else task.cleanup = this.watch(opts.signal, task);
      }
      this.queue.push(task);
      this.dispatch();
    });
  }

  /** Number of tasks queued or running. */
  get pending(): number {
    return this.queue.length + this.workers.filter((w) => w.task).length;
  }

  /** Cancels queued tasks and terminates every worker. */
  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.queue.splice(0)) {
      this.settle(
        t,
        errorResult(t.path, new SonoError('SONO_ERR_CANCELLED', { detail: 'worker pool closed' })),
      );
    }
    const all = this.workers.splice(0);
    await Promise.all(
      all.map(async (w) => {
        w.dead = true;
        if (w.task) {
          this.settle(
            w.task,
            errorResult(
              w.task.path,
              new SonoError('SONO_ERR_CANCELLED', { detail: 'worker pool closed' }),
            ),
          );
        }
        await w.worker.terminate();
      }),
    );
  }

  /**
   * One 'abort' listener per signal, whatever the number of tasks sharing it (a batch passes one
   * signal to every file: a listener per task made Node warn past 10). Returns the unwatch.
   */
  private watch(signal: AbortSignal, task: Task): () => void {
    let tasks = this.watched.get(signal);
    if (!tasks) {
      const set = new Set<Task>();
      const onAbort = (): void => {
        this.watched.delete(signal);
        for (const t of [...set]) this.cancel(t);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      tasks = { set, onAbort };
      this.watched.set(signal, tasks);
    }
    const entry = tasks;
    entry.set.add(task);
    return () => {
      entry.set.delete(task);
      if (entry.set.size === 0 && this.watched.get(signal) === entry) {
        signal.removeEventListener('abort', entry.onAbort);
        this.watched.delete(signal);
      }
    };
  }

  private settle(task: Task, result: AnalyzeResult): void {
    if (task.settled) return;
    task.settled = true;
    task.cleanup?.();
    if (task.worker) task.worker.task = undefined;
    task.resolve(result);
  }

  private cancel(task: Task): void {
    if (task.settled) return;
    const cancelled = errorResult(
      task.path,
      new SonoError('SONO_ERR_CANCELLED', { detail: task.path }),
    );
    const qi = this.queue.indexOf(task);
    if (qi >= 0) {
      this.queue.splice(qi, 1);
      this.settle(task, cancelled);
      return;
    }
    const w = task.worker;
    if (!w) return;
    const msg: WorkerRequest = { type: 'cancel', id: task.id };
    w.worker.postMessage(msg);
    // A worker stuck in synchronous code cannot see the abort: terminate it after a grace period.
    const timer = setTimeout(() => {
      if (task.settled) return;
      this.settle(task, cancelled);
      this.retire(w);
    }, this.options.cancelGraceMs ?? 5000);
    timer.unref();
  }

  private retire(w: PoolWorker): void {
    if (w.dead) return;
    w.dead = true;
    const i = this.workers.indexOf(w);
    if (i >= 0) this.workers.splice(i, 1);
    void w.worker.terminate();
    this.dispatch();
  }

  private spawn(): PoolWorker {
    const worker = startWorker(
      this.options.workerEntry ?? workerUrl(),
      this.options.resourceLimits,
    );
    const pw: PoolWorker = { worker, dead: false };
    worker.on('message', (msg: WorkerResponse) => {
      const task = pw.task;
      if (!task || task.id !== msg.id) return;
      if (msg.type === 'progress') {
        task.opts.onProgress?.({ processedSec: msg.processedSec, durationSec: msg.durationSec });
      } else {
        this.settle(task, msg.result);
        this.dispatch();
      }
    });
    const crashed = (detail: string): void => {
      const task = pw.task;
      if (task) {
        this.settle(
          task,
          errorResult(
            task.path,
            new SonoError('SONO_ERR_WORKER_CRASHED', { path: task.path, detail }),
          ),
        );
      }
      this.retire(pw);
    };
    worker.on('error', (e) => crashed(e instanceof Error ? e.message : String(e)));
    worker.on('exit', (code) => {
      if (!pw.dead) crashed(`worker exited with code ${code}`);
    });
    worker.unref();
    this.workers.push(pw);
    return pw;
  }

  private dispatch(): void {
    while (!this.closed && this.queue.length > 0) {
      let w = this.workers.find((x) => !x.task && !x.dead);
      if (!w && this.workers.length < this.size) w = this.spawn();
      if (!w) return;
      const task = this.queue.shift()!;
      task.worker = w;
      w.task = task;
      w.worker.ref();
      const msg: WorkerRequest = { type: 'run', id: task.id, path: task.path, params: task.params };
      w.worker.postMessage(msg);
    }
    // Idle workers must not keep the process alive.
    for (const x of this.workers) if (!x.task) x.worker.unref();
  }
}
