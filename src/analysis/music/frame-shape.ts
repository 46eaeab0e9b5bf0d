/**
 * Spectral shape of a shared frame, memoised per frame so the music and instrumentation analyzers
 * (which both need it for every default frame) compute it once.
 */
import type { Frame } from '../frames.js';
import { computeSpectralShape, type SpectralShape } from '../../dsp/spectral-shape.js';

const memo = new WeakMap<Frame, { index: number; shape: SpectralShape | null }>();

/** `computeSpectralShape(frame.power)`, computed once per frame (read-only result). */
export function spectralShapeOf(frame: Frame): Readonly<SpectralShape> | null {
  const hit = memo.get(frame);
  if (hit && hit.index === frame.index) return hit.shape;
  const shape = computeSpectralShape(frame.power, frame.config.sampleRateHz);
  memo.set(frame, { index: frame.index, shape });
  return shape;
}
