/**
 * Turns the per-frame speaker sets of `NeuralDiarizer` into the section's shapes: turns (runs of
 * the turn holder), overlaps (runs where more than one speaker talks: the holder first, then who
 * came in), and per-speaker statistics over the analyzer's compact frame features.
 */
import type { DiarizedOverlap, DiarizedTurn, SpeakerSummary } from './diarize.js';
import { summariseSpeakers } from './diarize.js';
import type { FrameFeatureStore } from './feature-store.js';
import type { NeuralDiarization } from './neural-diarizer.js';

const r3 = (x: number): number => Math.round(x * 1000) / 1000;

export const speakerLabel = (c: number): string => `SPEAKER_${String(c).padStart(2, '0')}`;

export interface NeuralTurns {
  readonly turns: readonly DiarizedTurn[];
  readonly overlaps: readonly DiarizedOverlap[];
  /** Holder cluster per global frame (−1: nobody). */
  readonly holder: Int32Array;
  readonly speechSec: number;
}

function lowestBit(bits: number): number {
  return 31 - Math.clz32(bits & -bits);
}

function bitList(bits: number): number[] {
  const out: number[] = [];
  for (let c = 0; bits >>> c !== 0; c++) if (bits & (1 << c)) out.push(c);
  return out;
}

export function toTurns(nd: NeuralDiarization): NeuralTurns {
  const step = nd.frameStepSec;
  const startOf = (g: number): number => Math.max(0, nd.frameCenterSec + (g - 0.5) * step);
  const holder = new Int32Array(nd.nFrames).fill(-1);
  const turns: DiarizedTurn[] = [];
  const overlaps: DiarizedOverlap[] = [];
  let turnStart = -1;
  let ovStart = -1;
  let ovBits = 0;
  let speechFrames = 0;
  for (let g = 0; g <= nd.nFrames; g++) {
    const bits = g < nd.nFrames ? nd.activity[g]! : 0;
    const prev = g > 0 ? holder[g - 1]! : -1;
    // the holder keeps the turn while still talking; otherwise the lowest-numbered speaker takes it
    const h = bits === 0 ? -1 : prev >= 0 && bits & (1 << prev) ? prev : lowestBit(bits);
    if (g < nd.nFrames) holder[g] = h;
    if (bits !== 0) speechFrames++;
    if (h !== prev) {
      if (prev >= 0)
        turns.push({
          speaker: speakerLabel(prev),
          start: r3(startOf(turnStart)),
          end: r3(startOf(g)),
        });
      turnStart = g;
    }
    const overlapped = bitList(bits).length >= 2 ? bits : 0;
    if (overlapped !== ovBits || (overlapped !== 0 && h !== prev)) {
      if (ovBits !== 0) overlaps.push(overlapOf(ovBits, holder[ovStart]!, ovStart, g));
      ovStart = g;
      ovBits = overlapped;
    }
  }
  function overlapOf(bits: number, h: number, a: number, b: number): DiarizedOverlap {
    const others = bitList(bits).filter((c) => c !== h);
    return {
      start: r3(startOf(a)),
      end: r3(startOf(b)),
      speakers: [speakerLabel(h), ...others.map(speakerLabel)],
    };
  }
  return { turns, overlaps, holder, speechSec: r3(speechFrames * step) };
}

/** Per-speaker statistics (f0, rate, loudness, …) from the analyzer's frame store. */
export function summariseNeuralSpeakers(
  store: FrameFeatureStore,
  nd: NeuralDiarization,
  t: NeuralTurns,
): SpeakerSummary[] {
  const idx: number[] = [];
  const lab: number[] = [];
  for (let i = 0; i < store.frameCount; i++) {
    const g = Math.round((store.timeOf(i) - nd.frameCenterSec) / nd.frameStepSec);
    const h = g >= 0 && g < t.holder.length ? t.holder[g]! : -1;
    if (h < 0) continue;
    idx.push(i);
    lab.push(h);
  }
  return summariseSpeakers(
    store,
    Int32Array.from(idx),
    Int32Array.from(lab),
    t.turns,
    t.overlaps,
    speakerLabel,
    nd.k,
  );
}
