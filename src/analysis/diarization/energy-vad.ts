/**
 * Fallback speech regions from frame levels, for when the `voice_activity` section is absent or
 * failed: frames louder than an adaptive threshold (between the noise floor and the loud end),
 * gaps < 0.3 s bridged, runs < 0.2 s dropped. Much weaker than Silero VAD (it cannot tell speech
 * from other sounds); the report says which source was used.
 */
import type { TimeRegion } from './der.js';
import type { FrameFeatureStore } from './feature-store.js';
import { percentile } from './speaker-stats.js';

export function detectEnergySpeech(store: FrameFeatureStore): TimeRegion[] {
  const n = store.frameCount;
  if (n === 0) return [];
  const level = new Float64Array(n);
  for (let i = 0; i < n; i++) level[i] = store.levelDb(i);
  const floor = percentile(level, 10);
  const loud = percentile(level, 95);
  const thr = Math.max(-60, floor + 0.35 * (loud - floor), loud - 40);
  const hop = store.hopSec;
  const regions: { start: number; end: number }[] = [];
  let open = -1;
  for (let i = 0; i <= n; i++) {
    const on = i < n && level[i]! >= thr;
    if (on && open < 0) open = i;
    if (!on && open >= 0) {
      const start = Math.max(0, store.timeOf(open) - hop / 2);
      const end = store.timeOf(i - 1) + hop / 2;
      const last = regions[regions.length - 1];
      if (last && start - last.end < 0.3) last.end = end;
      else regions.push({ start, end });
      open = -1;
    }
  }
  return regions.filter((r) => r.end - r.start >= 0.2);
}
