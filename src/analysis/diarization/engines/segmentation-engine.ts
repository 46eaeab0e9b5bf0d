/**
 * Local speaker segmentation engines: a fixed-length window of 16 kHz mono audio in, for every
 * output frame the set of *local* speakers talking (at most `maxLocalSpeakers`, overlap included).
 * Local speaker slots are per window: slot 0 of one window and slot 0 of the next need not be the
 * same person; the clustering links them through speaker embeddings.
 */
import type { ModelProvenance } from '../../../models/registry.js';

export interface SegmentationEngine {
  /** Stable id written into the report (`engine.segmentation`). */
  readonly id: string;
  readonly model: ModelProvenance;
  readonly sampleRateHz: number;
  /** Window the engine consumes, samples (10 s for pyannote segmentation-3.0). */
  readonly windowSamples: number;
  readonly framesPerWindow: number;
  /** Hop between output frames, seconds. */
  readonly frameStepSec: number;
  /** Centre of output frame 0 relative to the window start, seconds. */
  readonly frameCenterSec: number;
  readonly maxLocalSpeakers: number;
  /** Creates the session (idempotent). SONO_ERR_MODEL_LOAD / SONO_ERR_MODEL_CHECKSUM. */
  load(): Promise<void>;
  /**
   * One result per window (each exactly `windowSamples` long): a bitmask per frame, bit j set
   * when local speaker j talks (`Uint8Array[framesPerWindow]`).
   */
  segment(windows: readonly Float32Array[]): Promise<Uint8Array[]>;
}

/** Bitmask of a local speaker set. */
export function speakerBit(slot: number): number {
  return 1 << slot;
}

/**
 * Powerset classes → speaker bitmasks, in the order pyannote's `Powerset` enumerates them:
 * the empty set, then every single speaker, then every pair, … up to `maxPerFrame` speakers.
 */
export function powersetMasks(nSpeakers: number, maxPerFrame: number): Uint8Array {
  const masks: number[] = [0];
  const combos = (size: number, from: number, acc: number[]): void => {
    if (acc.length === size) {
      masks.push(acc.reduce((m, s) => m | speakerBit(s), 0));
      return;
    }
    for (let s = from; s < nSpeakers; s++) combos(size, s + 1, [...acc, s]);
  };
  for (let size = 1; size <= maxPerFrame; size++) combos(size, 0, []);
  return Uint8Array.from(masks);
}
