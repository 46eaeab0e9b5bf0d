/**
 * The stage registry: which analyzers run for which processing type, in which order.
 * Later stages may read earlier stages' sections in `finish()` (segmentation before music,
 * everything before heritage classification).
 */
import type { AnalyzerFactory } from '../analysis/analyzer.js';
import { createSpeechConsistencyStage } from '../analysis/consistency/index.js';
import { createDiarizationAnalyzers } from '../analysis/diarization/index.js';
import { createFingerprintAnalyzers } from '../analysis/fingerprint/index.js';
import { createHeritageAnalyzers } from '../analysis/heritage/index.js';
import { createInstrumentationAnalyzers } from '../analysis/instrumentation/index.js';
import { createMusicAnalyzers } from '../analysis/music/index.js';
import { createQualityControlStage } from '../analysis/quality-control/index.js';
import { createSegmentationStage } from '../analysis/segmentation/index.js';
import { createVoiceActivityStage } from '../analysis/voice-activity/index.js';
import { createWaveformStage } from '../analysis/waveform/index.js';

import type { ProcessingType } from '../report/processing-type.js';

export { PROCESSING_TYPES, type ProcessingType } from '../report/processing-type.js';

export interface Stage {
  readonly id: string;
  /** Report sections this stage fills (marked not_run when the stage is skipped). */
  readonly sections: readonly string[];
  /** Processing types that include this stage. */
  readonly types: readonly ProcessingType[];
  readonly create: AnalyzerFactory;
}

/**
 * Stages in run order:
 * 1. technical QC (quality_control)
 * 2. speech side (voice_activity, segmentation reconciled with it, speaker_recognition)
 * 3. music side (music_analysis, instrumentation)
 * 4. audio fingerprint (audio_fingerprint)
 * 5. heritage classification (heritage_classification)
 * 6. waveform peaks and spectrogram for viewers (waveform)
 */
export const STAGES: readonly Stage[] = [
  {
    id: 'quality-control',
    sections: ['quality_control'],
    types: ['comprehensive', 'technical', 'speech', 'music'],
    create: createQualityControlStage,
  },
  {
    // Fills the VAD probability track that segmentation and diarization read in finish().
    id: 'voice-activity',
    sections: ['voice_activity'],
    types: ['comprehensive', 'speech', 'music'],
    create: createVoiceActivityStage,
  },
  {
    id: 'segmentation',
    sections: ['segmentation'],
    types: ['comprehensive', 'speech', 'music'],
    create: createSegmentationStage,
  },
  {
    // Refills segmentation so that its speech agrees with voice_activity (one source of truth);
    // every later stage reads the reconciled segmentation.
    id: 'speech-consistency',
    sections: ['segmentation'],
    types: ['comprehensive', 'speech', 'music'],
    create: createSpeechConsistencyStage,
  },
  {
    // Reads voice_activity in finish(): keep it after the voice-activity and segmentation stages.
    id: 'diarization',
    sections: ['speaker_recognition'],
    types: ['comprehensive', 'speech'],
    create: createDiarizationAnalyzers,
  },
  {
    id: 'music',
    sections: ['music_analysis'],
    types: ['comprehensive', 'music'],
    create: createMusicAnalyzers,
  },
  {
    id: 'instrumentation',
    sections: ['instrumentation'],
    types: ['comprehensive', 'music'],
    create: createInstrumentationAnalyzers,
  },
  {
    // Audio fingerprint for duplicate search (`sonoteca duplicates`): reads the shared
    // frames after the speech and music stages, whose readers compute the power spectra first.
    id: 'fingerprint',
    sections: ['audio_fingerprint'],
    types: ['comprehensive', 'speech', 'music'],
    create: createFingerprintAnalyzers,
  },
  {
    id: 'heritage',
    sections: ['heritage_classification'],
    types: ['comprehensive', 'music'],
    create: createHeritageAnalyzers,
  },
  {
    // Peaks and a coarse spectrogram so the web page draws a recording without its audio.
    id: 'waveform',
    sections: ['waveform'],
    types: ['comprehensive', 'technical', 'speech', 'music'],
    create: createWaveformStage,
  },
];

export function stagesFor(type: ProcessingType): readonly Stage[] {
  return STAGES.filter((s) => s.types.includes(type));
}

/** The fingerprint stage alone (what `sonoteca duplicates` runs). */
export function fingerprintStages(): readonly Stage[] {
  return STAGES.filter((s) => s.id === 'fingerprint');
}
