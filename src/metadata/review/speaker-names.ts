/**
 * Confirmed voice names in the served report: a speaker a person named (`sonoteca voices name`,
 * the web page, or a confirmed suggestion) carries that `name`, and the name joins the Dublin Core
 * contributors with `source: 'person'` provenance. Suggestions never reach here: the caller passes
 * confirmed names only, so exports (oai_dc, RTTM, WebVTT, EBUCore) never show an unconfirmed name.
 * A name a reviewer gave through a correction (`rename_speaker`) wins over a voice name.
 */
import type {
  DcValueProvenance,
  DublinCoreRecord,
  MetadataGenerationSection,
  Report,
} from '../../report/index.js';

interface NamedSpeaker {
  readonly id: string;
  readonly name?: string;
}

/**
 * @param confirmed - speaker id → the name a person confirmed for that speaker's voice.
 * @returns the report itself when nothing changes, else a copy with the names applied.
 */
export function applyConfirmedSpeakerNames(
  report: Report,
  confirmed: ReadonlyMap<string, string>,
): Report {
  const sec = report.results.speaker_recognition as
    { status?: string; speakers?: readonly NamedSpeaker[] } | undefined;
  if (confirmed.size === 0 || sec?.status !== 'ok' || !Array.isArray(sec.speakers)) return report;
  const added: string[] = [];
  const speakers = sec.speakers.map((s) => {
    const name = confirmed.get(s.id);
    if (s.name !== undefined || name === undefined) return s;
    added.push(name);
    return { ...s, name };
  });
  if (added.length === 0) return report;
  // Partial reports (tests, older documents) may lack the section: start from an empty record.
  const mg: MetadataGenerationSection =
    report.results.metadata_generation ?? ({ status: 'ok' } as MetadataGenerationSection);
  const dc: DublinCoreRecord = mg.dublin_core ?? {};
  const existing = new Set(dc.contributor ?? []);
  const fresh = [...new Set(added)].filter((n) => !existing.has(n));
  const provenance: DcValueProvenance[] = fresh.map((value) => ({
    element: 'contributor',
    value,
    source: 'person',
    field: 'voices.confirmed_name',
  }));
  return {
    ...report,
    results: {
      ...report.results,
      speaker_recognition: { ...report.results.speaker_recognition, speakers },
      metadata_generation: {
        ...mg,
        dublin_core: { ...dc, contributor: [...existing, ...fresh] },
        ...(mg.provenance ? { provenance: [...mg.provenance, ...provenance] } : {}),
      },
    },
  };
}
