/**
 * Reviewer corrections of a report, replayed in order on the machine report to give the reviewed
 * version. Each correction is validated against the report it applies to and recorded with the
 * values it replaced (`from_*`), which the accuracy dashboard aggregates.
 */
import { z } from 'zod';
import { SonoError } from '../../errors.js';
import type { DublinCoreRecord, Report } from '../../pipeline/report.js';
import { SEGMENT_LABELS } from '../../analysis/segmentation/model.js';
import { buildMetadataGeneration } from '../dublin-core.js';
import { DC_ELEMENTS } from '../oai-dc.js';

const seconds = z.number().finite().min(0);
const DC_FIELDS = DC_ELEMENTS;

export { SEGMENT_LABELS };

/** A correction as a client sends it. */
export const correctionInputSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('move_boundary'),
    lane: z.enum(['segmentation', 'speaker']),
    index: z.number().int().min(0),
    edge: z.enum(['start', 'end']),
    to_sec: seconds,
  }),
  z.object({
    type: z.literal('relabel_segment'),
    index: z.number().int().min(0),
    label: z.enum(SEGMENT_LABELS),
  }),
  z.object({
    type: z.literal('split_segment'),
    lane: z.enum(['segmentation', 'speaker']),
    index: z.number().int().min(0),
    at_sec: seconds,
  }),
  z.object({
    type: z.literal('rename_speaker'),
    speaker: z.string().min(1).max(64),
    name: z.string().trim().min(1).max(200),
  }),
  z.object({
    type: z.literal('merge_speakers'),
    from: z.string().min(1).max(64),
    into: z.string().min(1).max(64),
  }),
  z.object({
    type: z.literal('set_dublin_core'),
    fields: z
      .partialRecord(z.enum(DC_FIELDS), z.array(z.string().trim().min(1).max(4000)).max(50))
      .refine((f) => Object.keys(f).length > 0, 'at least one field'),
  }),
  z.object({ type: z.literal('set_category'), category: z.string().min(1).max(100) }),
  z.object({ type: z.literal('approve'), note: z.string().max(2000).optional() }),
]);

export type CorrectionInput = z.infer<typeof correctionInputSchema>;
export type CorrectionKind = CorrectionInput['type'];

/** A correction as stored: the input plus the values it replaced. */
export type AppliedCorrection = CorrectionInput & Readonly<Record<string, unknown>>;

interface Seg {
  label: string;
  start: number;
  end: number;
  confidence?: number;
  edited?: boolean;
}
interface Turn {
  speaker: string;
  start: number;
  end: number;
  edited?: boolean;
}
interface Speaker {
  id: string;
  name?: string;
  talk_time_sec?: number;
  share?: number;
  turns?: number;
  merged_from?: string[];
  [k: string]: unknown;
}

type Mutable = {
  results: Record<string, Record<string, unknown>>;
  [k: string]: unknown;
};

function invalid(detail: string): SonoError {
  return new SonoError('SONO_ERR_VALIDATION', { detail });
}

const r3 = (x: number): number => Math.round(x * 1000) / 1000;

function okSection(rep: Mutable, name: string): Record<string, unknown> {
  const s = rep.results[name];
  if (s === undefined || s['status'] !== 'ok')
    throw invalid(`section ${name} did not run on this recording: nothing to correct`);
  return s;
}

function laneItems(rep: Mutable, lane: 'segmentation' | 'speaker'): (Seg | Turn)[] {
  return lane === 'segmentation'
    ? (okSection(rep, 'segmentation')['segments'] as Seg[])
    : (okSection(rep, 'speaker_recognition')['turns'] as Turn[]);
}

function durationOf(rep: Mutable): number {
  return Number((rep['audio_info'] as { decoded_duration?: number }).decoded_duration ?? 0);
}

/** Recomputes segmentation summary seconds and ratios after edits. */
function resummarize(seg: Record<string, unknown>, durationSec: number): void {
  const summary: Record<string, { total_sec: number; ratio: number }> = {};
  for (const l of SEGMENT_LABELS) summary[l] = { total_sec: 0, ratio: 0 };
  for (const s of seg['segments'] as Seg[]) {
    const e = (summary[s.label] ??= { total_sec: 0, ratio: 0 });
    e.total_sec += s.end - s.start;
  }
  for (const e of Object.values(summary)) {
    e.ratio =
      durationSec > 0 ? Math.min(1, Math.round((e.total_sec / durationSec) * 1e4) / 1e4) : 0;
    e.total_sec = r3(e.total_sec);
  }
  seg['summary'] = summary;
}

