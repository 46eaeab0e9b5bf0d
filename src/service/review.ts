/**
 * Review service functions (issue 11): the reviewed version of a result, corrections, review
 * summaries for the collection and the queue, the accuracy dashboard and the labels export.
 * Routes stay thin: they validate, call these, and map the result.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { SonoError } from '../errors.js';
import {
  applyConfirmedSpeakerNames,
  applyCorrections,
  prepareCorrection,
  summarizeFailure,
  summarizeForReview,
  type AppliedCorrection,
} from '../metadata/review/index.js';
import type { Report } from '../pipeline/report.js';
import { reportForTask } from '../pipeline/report-identity.js';
import type { Correction, JsonObject, Store, Task, TaskReview } from '../store/types.js';
import { audit } from './audit.js';
import { actorOf } from './principal.js';
import type { Accuracy, CorrectionView } from './schemas/review.js';
import { confirmedSpeakerNames } from './voices.js';

/** Which version of a result to serve: the reviewed one (default) or the machine's. */
export type ReportVersion = 'reviewed' | 'machine';

/** The machine report of a completed task, addressed to this task (id, path, name, title). */
export async function loadMachineReport(store: Store, task: Task): Promise<Report> {
  if (task.status !== 'completed')
    throw new SonoError('SONO_ERR_CONFLICT', {
      detail: `task ${task.id} is ${task.status}${task.errorCode ? ` (${task.errorCode})` : ''}; results exist only for completed tasks`,
    });
  const r = task.resultId === null ? undefined : await store.results.get(task.resultId);
  if (r === undefined)
    throw new SonoError('SONO_ERR_INTERNAL', {
      detail: `result of completed task ${task.id} is missing`,
    });
  // A cached result was analysed for another submission: address it to this task's own file.
  return reportForTask(JSON.parse(r.reportJson) as Report, task);
}

/**
 * The report as served: the machine's with every stored correction replayed and the voice names
 * people confirmed (unless `machine`).
 */
export async function loadVersionedReport(
  store: Store,
  task: Task,
  version: ReportVersion = 'reviewed',
): Promise<Report> {
  const machine = await loadMachineReport(store, task);
  if (version === 'machine') return machine;
  const reviewed = applyCorrections(machine, await store.reviews.listCorrections(task.id));
  // Voice names a person confirmed (never suggestions) are part of the reviewed version.
  return task.sha256 === null
    ? reviewed
    : applyConfirmedSpeakerNames(reviewed, await confirmedSpeakerNames(store, task.sha256));
}

/** Recomputes the review summary of a finished task from its reviewed report. */
export async function refreshSummary(store: Store, task: Task): Promise<TaskReview | undefined> {
  if (task.status === 'failed') {
    return store.reviews.upsertSummary({
      taskId: task.id,
      resultId: null,
      ...summarizeFailure(),
      version: 0,
      reviewed: false,
      reviewedBy: null,
      reviewedAt: null,
    });
  }
  if (task.status !== 'completed') return undefined;
  const corrections = await store.reviews.listCorrections(task.id);
  const report = applyCorrections(await loadMachineReport(store, task), corrections);
  const s = summarizeForReview(report, task.originalName);
  const review = (
    report as unknown as {
      review?: { approved: boolean; approved_by?: string; approved_at?: string };
    }
  ).review;
  return store.reviews.upsertSummary({
    taskId: task.id,
    resultId: task.resultId,
    ...s,
    version: corrections.at(-1)?.version ?? 0,
    reviewed: review?.approved === true,
    reviewedBy: review?.approved_by ?? null,
    reviewedAt: review?.approved_at ?? null,
  });
}

/**
 * Computes the summaries still missing (tasks finished since the last call), at most `max` per
 * call, so listings stay fast; a summary that cannot be computed is skipped, never invented.
 */
export async function syncSummaries(store: Store, max = 200): Promise<number> {
  const tasks = await store.reviews.listUnsummarized(max);
  let n = 0;
  for (const t of tasks) {
    try {
      if ((await refreshSummary(store, t)) !== undefined) n++;
    } catch {
      // A missing result row is reported by the results route; the listing goes on.
    }
  }
  return n;
}

