/**
 * The consistency rules every report must keep ("one source of truth per fact"; a catalogue
 * record states only what the evidence supports). Each returns the violations it found, as
 * readable sentences; an empty list means the report keeps the rule.
 */
import type { Report } from '../../src/report/index.js';

type Dict = Readonly<Record<string, unknown>>;
interface Span {
  readonly start: number;
  readonly end: number;
}

const isDict = (v: unknown): v is Dict => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

function ok(report: Report, name: string): Dict | undefined {
  const s = (report.results as unknown as Record<string, unknown>)[name];
  return isDict(s) && s['status'] === 'ok' ? s : undefined;
}

function spans(v: unknown): Span[] {
  return Array.isArray(v)
    ? (v as Dict[]).map((s) => ({ start: num(s['start']), end: num(s['end']) }))
    : [];
}

/** Seconds of `s` outside every span of `mask` widened by `padSec`. */
function outside(s: Span, mask: readonly Span[], padSec: number): number {
  let covered = 0;
  for (const m of mask) {
    const a = Math.max(s.start, m.start - padSec);
    const b = Math.min(s.end, m.end + padSec);
    if (b > a) covered += b - a;
  }
  return Math.max(0, s.end - s.start - covered);
}

const SPEECH_LABELS = new Set(['speech', 'speech_over_music']);

/** Speech regions come from voice_activity; the segmentation refines them, never contradicts. */
export function speechRule(report: Report): string[] {
  const vad = ok(report, 'voice_activity');
  const seg = ok(report, 'segmentation');
  if (!vad || !seg) return [];
  const out: string[] = [];
  const vadSpeech = spans(vad['speech_segments']);
  const pad = isDict(seg['consistency']) ? num(seg['consistency']['tolerance_sec']) : 0.5;
  const resolution = num(seg['resolution_sec']) || 0.1;
  for (const s of Array.isArray(seg['segments']) ? (seg['segments'] as Dict[]) : []) {
    if (!SPEECH_LABELS.has(String(s['label']))) continue;
    const span = { start: num(s['start']), end: num(s['end']) };
    const off = outside(span, vadSpeech, pad);
    if (off > resolution + 1e-6)
      out.push(
        `segmentation ${String(s['label'])} ${span.start}–${span.end} s: ${off.toFixed(2)} s without VAD speech`,
      );
  }
  if (!isDict(seg['consistency']))
    out.push('segmentation has no consistency block (speech source not stated)');
  return out;
}

/** Speaker statistics only where there is speech. */
export function speakerRule(report: Report): string[] {
  const sp = ok(report, 'speaker_recognition');
  const vad = ok(report, 'voice_activity');
  if (!sp) return [];
  const out: string[] = [];
  const n = num(sp['speakers_detected']);
  if (vad && n > 0 && num(vad['speech_duration_sec']) === 0)
    out.push(`${n} speaker(s) but voice_activity found no speech`);
  if (vad) {
    const vadSpeech = spans(vad['speech_segments']);
    for (const t of spans(sp['turns'])) {
      const off = outside(t, vadSpeech, 0.5);
      if (off > 0.1)
        out.push(`speaker turn ${t.start}–${t.end} s: ${off.toFixed(2)} s without VAD speech`);
    }
  }
  const seg = ok(report, 'segmentation');
  if (seg && Array.isArray(seg['segments'])) {
    // sung, bowed or blown notes the VAD fires on are not speech: no speaker is counted there
    const segSpeech = spans(
      (seg['segments'] as { label?: unknown }[]).filter(
        (g) => g.label === 'speech' || g.label === 'speech_over_music',
      ),
    );
    for (const t of spans(sp['turns'])) {
      // 0.5 s of tolerance in the refinement + the neural engine's 0.4-s frame pad
      const off = outside(t, segSpeech, 0.9);
      if (off > 0.1)
        out.push(
          `speaker turn ${t.start}–${t.end} s: ${off.toFixed(2)} s the segmentation calls no speech`,
        );
    }
    if (n > 0 && segSpeech.length === 0)
      out.push(`${n} speaker(s) but the segmentation found no speech`);
  }
  const tags = report.results.metadata_generation.cultural_tags;
  if (tags?.speakers_detected !== undefined && !tags.content.includes('speech'))
    out.push(`cultural_tags.speakers_detected ${tags.speakers_detected} without speech in content`);
  const desc = (report.results.metadata_generation.dublin_core?.description ?? []).join(' ');
  if (
    /speakers? \(estimated\)|speaker\(s\) detected/.test(desc) &&
    !tags?.content.includes('speech')
  )
    out.push('dc:description states speakers without speech');
  return out;
}

/** Music descriptors (tempo, key, tuning) only where music was detected. */
export function musicRule(report: Report): string[] {
  const mu = ok(report, 'music_analysis');
  if (!mu || mu['music_detected'] !== false) return [];
  const out: string[] = [];
  for (const k of ['tempo', 'key', 'tuning']) {
    const v = mu[k];
    const applicable =
      v !== undefined && v !== null && !(isDict(v) && v['status'] === 'not_applicable');
    if (applicable) out.push(`music_analysis.${k} given although music_detected is false`);
  }
  return out;
}

/** The record: subjects and statements backed by the sections, every value with provenance. */
export function recordRule(report: Report): string[] {
  const mg = report.results.metadata_generation;
  const dc = mg.dublin_core ?? {};
  const out: string[] = [];
  const subjects = dc.subject ?? [];
  const vad = ok(report, 'voice_activity');
  const mu = ok(report, 'music_analysis');
  const hc = ok(report, 'heritage_classification');
  if (subjects.includes('Speech') && vad && num(vad['speech_ratio']) < 0.1)
    out.push(`dc:subject Speech with VAD speech ratio ${num(vad['speech_ratio'])}`);
  if (subjects.includes('Music') && mu && mu['music_detected'] === false)
    out.push('dc:subject Music although music_analysis.music_detected is false');
  const music =
    mg.cultural_tags?.content.includes('music') || mg.cultural_tags?.content.includes('singing');
  const families = ['strings', 'brass', 'woodwind', 'keyboard', 'percussion', 'plucked', 'voice'];
  for (const f of families)
    if (subjects.includes(f) && !music) out.push(`dc:subject ${f} without music`);
  if (hc) {
    const cat = String(hc['predicted_category']);
    const uncertain = hc['uncertain'] === true || cat === 'unclassified';
    if (subjects.includes(cat) && uncertain) out.push(`uncertain category ${cat} in dc:subject`);
    if (mg.cultural_tags?.heritage_category && uncertain)
      out.push(`uncertain category ${cat} in cultural_tags`);
  }
  const text = Object.values(dc).flat().join(' ');
  if (/\b(BPM|tempo|[A-G]#? (major|minor)|cents)\b/.test(text))
    out.push('key/tempo/tuning in the record');
  const values = Object.values(dc).reduce((n, v) => n + (v as string[]).length, 0);
  if ((mg.provenance ?? []).length !== values)
    out.push(`${values} DC values but ${(mg.provenance ?? []).length} provenance entries`);
  for (const p of mg.provenance ?? []) {
    if (p.source === 'analysis' && !(p.evidence && p.evidence.length > 0))
      out.push(`analysis value "${p.value}" without evidence`);
    if (p.source === 'embedded' && !p.field) out.push(`embedded value "${p.value}" without field`);
  }
  return out;
}
