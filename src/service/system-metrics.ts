/**
 * Host figures for `/health`, sampled in the background so the probe itself does no work:
 * CPU busy percent over the last sampling period (from `os.cpus()` tick deltas), memory in use,
 * and the disk usage of the data directory (`statfs`).
 */
import { statfs } from 'node:fs/promises';
import { cpus, freemem, totalmem } from 'node:os';

export interface SystemMetrics {
  readonly cpu_percent: number;
  readonly memory_percent: number;
  readonly disk_percent: number;
}

function cpuTicks(): { idle: number; total: number } {
  let idle = 0;
  let total = 0;
  for (const c of cpus()) {
    const t = c.times;
    idle += t.idle;
    total += t.user + t.nice + t.sys + t.idle + t.irq;
  }
  return { idle, total };
}

const round1 = (x: number) => Math.round(x * 10) / 10;

export class SystemSampler {
  private last = cpuTicks();
  private cpuPercent = 0;
  private diskPercent = 0;
  private memoryPercent = 0;
  private memoryAtMs = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly diskPath: string,
    private readonly periodMs = 5000,
  ) {}

  start(): this {
    void this.sample();
    this.timer = setInterval(() => void this.sample(), this.periodMs);
    this.timer.unref();
    return this;
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
  }

  private async sample(): Promise<void> {
    const now = cpuTicks();
    const dTotal = now.total - this.last.total;
    if (dTotal > 0) this.cpuPercent = round1(100 * (1 - (now.idle - this.last.idle) / dTotal));
    this.last = now;
    try {
      const s = await statfs(this.diskPath);
      this.diskPercent = s.blocks > 0 ? round1(100 * (1 - s.bavail / s.blocks)) : 0;
    } catch {
      // The data directory may not exist yet; keep the previous figure.
    }
  }

  /** The latest figures; memory is re-read at most once a second (it is a syscall). */
  current(): SystemMetrics {
    const now = Date.now();
    if (now - this.memoryAtMs >= 1000) {
      this.memoryPercent = round1(100 * (1 - freemem() / totalmem()));
      this.memoryAtMs = now;
    }
    return {
      cpu_percent: this.cpuPercent,
      memory_percent: this.memoryPercent,
      disk_percent: this.diskPercent,
    };
  }
}

/**
 * 100 when the host is comfortable; loses points as CPU, memory or disk run high
 * (above 80 % / 85 % / 90 %), never below 0.
 */
export function computeHealthScore(m: SystemMetrics): number {
  const over = (v: number, from: number) => Math.max(0, v - from);
  const penalty =
    over(m.cpu_percent, 80) + 2 * over(m.memory_percent, 85) + 5 * over(m.disk_percent, 90);
  return Math.max(0, Math.round(100 - penalty));
}