/**
 * Validates and stores one correction as the next version of the task's result, refreshes the
 * summary and writes the audit log. `baseVersion`: the version the reviewer saw (optimistic lock).
 */
export async function addCorrection(
  store: Store,
  req: FastifyRequest,
  task: Task,
  input: unknown,
  baseVersion: number | undefined,
): Promise<{ correction: Correction; report: Report }> {
  const existing = await store.reviews.listCorrections(task.id);
  const current = existing.at(-1)?.version ?? 0;
  if (baseVersion !== undefined && baseVersion !== current)
    throw new SonoError('SONO_ERR_CONFLICT', {
      detail: `the result is at version ${current}, the edit was made on version ${baseVersion}: reload`,
    });
  const machine = await loadMachineReport(store, task);
  const applied: AppliedCorrection = prepareCorrection(applyCorrections(machine, existing), input);
  const correction = await store.reviews.appendCorrection({
    taskId: task.id,
    expectedVersion: current,
    kind: applied.type,
    op: applied as JsonObject,
    actor: actorOf(req.principal),
  });
  const report = applyCorrections(machine, [...existing, correction]);
  await refreshSummary(store, task);
  await audit(
    store,
    req,
    applied.type === 'approve' ? 'result.approved' : 'result.corrected',
    { type: 'task', id: task.id },
    { version: correction.version, correction: applied as JsonObject },
  );
  return { correction, report };
}

export function correctionView(c: Correction): CorrectionView {
  return {
    version: c.version,
    kind: c.kind,
    correction: c.op,
    actor: c.actor,
    created_at: c.createdAt,
  };
}

interface Counter {
  recordings: Set<string>;
}

/**
 * How much reviewers changed, per analyzer, over every stored correction: the measured accuracy
 * of the machine on this archive's own material.
 */
export async function computeAccuracy(store: Store): Promise<Accuracy> {
  const all = await store.reviews.listCorrectionsByKind([
    'set_category',
    'move_boundary',
    'relabel_segment',
    'split_segment',
    'rename_speaker',
    'merge_speakers',
    'set_dublin_core',
    'approve',
  ]);
  // The last category decision per recording counts (a reviewer may change their mind).
  const category = new Map<string, { machine: string; final: string }>();
  const seg = {
    boundary_moves: 0,
    moved_sec: [] as number[],
    relabels: 0,
    splits: 0,
    ...{ recordings: new Set<string>() },
  };
  const spk = {
    boundary_moves: 0,
    moved_sec: [] as number[],
    splits: 0,
    renames: 0,
    merges: 0,
    recordings: new Set<string>(),
  };
  const dc: Counter & { edits: number } = { edits: 0, recordings: new Set<string>() };
  const approved = new Set<string>();
  const relabelPairs: Record<string, number> = {};
  for (const c of all) {
    const op = c.op as Record<string, unknown>;
    switch (c.kind) {
      case 'set_category':
        category.set(c.taskId, {
          machine: String(op['machine_category']),
          final: String(op['category']),
        });
        break;
      case 'move_boundary': {
        const target = op['lane'] === 'speaker' ? spk : seg;
        target.boundary_moves++;
        target.moved_sec.push(Number(op['moved_sec'] ?? 0));
        target.recordings.add(c.taskId);
        break;
      }
      case 'split_segment': {
        const target = op['lane'] === 'speaker' ? spk : seg;
        target.splits++;
        target.recordings.add(c.taskId);
        break;
      }
      case 'relabel_segment': {
        seg.relabels++;
        seg.recordings.add(c.taskId);
        const k = `${String(op['from_label'])}→${String(op['label'])}`;
        relabelPairs[k] = (relabelPairs[k] ?? 0) + 1;
        break;
      }
      case 'rename_speaker':
        spk.renames++;
        spk.recordings.add(c.taskId);
        break;
      case 'merge_speakers':
        spk.merges++;
        spk.recordings.add(c.taskId);
        break;
      case 'set_dublin_core':
        dc.edits++;
        dc.recordings.add(c.taskId);
        break;
      case 'approve':
        approved.add(c.taskId);
        break;
    }
  }
  const decisions = [...category.values()];
  const changed = decisions.filter((d) => d.machine !== d.final);
  const confusion: Record<string, number> = {};
  for (const d of changed) {
    const k = `${d.machine}→${d.final}`;
    confusion[k] = (confusion[k] ?? 0) + 1;
  }
  const stats = (xs: number[]) => ({
    total_sec: Math.round(xs.reduce((a, b) => a + b, 0) * 1000) / 1000,
    mean_sec: xs.length
      ? Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 1000) / 1000
      : null,
    max_sec: xs.length ? Math.max(...xs) : null,
  });
  return {
    approved_recordings: approved.size,
    analyzers: [
      {
        analyzer: 'heritage_classification',
        recordings_with_decision: decisions.length,
        category_changes: changed.length,
        category_accepted: decisions.length - changed.length,
        accuracy: decisions.length
          ? Math.round(((decisions.length - changed.length) / decisions.length) * 1000) / 1000
          : null,
        changes: confusion,
      },
      {
        analyzer: 'segmentation',
        recordings_corrected: seg.recordings.size,
        boundary_moves: seg.boundary_moves,
        boundary_move: stats(seg.moved_sec),
        relabels: seg.relabels,
        relabel_changes: relabelPairs,
        splits: seg.splits,
      },
      {
        analyzer: 'speaker_recognition',
        recordings_corrected: spk.recordings.size,
        speaker_renames: spk.renames,
        speaker_merges: spk.merges,
        boundary_moves: spk.boundary_moves,
        boundary_move: stats(spk.moved_sec),
        splits: spk.splits,
      },
      {
        analyzer: 'metadata_generation',
        recordings_corrected: dc.recordings.size,
        dublin_core_edits: dc.edits,
      },
    ],
  };
}

