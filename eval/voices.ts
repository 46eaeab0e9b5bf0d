/**
 * Voice matching evaluation: the per-speaker embeddings exactly as the pipeline stores them
 * (`speaker_recognition.speakers[i].embedding`, neural diarizer, processing type `speech`) for
 * every AMI excerpt of the corpus. Several excerpts share participants (the RTTM speaker ids), so
 * every pair of speakers from two different recordings is a trial: "same" when both carry the
 * same reference participant.
 *
 * A hypothesis speaker is labelled with the reference participant it overlaps most inside the
 * annotated region (the UEM, 0–30 s); speakers with < 1 s of overlap or < 50 % purity stay
 * unlabelled and out of the trials (the table says how many).
 *
 * Reports EER on the cosine similarity, then fits the logistic calibration on the same trials
 * (the parameters to paste into CALIBRATIONS in src/analysis/voiceprint/voice-match.ts) and
 * reports how the suggestion threshold behaves with it, plus a leave-one-meeting-out check of
 * the calibration (fit without the trials touching one meeting group, score those).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  parseRttm,
  parseUem,
  type SpeakerTurn,
  type TimeRegion,
} from '../src/analysis/diarization/der.js';
import { OnnxCampplusEmbeddingEngine } from '../src/analysis/diarization/engines/onnx-campplus-embedding-engine.js';
import type { SpeakerRecognitionSection } from '../src/analysis/diarization/types.js';
import { computeKaldiFbank } from '../src/dsp/fbank.js';
import {
  calibratedScore,
  cosineSimilarity,
  equalErrorRate,
  fitCalibration,
  SUGGESTION_MIN_SCORE,
  type VoiceCalibration,
} from '../src/analysis/voiceprint/voice-match.js';
import { analyzeFile } from '../src/pipeline/analyze-file.js';
import { markdownTable, type Evaluation } from './common.js';
import { decodeMono16k } from './speech-harness.js';

interface LabelledVoice {
  readonly file: string;
  readonly speaker: string;
  readonly participant: string | null;
  readonly purity: number;
  readonly model: string;
  readonly vector: readonly number[];
}

interface Trial {
  readonly a: LabelledVoice;
  readonly b: LabelledVoice;
  readonly cosine: number;
  readonly same: boolean;
}

function overlapSec(a: SpeakerTurn, b: SpeakerTurn, uem: readonly TimeRegion[]): number {
  let s = 0;
  for (const u of uem) {
    const lo = Math.max(a.start, b.start, u.start);
    const hi = Math.min(a.end, b.end, u.end);
    if (hi > lo) s += hi - lo;
  }
  return s;
}

/** Labels each hypothesis speaker with the reference participant it overlaps most (in the UEM). */
export function labelSpeakers(
  hyp: readonly SpeakerTurn[],
  ref: readonly SpeakerTurn[],
  uem: readonly TimeRegion[],
): Map<string, { participant: string | null; purity: number }> {
  const bySpeaker = new Map<string, Map<string, number>>();
  for (const h of hyp) {
    const m = bySpeaker.get(h.speaker) ?? new Map<string, number>();
    bySpeaker.set(h.speaker, m);
    for (const r of ref) {
      const o = overlapSec(h, r, uem);
      if (o > 0) m.set(r.speaker, (m.get(r.speaker) ?? 0) + o);
    }
  }
  const out = new Map<string, { participant: string | null; purity: number }>();
  for (const [spk, m] of bySpeaker) {
    const total = [...m.values()].reduce((x, y) => x + y, 0);
    const best = [...m.entries()].sort((x, y) => y[1] - x[1])[0];
    const purity = best && total > 0 ? best[1] / total : 0;
    out.set(spk, {
      participant: best && best[1] >= 1 && purity >= 0.5 ? best[0] : null,
      purity,
    });
  }
  return out;
}

