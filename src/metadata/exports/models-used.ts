/**
 * The engines and models an analysis used, read from the report (each section names its own):
 * the agent detail of the preservation exports.
 */
import type { Report } from '../../report/index.js';

export interface ModelUsed {
  /** Report section, e.g. `voice_activity`. */
  readonly section: string;
  /** Analyzer name and version. */
  readonly analyzer: string;
  /** Engine/model id and version or file, when the section names one. */
  readonly model?: string;
}

type Dict = Readonly<Record<string, unknown>>;
const isDict = (v: unknown): v is Dict => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

function modelOf(s: Dict): string | undefined {
  const parts: string[] = [];
  const engine = s['engine'];
  if (isDict(engine))
    parts.push([str(engine['id']), str(engine['model'])].filter(Boolean).join(' '));
  const model = s['model'];
  if (isDict(model)) {
    const name = str(model['name']);
    const version = str(model['version']);
    const trained = model['trained'] === true ? ' (trained)' : '';
    if (name || version) parts.push(`${name ?? 'model'}${version ? ` ${version}` : ''}${trained}`);
  }
  const mv = str(s['model_version']);
  if (mv) parts.push(`model ${mv}`);
  const emb = str(s['embedding_engine']);
  if (emb) parts.push(`embedding ${emb}`);
  const joined = parts.filter(Boolean).join('; ');
  return joined || undefined;
}

/** One entry per section with status ok that names its analyzer, in report order. */
export function modelsUsed(report: Report): ModelUsed[] {
  const out: ModelUsed[] = [];
  for (const [section, s] of Object.entries(report.results)) {
    if (!isDict(s) || s['status'] !== 'ok' || !isDict(s['analyzer'])) continue;
    const a = s['analyzer'];
    const model = modelOf(s);
    out.push({
      section,
      analyzer: `${String(a['name'])} ${String(a['version'])}`,
      ...(model ? { model } : {}),
    });
  }
  return out;
}

/** `voice_activity: voice-activity 1.0.0 (silero-v5 silero_vad_16k_op15.onnx)` */
export function describeModel(m: ModelUsed): string {
  return `${m.section}: ${m.analyzer}${m.model ? ` (${m.model})` : ''}`;
}
