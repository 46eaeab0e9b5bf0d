/**
 * Moves a report's audio fingerprint into the store: the triplets go to the fingerprints table
 * and its inverted index, the stored report keeps the section without `data` (`stored: true`).
 */
import { FINGERPRINT_ENCODING, type FingerprintSection } from '../analysis/fingerprint/index.js';
import type { Report } from '../pipeline/report.js';
import type { Store } from '../store/types.js';

export async function storeFingerprint(
  store: Store,
  report: Report,
  sha256: string,
): Promise<Report> {
  const results = report.results as unknown as Record<string, unknown>;
  const section = results['audio_fingerprint'] as FingerprintSection | undefined;
  if (section?.status !== 'ok' || section.data === undefined) return report;
  if (section.encoding !== FINGERPRINT_ENCODING) return report;
  await store.fingerprints.put({
    sha256,
    taskId: report.task_id ?? null,
    sourceName: report.source.file_name,
    durationSec: section.duration_sec ?? report.audio_info.decoded_duration,
    pcmMd5: section.pcm_md5 ?? null,
    encoding: section.encoding,
    data: Buffer.from(section.data, 'base64'),
  });
  const { data: _data, ...rest } = section;
  return {
    ...report,
    results: {
      ...report.results,
      audio_fingerprint: { ...rest, stored: true },
    } as Report['results'],
  };
}