function recountSpeakers(sr: Record<string, unknown>): void {
  const speakers = sr['speakers'] as Speaker[];
  const turns = sr['turns'] as Turn[];
  const total = turns.reduce((a, t) => a + (t.end - t.start), 0);
  for (const sp of speakers) {
    const mine = turns.filter((t) => t.speaker === sp.id);
    sp.talk_time_sec = r3(mine.reduce((a, t) => a + (t.end - t.start), 0));
    sp.share = total > 0 ? Math.round((sp.talk_time_sec / total) * 1000) / 1000 : 0;
  }
  sr['speakers_detected'] = speakers.length;
  const dominant = [...speakers].sort((a, b) => (b.talk_time_sec ?? 0) - (a.talk_time_sec ?? 0))[0];
  sr['dominant_speaker'] = dominant?.id ?? null;
}

/**
 * Applies one correction to `rep` in place and returns it as stored (with replaced values).
 * Throws `SONO_ERR_VALIDATION` naming the bad value when it does not fit the report.
 */
function applyOne(rep: Mutable, c: CorrectionInput): AppliedCorrection {
  const dur = durationOf(rep);
  switch (c.type) {
    case 'move_boundary': {
      const items = laneItems(rep, c.lane);
      const it = items[c.index];
      if (it === undefined)
        throw invalid(`${c.lane} index ${c.index} out of range (0..${items.length - 1})`);
      const to = r3(Math.min(c.to_sec, dur));
      const from = it[c.edge];
      if (c.lane === 'segmentation') {
        // Segments are gap-free: the neighbour's edge moves with this one.
        const prev = items[c.index - 1];
        const next = items[c.index + 1];
        const lo = c.edge === 'start' ? (prev?.start ?? 0) : it.start;
        const hi = c.edge === 'start' ? it.end : (next?.end ?? dur);
        if ((c.edge === 'start' && c.index === 0) || (c.edge === 'end' && next === undefined))
          throw invalid(`the ${c.edge} of the recording cannot move`);
        if (!(to > lo && to < hi))
          throw invalid(`to_sec ${c.to_sec} must lie strictly between ${lo} and ${hi}`);
        it[c.edge] = to;
        if (c.edge === 'start' && prev) prev.end = to;
        if (c.edge === 'end' && next) next.start = to;
        resummarize(okSection(rep, 'segmentation'), dur);
      } else {
        const other = c.edge === 'start' ? it.end : it.start;
        if (c.edge === 'start' ? to >= other : to <= other)
          throw invalid(`to_sec ${c.to_sec} would make the turn empty`);
        it[c.edge] = to;
        recountSpeakers(okSection(rep, 'speaker_recognition'));
      }
      it.edited = true;
      return { ...c, to_sec: to, from_sec: from, moved_sec: r3(Math.abs(to - from)) };
    }
    case 'relabel_segment': {
      const seg = okSection(rep, 'segmentation');
      const items = seg['segments'] as Seg[];
      const it = items[c.index];
      if (it === undefined) throw invalid(`segmentation index ${c.index} out of range`);
      const from = it.label;
      it.label = c.label;
      it.edited = true;
      resummarize(seg, dur);
      return { ...c, from_label: from };
    }
    case 'split_segment': {
      const items = laneItems(rep, c.lane);
      const it = items[c.index];
      if (it === undefined) throw invalid(`${c.lane} index ${c.index} out of range`);
      if (!(c.at_sec > it.start && c.at_sec < it.end))
        throw invalid(`at_sec ${c.at_sec} must lie inside ${it.start}..${it.end}`);
      const at = r3(c.at_sec);
      const tail = { ...it, start: at, edited: true };
      it.end = at;
      it.edited = true;
      items.splice(c.index + 1, 0, tail);
      return { ...c, at_sec: at };
    }
    case 'rename_speaker': {
      const sr = okSection(rep, 'speaker_recognition');
      const sp = (sr['speakers'] as Speaker[]).find((s) => s.id === c.speaker);
      if (sp === undefined) throw invalid(`no speaker ${c.speaker}`);
      const from = sp.name ?? null;
      sp.name = c.name;
      return { ...c, from_name: from };
    }
    case 'merge_speakers': {
      const sr = okSection(rep, 'speaker_recognition');
      const speakers = sr['speakers'] as Speaker[];
      const from = speakers.find((s) => s.id === c.from);
      const into = speakers.find((s) => s.id === c.into);
      if (from === undefined || into === undefined || c.from === c.into)
        throw invalid(`cannot merge ${c.from} into ${c.into}: both must be different speakers`);
      for (const t of sr['turns'] as Turn[]) if (t.speaker === c.from) t.speaker = c.into;
      for (const o of (sr['overlaps'] ?? []) as { speakers?: string[] }[])
        if (o.speakers) o.speakers = o.speakers.map((s) => (s === c.from ? c.into : s));
      into.turns = (into.turns ?? 0) + (from.turns ?? 0);
      into.merged_from = [...(into.merged_from ?? []), c.from, ...(from.merged_from ?? [])];
      speakers.splice(speakers.indexOf(from), 1);
      recountSpeakers(sr);
      return { ...c, from_speakers_detected: speakers.length + 1 };
    }
    case 'set_dublin_core': {
      // Applied after metadata_generation is rebuilt (see applyCorrections).
      return { ...c };
    }
    case 'set_category': {
      const h = okSection(rep, 'heritage_classification');
      const taxonomy = (h['taxonomy'] as string[] | undefined) ?? [];
      if (!taxonomy.includes(c.category) && c.category !== 'unclassified')
        throw invalid(`category "${c.category}" is not in the taxonomy (${taxonomy.join(', ')})`);
      const machine = (h['machine'] as Record<string, unknown> | undefined) ?? {
        predicted_category: h['predicted_category'],
        confidence: h['confidence'],
        uncertain: h['uncertain'],
      };
      const from = h['predicted_category'];
      h['machine'] = machine;
      h['predicted_category'] = c.category;
      h['confidence'] = 1;
      h['uncertain'] = false;
      h['uncertain_reasons'] = [];
      h['category_source'] = 'reviewer';
      return {
        ...c,
        from_category: from,
        machine_category: machine['predicted_category'],
        changed: c.category !== machine['predicted_category'],
      };
    }
    case 'approve':
      return { ...c };
  }
}

