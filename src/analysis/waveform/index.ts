/** Waveform peaks and spectrogram for viewers (`waveform` section). */
import type { AnalyzerFactory } from '../analyzer.js';
import { WaveformAnalyzer } from './waveform-analyzer.js';

export * from './peaks.js';
export * from './waveform-analyzer.js';

export const createWaveformStage: AnalyzerFactory = () => [new WaveformAnalyzer()];