async function voicesOf(
  wav: string,
  file: string,
  ref: SpeakerTurn[],
  uem: TimeRegion[],
): Promise<LabelledVoice[]> {
  const report = await analyzeFile(wav, {
    processingType: 'speech',
    options: { analyzerOptions: { diarization: { engine: 'neural' } } },
  });
  const sec = report.results.speaker_recognition as SpeakerRecognitionSection;
  if (sec.status !== 'ok') throw new Error(`${file}: speaker_recognition ${sec.status}`);
  const labels = labelSpeakers(sec.turns ?? [], ref, uem);
  return (sec.speakers ?? []).flatMap((s) =>
    s.embedding
      ? [
          {
            file,
            speaker: s.id,
            participant: labels.get(s.id)?.participant ?? null,
            purity: labels.get(s.id)?.purity ?? 0,
            model: s.embedding.model,
            vector: s.embedding.vector,
          },
        ]
      : [],
  );
}

/** Every pair of labelled voices from two different recordings. */
export function buildTrials(voices: readonly LabelledVoice[]): Trial[] {
  const labelled = voices.filter((v) => v.participant !== null);
  const trials: Trial[] = [];
  for (let i = 0; i < labelled.length; i++) {
    for (let j = i + 1; j < labelled.length; j++) {
      const a = labelled[i]!;
      const b = labelled[j]!;
      if (a.file === b.file || a.model !== b.model) continue;
      trials.push({
        a,
        b,
        cosine: cosineSimilarity(a.vector, b.vector),
        same: a.participant === b.participant,
      });
    }
  }
  return trials;
}

/**
 * Reference ("oracle") voices: the same CAM++ engine on each participant's own reference turns
 * inside the UEM, overlapped speech left out. Separates what the embedding model can do from
 * what the diarization in front of it loses.
 */
async function oracleVoices(
  wav: string,
  file: string,
  ref: readonly SpeakerTurn[],
  uem: readonly TimeRegion[],
  engine: OnnxCampplusEmbeddingEngine,
): Promise<LabelledVoice[]> {
  const samples = await decodeMono16k(wav);
  const out: LabelledVoice[] = [];
  for (const participant of [...new Set(ref.map((t) => t.speaker))].sort()) {
    const parts: Float32Array[] = [];
    for (const u of uem) {
      for (let t = Math.ceil(u.start * 100); t < Math.floor(u.end * 100); t++) {
        const sec = t / 100;
        const active = ref.filter((r) => r.start <= sec && sec < r.end).map((r) => r.speaker);
        if (active.length === 1 && active[0] === participant)
          parts.push(samples.subarray(t * 160, t * 160 + 160));
      }
    }
    const clean = new Float32Array(parts.length * 160);
    parts.forEach((p, i) => clean.set(p, i * 160));
    const fb = computeKaldiFbank(clean, { nMels: engine.nMels });
    if (fb.nFrames < engine.minFrames) continue;
    const v = await engine.embed(fb.data, fb.nFrames);
    out.push({
      file,
      speaker: participant,
      participant,
      purity: 1,
      model: engine.model.id,
      vector: [...v],
    });
  }
  return out;
}

/** The voices with the collection's mean embedding removed (re-normalised): no labels used. */
export function centreVoices(voices: readonly LabelledVoice[]): LabelledVoice[] {
  const dim = voices[0]?.vector.length ?? 0;
  const mean = new Float64Array(dim);
  for (const v of voices) for (let i = 0; i < dim; i++) mean[i]! += v.vector[i]! / voices.length;
  return voices.map((v) => ({ ...v, vector: v.vector.map((x, i) => x - mean[i]!) }));
}

const pct = (x: number): string => (Number.isFinite(x) ? `${(100 * x).toFixed(1)} %` : 'n/a');
const f3 = (x: number): string => (Number.isFinite(x) ? x.toFixed(3) : 'n/a');

/** AMI meeting groups: excerpts whose participant ids overlap belong together. */
function meetingGroups(voices: readonly LabelledVoice[]): Map<string, number> {
  const files = [...new Set(voices.map((v) => v.file))];
  const parent = new Map(files.map((f) => [f, f]));
  const find = (f: string): string => {
    while (parent.get(f) !== f) f = parent.get(f)!;
    return f;
  };
  const byParticipant = new Map<string, string>();
  for (const v of voices) {
    if (v.participant === null) continue;
    const first = byParticipant.get(v.participant);
    if (first === undefined) byParticipant.set(v.participant, v.file);
    else parent.set(find(v.file), find(first));
  }
  const ids = new Map<string, number>();
  const out = new Map<string, number>();
  for (const f of files) {
    const root = find(f);
    if (!ids.has(root)) ids.set(root, ids.size);
    out.set(f, ids.get(root)!);
  }
  return out;
}

