/**
 * The report: one versioned JSON document per analysed file. Field names of CONTRACT.md's stable
 * core (`task_id`, `audio_info`, `results.*`, `results.metadata_generation.dublin_core`, …) are
 * kept exactly; `docs/schema/report.schema.json` describes the whole document.
 */
import type { SectionBase } from '../analysis/analyzer.js';
import type { IntegrityFinding } from '../audio/integrity.js';
import type { AudioInfo, ContentIdentity, EmbeddedMetadata } from '../audio/types.js';
import type { ProcessingType } from './processing-type.js';

/**
 * Version of the report format (semver): bump minor for added fields, major for renamed or removed
 * ones. Written into every report as `schema_version`.
 */
export const SCHEMA_VERSION = '1.4.0';

/** Embedded metadata as the probe found it (BWF bext, iXML, RIFF INFO, ID3, Vorbis comments…). */
export type EmbeddedMetadataRecord = EmbeddedMetadata;

export interface TechnicalMetadataSection extends SectionBase {
  readonly container?: string;
  readonly codec?: string;
  readonly mime_type?: string;
  readonly lossless?: boolean;
  readonly sample_rate?: number;
  readonly channels?: number;
  readonly bit_depth?: number | null;
  readonly bitrate?: number | null;
  /** Duration from the container header, seconds. */
  readonly duration_sec?: number;
  /** Duration actually decoded, seconds (the truth when a header lies). */
  readonly decoded_duration_sec?: number;
  readonly file_size_bytes?: number;
  readonly embedded?: EmbeddedMetadataRecord;
  /** What the bytes are against what the name says, and which reader read the header. */
  readonly content?: ContentIdentity & { readonly header_reader: string };
  /** Whether audio is missing or damaged, how much and where. */
  readonly integrity?: IntegrityFinding;
}

export interface FixitySection extends SectionBase {
  readonly md5?: string;
  readonly sha256?: string;
  /** MD5 of the WAV/BWF `data` chunk only (BWF MetaEdit convention); null for other formats. */
  readonly audio_data_md5?: string | null;
  readonly bytes?: number;
}

/** One Dublin Core element may repeat: values are always arrays (empty elements are omitted). */
export interface DublinCoreRecord {
  readonly title?: readonly string[];
  readonly creator?: readonly string[];
  readonly subject?: readonly string[];
  readonly description?: readonly string[];
  readonly publisher?: readonly string[];
  readonly contributor?: readonly string[];
  readonly date?: readonly string[];
  readonly type?: readonly string[];
  readonly format?: readonly string[];
  readonly identifier?: readonly string[];
  readonly source?: readonly string[];
  readonly language?: readonly string[];
  readonly relation?: readonly string[];
  readonly coverage?: readonly string[];
  readonly rights?: readonly string[];
  /** dcterms:extent, as an ISO 8601 duration and a human form (e.g. `PT1H2M3.5S`, `1:02:03`). */
  readonly extent?: readonly string[];
}

/** Tags derived from the sections that ran; never invented. */
export interface CulturalTags {
  /** Heritage category predicted by the classifier (absent when it did not run or is uncertain). */
  readonly heritage_category?: string;
  readonly heritage_confidence?: number;
  readonly heritage_uncertain?: boolean;
  /** Content kinds found by the sections that ran, e.g. `speech`, `music`. */
  readonly content: readonly string[];
  /** Languages known from embedded metadata or analysis; empty when unknown. */
  readonly languages: readonly string[];
  /** Number of speakers when speaker recognition ran. */
  readonly speakers_detected?: number;
  /** Free keywords (genre from tags, instrument families, …). */
  readonly keywords: readonly string[];
  /** Which report sections the tags were derived from. */
  readonly derived_from: readonly string[];
}

/** A Dublin Core element name (a key of {@link DublinCoreRecord}). */
export type DcElement = keyof DublinCoreRecord;

/** What an analysis statement in the record rests on. */
export interface StatementEvidence {
  /** Statement id, e.g. `content.speech`, `speakers`, `heritage_category`, `instrument.strings`. */
  readonly statement: string;
  /** Report section the evidence comes from, e.g. `voice_activity`. */
  readonly section: string;
  readonly analyzer?: { readonly name: string; readonly version: string };
  /** The section's confidence (or measured share) behind the statement, 0–1. */
  readonly confidence?: number;
  /** The measurement and the threshold it passed, e.g. `speech_ratio 0.94 >= 0.1`. */
  readonly basis: string;
}