function csvCell(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * Approved recordings with their reviewed heritage category, as the labels CSV `sonoteca train`
 * reads (`path,category,source`): paths are the stored files on this server.
 */
export async function buildLabelsCsv(store: Store): Promise<string> {
  const lines = ['path,category,source'];
  for (let offset = 0; ; offset += 1000) {
    const page = await store.reviews.listCollection({
      reviewed: true,
      status: ['completed'],
      sort: 'created_at',
      order: 'asc',
      limit: 1000,
      offset,
    });
    for (const { task, review } of page.items) {
      if (review?.category == null || review.category === 'unclassified') continue;
      lines.push(
        [task.sourcePath, review.category, task.originalName ?? task.id].map(csvCell).join(','),
      );
    }
    if (page.items.length < 1000) break;
  }
  return `${lines.join('\n')}\n`;
}

/** How long a signed audio URL stays valid. */
export const AUDIO_URL_TTL_SEC = 3600;

function audioSignature(secret: string, taskId: string, expSec: number): string {
  return createHmac('sha256', secret).update(`audio:${taskId}:${expSec}`).digest('base64url');
}

/**
 * A URL that plays one recording for an hour without an Authorization header: an `<audio>`
 * element cannot send one, and a blob download would fetch a 3-hour file whole instead of by range.
 */
export function signAudioUrl(secret: string, taskId: string, nowMs = Date.now()): string {
  const exp = Math.floor(nowMs / 1000) + AUDIO_URL_TTL_SEC;
  return `/api/v1/tasks/${taskId}/audio?exp=${exp}&sig=${audioSignature(secret, taskId, exp)}`;
}

export function verifyAudioSignature(
  secret: string,
  taskId: string,
  exp: number,
  sig: string,
  nowMs = Date.now(),
): boolean {
  if (!Number.isInteger(exp) || exp * 1000 < nowMs) return false;
  const want = Buffer.from(audioSignature(secret, taskId, exp));
  const got = Buffer.from(sig);
  return want.length === got.length && timingSafeEqual(want, got);
}