export interface ReviewInfo {
  readonly version: number;
  readonly approved: boolean;
  readonly approved_by?: string;
  readonly approved_at?: string;
  readonly corrections: number;
  readonly last_edit_by?: string;
  readonly last_edit_at?: string;
}

export interface StoredCorrectionLike {
  readonly version: number;
  readonly op: Readonly<Record<string, unknown>>;
  readonly actor: string;
  readonly createdAt: string;
}

/** Deep copy of a report as a mutable object (reports are plain JSON). */
function cloneReport(report: Report): Mutable {
  return structuredClone(report) as unknown as Mutable;
}

/**
 * Validates `input` against `current` (the reviewed report so far) and returns the correction
 * to store, with the values it replaces.
 */
export function prepareCorrection(current: Report, input: unknown): AppliedCorrection {
  const parsed = correctionInputSchema.safeParse(input);
  if (!parsed.success)
    throw invalid(
      parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '),
    );
  return applyOne(cloneReport(current), parsed.data);
}

/**
 * The reviewed version: `corrections` (oldest first) replayed on the machine report, the
 * Dublin Core rebuilt from the corrected sections (named speakers become contributors), reviewer
 * Dublin Core edits on top, and a `review` block saying which version this is.
 */
export function applyCorrections(
  machine: Report,
  corrections: readonly StoredCorrectionLike[],
): Report {
  if (corrections.length === 0) return machine;
  const rep = cloneReport(machine);
  const dc: Record<string, string[]> = {};
  let approved: StoredCorrectionLike | undefined;
  for (const c of corrections) {
    const op = c.op as CorrectionInput;
    applyOne(rep, op);
    if (op.type === 'set_dublin_core') Object.assign(dc, op.fields);
    // An edit after an approval needs a new approval.
    approved = op.type === 'approve' ? c : undefined;
  }
  const rebuilt = buildMetadataGeneration(rep as unknown as Report);
  const names = ((rep.results['speaker_recognition']?.['speakers'] ?? []) as Speaker[])
    .map((s) => s.name)
    .filter((n): n is string => n !== undefined);
  const base: Record<string, readonly string[]> = { ...(rebuilt.dublin_core ?? {}) };
  if (names.length > 0)
    base['contributor'] = [...new Set([...(base['contributor'] ?? []), ...names])];
  rep.results['metadata_generation'] = {
    ...rebuilt,
    dublin_core: { ...base, ...dc } as DublinCoreRecord,
  };
  const last = corrections[corrections.length - 1]!;
  const review: ReviewInfo = {
    version: last.version,
    approved: approved !== undefined,
    ...(approved ? { approved_by: approved.actor, approved_at: approved.createdAt } : {}),
    corrections: corrections.filter((c) => (c.op as CorrectionInput).type !== 'approve').length,
    last_edit_by: last.actor,
    last_edit_at: last.createdAt,
  };
  rep['review'] = review;
  return rep as unknown as Report;
}