/** Where one value of one Dublin Core element came from. */
export interface DcValueProvenance {
  readonly element: DcElement;
  readonly value: string;
  /**
   * `embedded`: a tag in the file (see `field`); `technical`: probe and decode; `fixity`: the
   * digests; `analysis`: statements of analyzers (see `evidence`); `file`: the file name;
   * `person`: a name a person gave or confirmed (`field` says where, e.g. `voices.confirmed_name`;
   * added in report 1.2.0).
   */
  readonly source: 'embedded' | 'technical' | 'fixity' | 'analysis' | 'file' | 'person';
  /** For embedded values: the tag, e.g. `bext.description`, `riff_info.INAM`, `id3.TIT2`. */
  readonly field?: string;
  /** For analysis values: each statement and what it rests on. */
  readonly evidence?: readonly StatementEvidence[];
}

/** An analysis statement left out of the record: it stays here for a person to review. */
export interface WithheldStatement {
  readonly statement: string;
  /** What would have been stated, e.g. `classical_music`, `1 speaker`. */
  readonly value: string;
  readonly section: string;
  readonly confidence?: number;
  readonly reason: string;
}

export interface MetadataGenerationSection extends SectionBase {
  readonly dublin_core?: DublinCoreRecord;
  readonly cultural_tags?: CulturalTags;
  /** One entry per value of `dublin_core` (except `extent`'s human form), in element order. */
  readonly provenance?: readonly DcValueProvenance[];
  /** The thresholds analysis statements had to pass to enter the record. */
  readonly thresholds?: Readonly<Record<string, number>>;
  /** Analysis statements not made (uncertain, unsupported or contradicted), for review. */
  readonly for_review?: readonly WithheldStatement[];
}

/** A section filled by an analyzer: its status plus analyzer-specific fields (own schema). */
export type AnalyzerSection = SectionBase & Readonly<Record<string, unknown>>;

export interface ReportResults {
  readonly technical_metadata: TechnicalMetadataSection;
  readonly fixity: FixitySection;
  readonly quality_control: AnalyzerSection;
  readonly voice_activity: AnalyzerSection;
  readonly segmentation: AnalyzerSection;
  readonly speaker_recognition: AnalyzerSection;
  readonly music_analysis: AnalyzerSection;
  readonly instrumentation: AnalyzerSection;
  readonly heritage_classification: AnalyzerSection;
  readonly metadata_generation: MetadataGenerationSection;
}

/** Keys of `results`, in report order. */
export const SECTION_NAMES = [
  'technical_metadata',
  'fixity',
  'quality_control',
  'voice_activity',
  'segmentation',
  'speaker_recognition',
  'music_analysis',
  'instrumentation',
  'heritage_classification',
  'metadata_generation',
] as const satisfies readonly (keyof ReportResults)[];

export type SectionName = (typeof SECTION_NAMES)[number];

export interface AnalyzerTiming {
  readonly name: string;
  readonly version: string;
  readonly section: string;
  readonly stage: string;
  /**
   * Milliseconds spent inside this analyzer's callbacks, including the time the pipeline awaits
   * its asynchronous work (ONNX inference runs on its own thread): its CPU time on an idle
   * machine. Shared frame features (FFT, mel) are charged to the first analyzer that reads them.
   */
  readonly cpu_ms: number;
}

export interface ProcessingInfo {
  readonly processing_type: ProcessingType;
  /** QC profile name (or path) in effect. */
  readonly profile: string;
  readonly started_at: string;
  /** Wall-clock seconds of the whole analysis (probe, decode, analyzers, fixity). */
  readonly duration_sec: number;
  /** Stage ids that ran, in order. */
  readonly stages: readonly string[];
  readonly analyzers: readonly AnalyzerTiming[];
  /** Milliseconds the analysis thread spent cutting shared frames (before any analyzer). */
  readonly framing_ms: number;
  /** Whether the native-rate stream was decoded (some analyzer needed it). */
  readonly native_stream: boolean;
  /** Process CPU time (user + system, ms) of the analysis thread's process, ffmpeg excluded. */
  readonly process_cpu_ms: number;
}

export interface ReportSource {
  readonly path: string;
  readonly file_name: string;
  readonly size_bytes: number;
}

export interface ReportAudioInfo extends AudioInfo {
  /** Duration actually decoded (seconds); may differ from `duration` when a header lies. */
  readonly decoded_duration: number;
}

export interface Report {
  readonly schema_version: string;
  readonly generator: { readonly name: 'sonoteca'; readonly version: string };
  readonly task_id?: string;
  readonly created_at: string;
  readonly source: ReportSource;
  readonly audio_info: ReportAudioInfo;
  readonly processing: ProcessingInfo;
  readonly results: ReportResults;
  readonly warnings: readonly string[];
}