function errorsAt(
  trials: readonly Trial[],
  cal: VoiceCalibration,
  threshold: number,
): { falseAccepts: number; falseRejects: number } {
  let falseAccepts = 0;
  let falseRejects = 0;
  for (const t of trials) {
    const accept = calibratedScore(t.cosine, cal) >= threshold;
    if (accept && !t.same) falseAccepts++;
    if (!accept && t.same) falseRejects++;
  }
  return { falseAccepts, falseRejects };
}

export const voicesEvaluation: Evaluation = {
  id: 'voices',
  title: 'Voice matching across recordings (AMI participants)',
  async run(corpus) {
    const dir = join(corpus, 'conversation');
    const ref = parseRttm(readFileSync(join(dir, 'ami-debug.rttm'), 'utf8'), 'ami-debug.rttm');
    const uem = parseUem(readFileSync(join(dir, 'ami-debug.uem'), 'utf8'), 'ami-debug.uem');
    const files = readdirSync(dir)
      .filter((f) => /^ami-.*\.wav$/.test(f))
      .sort();
    const voices: LabelledVoice[] = [];
    const oracle: LabelledVoice[] = [];
    const engine = new OnnxCampplusEmbeddingEngine();
    for (const f of files) {
      const id = f.replace(/\.wav$/, '');
      oracle.push(
        ...(await oracleVoices(join(dir, f), id, ref.get(id) ?? [], uem.get(id) ?? [], engine)),
      );
      const v = await voicesOf(join(dir, f), id, ref.get(id) ?? [], uem.get(id) ?? []);
      console.log(
        `${id}: ${v.map((x) => `${x.speaker}→${x.participant ?? '?'} (${pct(x.purity)})`).join(', ')}`,
      );
      voices.push(...v);
    }
    const models = [...new Set(voices.map((v) => v.model))];
    const trials = buildTrials(voices);
    const pos = trials.filter((t) => t.same);
    const neg = trials.filter((t) => !t.same);
    const eer = equalErrorRate(trials.map((t) => ({ score: t.cosine, same: t.same })));
    const source =
      `fitted by eval/voices.ts on ${trials.length} cross-recording AMI trials ` +
      `(${pos.length} same, ${neg.length} different), ${new Date().toISOString().slice(0, 10)}`;
    const cal = fitCalibration(trials, source);
    const at = errorsAt(trials, cal, SUGGESTION_MIN_SCORE);

    // Leave one meeting group out: fit on the other trials, score the held-out ones.
    const group = meetingGroups(voices);
    let heldFa = 0;
    let heldFr = 0;
    for (const g of new Set(group.values())) {
      const touches = (t: Trial): boolean => group.get(t.a.file) === g || group.get(t.b.file) === g;
      const train = trials.filter((t) => !touches(t));
      const test = trials.filter(touches);
      if (train.every((t) => !t.same) || test.length === 0) {
        // Without a same-speaker trial to fit on, fall back to the full fit for this fold.
        const e = errorsAt(test, cal, SUGGESTION_MIN_SCORE);
        heldFa += e.falseAccepts;
        heldFr += e.falseRejects;
        continue;
      }
      const e = errorsAt(test, fitCalibration(train, 'fold'), SUGGESTION_MIN_SCORE);
      heldFa += e.falseAccepts;
      heldFr += e.falseRejects;
    }

    const eerOf = (ts: readonly Trial[]) => {
      const e = equalErrorRate(ts.map((t) => ({ score: t.cosine, same: t.same })));
      const p = ts.filter((t) => t.same).length;
      return `${pct(e.eer)} (${p} same / ${ts.length - p} different)`;
    };
    const pipelineCentred = buildTrials(centreVoices(voices));
    const oracleTrials = buildTrials(oracle);
    const oracleCentred = buildTrials(centreVoices(oracle));
    const labelled = voices.filter((v) => v.participant !== null).length;
    const table = markdownTable(
      ['measure', 'value', 'target'],
      [
        ['recordings (AMI excerpts)', files.length, ''],
        ['embedding model', models.join(', '), ''],
        ['diarized speakers with an embedding', voices.length, ''],
        ['… labelled with a reference participant', labelled, ''],
        ['trials (cross-recording pairs)', trials.length, ''],
        ['… same participant / different', `${pos.length} / ${neg.length}`, ''],
        ['EER (cosine) — the pipeline’s stored embeddings', pct(eer.eer), '≤ 10 %'],
        ['EER, collection mean removed (pipeline)', eerOf(pipelineCentred), ''],
        ['EER, reference turns (oracle diarization)', eerOf(oracleTrials), ''],
        ['EER, reference turns, collection mean removed', eerOf(oracleCentred), ''],
        ['cosine at the EER', f3(eer.threshold), ''],
        [
          'mean cosine same / different',
          `${f3(pos.reduce((s, t) => s + t.cosine, 0) / pos.length)} / ${f3(neg.reduce((s, t) => s + t.cosine, 0) / neg.length)}`,
          '',
        ],
        [
          'calibration p = 1/(1+exp(−(a·cos+b)))',
          `a = ${cal.slope.toFixed(3)}, b = ${cal.intercept.toFixed(3)}`,
          '',
        ],
        [
          `cosine where p = ${SUGGESTION_MIN_SCORE}`,
          f3(
            (Math.log(SUGGESTION_MIN_SCORE / (1 - SUGGESTION_MIN_SCORE)) - cal.intercept) /
              cal.slope,
          ),
          '',
        ],
        [
          `at p ≥ ${SUGGESTION_MIN_SCORE}: false suggestions / missed (fit on all)`,
          `${at.falseAccepts} of ${neg.length} / ${at.falseRejects} of ${pos.length}`,
          '',
        ],
        [
          `at p ≥ ${SUGGESTION_MIN_SCORE}: same, leave one meeting out`,
          `${heldFa} of ${neg.length} / ${heldFr} of ${pos.length}`,
          '',
        ],
      ],
    );
    const same = markdownTable(
      ['a', 'b', 'participant', 'cosine', 'p (calibrated)'],
      pos
        .sort((x, y) => x.cosine - y.cosine)
        .map((t) => [
          `${t.a.file} ${t.a.speaker}`,
          `${t.b.file} ${t.b.speaker}`,
          t.a.participant ?? '',
          f3(t.cosine),
          f3(calibratedScore(t.cosine, cal)),
        ]),
    );
    const hardest = markdownTable(
      ['a', 'b', 'participants', 'cosine', 'p (calibrated)'],
      [...neg]
        .sort((x, y) => y.cosine - x.cosine)
        .slice(0, 5)
        .map((t) => [
          `${t.a.file} ${t.a.speaker}`,
          `${t.b.file} ${t.b.speaker}`,
          `${t.a.participant} / ${t.b.participant}`,
          f3(t.cosine),
          f3(calibratedScore(t.cosine, cal)),
        ]),
    );
    console.log(table);
    console.log(same);
    console.log(hardest);
    console.log(
      `CALIBRATIONS['${models[0]}'] = { slope: ${cal.slope.toFixed(3)}, intercept: ${cal.intercept.toFixed(3)} }`,
    );
    return [
      'The per-speaker embeddings as the pipeline stores them (`speaker_recognition.speakers[i].embedding`,',
      'neural diarizer on each 30 s excerpt), every pair of speakers from two different AMI excerpts',
      'as a trial; a speaker is labelled with the RTTM participant it overlaps most inside the UEM',
      '(0–30 s), and left out below 1 s of overlap or 50 % purity. The calibration is fitted on these',
      'same trials (few same-participant pairs exist in the corpus: read the held-out row as the honest',
      'one) and stored in `CALIBRATIONS` of `src/analysis/voiceprint/voice-match.ts`.',
      '',
      table,
      '',
      'Same-participant trials:',
      '',
      same,
      '',
      'The five most similar different-participant trials:',
      '',
      hardest,
    ].join('\n');
  },
};
