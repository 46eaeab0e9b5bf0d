/**
 * Duplicates of one task's recording among every fingerprinted recording in the store: the
 * service function behind `GET /api/v1/tasks/{id}/duplicates`.
 */
import {
  decodePoints,
  DUPLICATES_SCHEMA_VERSION,
  exactPair,
  findDuplicatesOf,
  type DuplicatePair,
  type FingerprintedRecording,
  type FingerprintIndex,
} from '../analysis/fingerprint/index.js';
import { SonoError } from '../errors.js';
import type { Store, StoredFingerprint, Task } from '../store/types.js';

export interface TaskDuplicate extends DuplicatePair {
  /** The other recording's task (the first that analysed that content) and file name. */
  readonly b_task_id: string | null;
  readonly b_file_name: string | null;
}

export interface TaskDuplicates {
  readonly schema_version: string;
  readonly task_id: string;
  readonly pairs: readonly TaskDuplicate[];
}

function recordingOf(fp: StoredFingerprint): FingerprintedRecording {
  return {
    id: String(fp.id),
    durationSec: fp.durationSec,
    pcmMd5: fp.pcmMd5,
    points: decodePoints(fp.data),
  };
}

/** The store's inverted index as the matcher's index. */
export function storeIndex(store: Store): FingerprintIndex {
  return {
    async lookup(hashes) {
      return (await store.fingerprints.lookup(hashes)).map((p) => ({
        hash: p.hash,
        recordingId: String(p.fingerprintId),
        timeSec: p.timeMs / 1000,
        lfSt: p.lf / 32,
      }));
    },
  };
}

export async function findTaskDuplicates(store: Store, task: Task): Promise<TaskDuplicates> {
  const fp =
    (task.sha256 !== null ? await store.fingerprints.findBySha256(task.sha256) : undefined) ??
    (await store.fingerprints.findByTask(task.id));
  if (!fp) {
    throw new SonoError('SONO_ERR_CONFLICT', {
      detail: `task ${task.id} has no audio fingerprint (status ${task.status}, processing type ${task.processingType}; the technical type computes none)`,
    });
  }
  const query = recordingOf(fp);
  const others = new Map<string, StoredFingerprint>();
  const load = async (id: string): Promise<FingerprintedRecording | undefined> => {
    const other = others.get(id) ?? (await store.fingerprints.get(Number(id)));
    if (!other) return undefined;
    others.set(id, other);
    return recordingOf(other);
  };
  const pairs: DuplicatePair[] = await findDuplicatesOf(query, storeIndex(store), load);
  // Exact copies of the decoded audio the matcher did not list (e.g. too short to align).
  if (fp.pcmMd5 !== null) {
    for (const same of await store.fingerprints.findByPcmMd5(fp.pcmMd5)) {
      if (same.id === fp.id || pairs.some((p) => p.b === String(same.id))) continue;
      others.set(String(same.id), same);
      pairs.push(exactPair(query, recordingOf(same)));
    }
  }
  return {
    schema_version: DUPLICATES_SCHEMA_VERSION,
    task_id: task.id,
    pairs: pairs.map((p) => {
      const other = others.get(p.b);
      return {
        ...p,
        a: task.id,
        b: other?.taskId ?? other?.sha256 ?? p.b,
        b_task_id: other?.taskId ?? null,
        b_file_name: other?.sourceName ?? null,
      };
    }),
  };
}
