/** Recording view: timeline, readable report sections and (for archivists) corrections. */
import type {
  AudioUrl,
  CorrectionBody,
  Corrections,
  Peaks,
} from '../../../src/service/schemas/review.js';
import type { ServedReport } from '../../../src/service/schemas/tasks.js';
import { api, blobUrl, canEdit, currentSession } from '../api.js';
import { duplicatesCard } from '../components/duplicates-card.js';
import { SEGMENT_COLORS, Timeline, type Lane } from '../components/timeline.js';
import { voicesCard } from '../components/voices-card.js';
import { fmtDuration, fmtTime, h, pretty, toast } from '../dom.js';

/*
 * The report's sections are typed `SectionBase & Record<string, unknown>` in src/report (each has
 * its own schema under docs/schema/sections/), so the page reads their fields as JSON.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- report sections are deep JSON documents */
type Json = any;

const SPEAKER_COLORS = [
  '#2e75b6',
  '#c55a11',
  '#548235',
  '#7030a0',
  '#bf9000',
  '#2f5597',
  '#a5a5a5',
];
const DC_EDITABLE = [
  'title',
  'creator',
  'contributor',
  'date',
  'subject',
  'description',
  'language',
  'coverage',
  'rights',
  'publisher',
];
const LABELS = ['speech', 'music', 'speech_over_music', 'noise', 'silence', 'singing'];

function decodePeaks(b64: string): Float32Array {
  const bin = atob(b64);
  const out = new Float32Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = ((bin.charCodeAt(i) << 24) >> 24) / 127;
  return out;
}

function decodeBytes(b64: string): Uint8Array {
  const bin = atob(b64);
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

function kv(rows: [string, unknown][]): HTMLTableElement {
  return h(
    'table',
    { class: 'kv' },
    h(
      'tbody',
      {},
      ...rows.map(([k, v]) =>
        h(
          'tr',
          {},
          h('th', { scope: 'row' }, k),
          h('td', {}, v === null || v === undefined ? '—' : String(v)),
        ),
      ),
    ),
  );
}

function field(id: string, label: string, input: HTMLElement): HTMLElement {
  return h('div', { class: 'field' }, h('label', { for: id }, label), input);
}

export function renderRecording(root: HTMLElement, taskId: string): () => void {
  let timeline: Timeline | undefined;
  let selected = 0;
  const edit = canEdit(currentSession());
  const onKey = (e: KeyboardEvent) => {
    const t = e.target as HTMLElement;
    if (
      !timeline ||
      ['INPUT', 'SELECT', 'TEXTAREA'].includes(t.tagName) ||
      e.ctrlKey ||
      e.metaKey ||
      e.altKey
    )
      return;
    const keys: Record<string, () => void> = {
      ' ': () => timeline!.togglePlay(),
      k: () => timeline!.togglePlay(),
      ArrowLeft: () => timeline!.skip(-5),
      ArrowRight: () => timeline!.skip(5),
      n: () => void timeline!.jumpRegion(1),
      p: () => void timeline!.jumpRegion(-1),
      '+': () => timeline!.zoom(2),
      '=': () => timeline!.zoom(2),
      '-': () => timeline!.zoom(0.5),
    };
    const f = keys[e.key];
    if (f && !(e.key === ' ' && t.tagName === 'BUTTON')) {
      e.preventDefault();
      f();
    }
  };
  document.addEventListener('keydown', onKey);

  const correct = async (correction: Record<string, unknown>, version: number, done: string) => {
    try {
      await api(`/api/v1/results/${taskId}/corrections`, {
        method: 'POST',
        body: JSON.stringify({ base_version: version, correction } satisfies CorrectionBody),
      });
      toast(done);
      await load();
    } catch (e) {
      toast(`Not saved: ${(e as Error).message}`);
    }
  };

  const load = async () => {
    const [report, peaks, audio, versions] = await Promise.all([
      api<ServedReport>(`/api/v1/results/${taskId}`),
      api<Peaks>(`/api/v1/results/${taskId}/peaks`),
      api<AudioUrl>(`/api/v1/tasks/${taskId}/audio-url`, { method: 'POST' }),
      api<Corrections>(`/api/v1/results/${taskId}/corrections`),
    ]);
    const r: Json = report.results;
    const version = versions.version;
    const duration = report.audio_info.decoded_duration;
    const segs: Json[] = r.segmentation?.status === 'ok' ? r.segmentation.segments : [];
    const sr = r.speaker_recognition?.status === 'ok' ? r.speaker_recognition : null;
    const her = r.heritage_classification?.status === 'ok' ? r.heritage_classification : null;
    const qc = r.quality_control?.status === 'ok' ? r.quality_control : null;
    const dc = r.metadata_generation?.dublin_core ?? {};
    selected = Math.min(selected, Math.max(0, segs.length - 1));

    const lanes: Lane[] = [];
    for (const label of LABELS) {
      const items = segs
        .filter((s) => s.label === label)
        .map((s) => ({ start: s.start, end: s.end, label }));
      if (items.length > 0)
        lanes.push({
          id: `seg-${label}`,
          label: pretty(label),
          color: SEGMENT_COLORS[label]!.replace('0.35', '0.8'),
          items,
        });
    }
    const names = new Map<string, string>(
      (sr?.speakers ?? []).map((s: Json) => [s.id, s.name ?? s.id]),
    );
    (sr?.speakers ?? []).forEach((s: Json, i: number) => {
      const items = [
        ...sr.turns
          .filter((t: Json) => t.speaker === s.id)
          .map((t: Json) => ({ start: t.start, end: t.end, label: names.get(s.id)! })),
        ...sr.overlaps
          .filter((o: Json) => o.speakers.includes(s.id))
          .map((o: Json) => ({
            start: o.start,
            end: o.end,
            label: `${names.get(s.id)} (overlap)`,
            title: `overlap: ${o.speakers.map((x: string) => names.get(x) ?? x).join(' + ')}`,
          })),
      ];
      lanes.push({
        id: `spk-${s.id}`,
        label: names.get(s.id)!,
        color: SPEAKER_COLORS[i % SPEAKER_COLORS.length]!,
        items,
      });
    });
    if (qc) {
      const items = [
        ...qc.clipping.runs.map((c: Json) => ({
          start: c.start_sec,
          end: Math.max(c.end_sec, c.start_sec + 0.05),
          label: 'clipping',
          title: `clipping, channel ${c.channel + 1}`,
        })),
        ...qc.silence.runs.map((s: Json) => ({
          start: s.start_sec,
          end: s.end_sec,
          label: 'silence',
          title: `digital silence (${s.position})`,
        })),
      ];
      lanes.push({ id: 'qc', label: 'QC findings', color: '#b00020', items });
    }

    // The route answers 404 unless the waveform section is ok, and an ok one has both.
    const finest = peaks.levels![0]!;
    const spectrogram = peaks.spectrogram!;
    const timeBox = h('div', { class: 'timeline', id: 'timeline' });
    const clock = h('span', { class: 'clock', 'aria-live': 'off' }, '0:00.0');
    const ctl = (label: string, f: () => void, key: string) =>
      h('button', { type: 'button', onclick: f, 'aria-keyshortcuts': key }, label);
    const controls = h(
      'div',
      { class: 'controls', role: 'toolbar', 'aria-label': 'Playback' },
      ctl('Play/Pause', () => timeline?.togglePlay(), 'Space'),
      ctl('−5 s', () => timeline?.skip(-5), 'ArrowLeft'),
      ctl('+5 s', () => timeline?.skip(5), 'ArrowRight'),
      ctl('Previous region', () => timeline?.jumpRegion(-1), 'p'),
      ctl('Next region', () => timeline?.jumpRegion(1), 'n'),
      ctl('Zoom in', () => timeline?.zoom(2), '+'),
      ctl('Zoom out', () => timeline?.zoom(0.5), '-'),
      clock,
      h(
        'span',
        { class: 'hint' },
        'Keys: Space play/pause · ←/→ ±5 s · n/p next/previous region · +/− zoom',
      ),
    );

    const sections: HTMLElement[] = [];
    // Segments (editing)
    const segSelect = h(
      'select',
      { id: 'segment' },
      ...segs.map((s, i) =>
        h(
          'option',
          { value: String(i) },
          `#${i} ${pretty(s.label)} ${fmtTime(s.start)}–${fmtTime(s.end)}${s.edited ? ' (edited)' : ''}`,
        ),
      ),
    );
    segSelect.value = String(selected);
    segSelect.addEventListener('change', () => (selected = Number(segSelect.value)));
    const segCard = h(
      'section',
      { class: 'card', 'aria-labelledby': 'seg-h' },
      h('h2', { id: 'seg-h' }, 'Segments'),
      field('segment', 'Segment', segSelect),
      h(
        'button',
        {
          type: 'button',
          onclick: () => {
            const s = segs[selected];
            if (s) timeline?.playRange(s.start, s.end);
          },
        },
        'Play segment',
      ),
    );
    if (edit && segs.length > 0) {
      const endIn = h('input', {
        id: 'boundary',
        type: 'number',
        step: '0.1',
        min: '0',
        max: String(duration),
      });
      const labelIn = h(
        'select',
        { id: 'relabel' },
        ...LABELS.map((l) => h('option', { value: l }, pretty(l))),
      );
      const splitIn = h('input', {
        id: 'split-at',
        type: 'number',
        step: '0.1',
        min: '0',
        max: String(duration),
      });
      const fill = () => {
        const s = segs[selected];
        if (!s) return;
        endIn.value = String(s.end);
        labelIn.value = s.label;
        splitIn.value = String(Math.round(((s.start + s.end) / 2) * 10) / 10);
      };
      segSelect.addEventListener('change', fill);
      fill();
      segCard.append(
        field('boundary', 'End boundary (s)', endIn),
        h(
          'button',
          {
            type: 'button',
            id: 'move-boundary',
            onclick: () =>
              void correct(
                {
                  type: 'move_boundary',
                  lane: 'segmentation',
                  index: selected,
                  edge: 'end',
                  to_sec: Number(endIn.value),
                },
                version,
                'Boundary moved',
              ),
          },
          'Move boundary',
        ),
        field('relabel', 'Label', labelIn),
        h(
          'button',
          {
            type: 'button',
            onclick: () =>
              void correct(
                { type: 'relabel_segment', index: selected, label: labelIn.value },
                version,
                'Segment relabelled',
              ),
          },
          'Relabel',
        ),
        field('split-at', 'Split at (s)', splitIn),
        h(
          'button',
          {
            type: 'button',
            onclick: () =>
              void correct(
                {
                  type: 'split_segment',
                  lane: 'segmentation',
                  index: selected,
                  at_sec: Number(splitIn.value),
                },
                version,
                'Segment split',
              ),
          },
          'Split',
        ),
        h('p', { class: 'hint' }, 'Or drag a region edge on the waveform.'),
      );
    }
    sections.push(segCard);

    // Speakers
    if (sr) {
      const rows = sr.speakers.map((s: Json) => {
        const cells: (string | HTMLElement)[] = [
          s.id,
          s.name ?? '—',
          fmtDuration(s.talk_time_sec),
          `${Math.round(s.share * 100)}%`,
          String(s.turns),
        ];
        if (edit) {
          const inp = h('input', {
            id: `name-${s.id}`,
            value: s.name ?? '',
            'aria-label': `Name of ${s.id}`,
          });
          cells.push(
            h(
              'span',
              {},
              inp,
              h(
                'button',
                {
                  type: 'button',
                  onclick: () =>
                    inp.value.trim() &&
                    void correct(
                      { type: 'rename_speaker', speaker: s.id, name: inp.value.trim() },
                      version,
                      'Speaker renamed',
                    ),
                },
                `Rename ${s.id}`,
              ),
            ),
          );
        }
        return h('tr', {}, ...cells.map((c) => h('td', {}, c)));
      });
      const card = h(
        'section',
        { class: 'card', 'aria-labelledby': 'spk-h' },
        h('h2', { id: 'spk-h' }, `Speakers (${sr.speakers_detected})`),
        h(
          'table',
          {},
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ...['Id', 'Name', 'Talk time', 'Share', 'Turns', ...(edit ? ['Rename'] : [])].map(
                (c) => h('th', { scope: 'col' }, c),
              ),
            ),
          ),
          h('tbody', {}, ...rows),
        ),
      );
      if (edit && sr.speakers.length > 1) {
        const opts = () =>
          sr.speakers.map((s: Json) => h('option', { value: s.id }, names.get(s.id)!));
        const from = h('select', { id: 'merge-from' }, ...opts());
        const into = h('select', { id: 'merge-into' }, ...opts());
        into.selectedIndex = 1;
        card.append(
          field('merge-from', 'Merge speaker', from),
          field('merge-into', 'into', into),
          h(
            'button',
            {
              type: 'button',
              onclick: () =>
                void correct(
                  { type: 'merge_speakers', from: from.value, into: into.value },
                  version,
                  'Speakers merged',
                ),
            },
            'Merge speakers',
          ),
        );
      }
      sections.push(card);
    }

    // Heritage
    if (her) {
      const card = h(
        'section',
        { class: 'card', 'aria-labelledby': 'her-h' },
        h('h2', { id: 'her-h' }, 'Heritage category'),
        kv([
          ['Category', pretty(her.predicted_category)],
          [
            'Set by',
            her.category_source === 'reviewer'
              ? `reviewer (machine said ${pretty(her.machine?.predicted_category)})`
              : 'machine',
          ],
          ['Confidence', her.category_source === 'reviewer' ? '—' : her.confidence.toFixed(2)],
          ['Uncertain', her.uncertain ? `yes: ${her.uncertain_reasons.join('; ')}` : 'no'],
        ]),
        h('h3', {}, 'Scores'),
        h(
          'ul',
          { class: 'scores' },
          ...Object.entries(her.scores as Record<string, number>)
            .sort((a, b) => b[1] - a[1])
            .map(([k, v]) =>
              h(
                'li',
                {},
                h('span', { class: 'score-name' }, pretty(k)),
                h('meter', { min: 0, max: 1, value: v, 'aria-label': `${pretty(k)} score` }),
                ` ${v.toFixed(3)}`,
              ),
            ),
        ),
        h('h3', {}, 'Evidence behind the category'),
        h(
          'table',
          {},
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ...['Descriptor', 'Value', 'Measured', 'Source', 'Contribution'].map((c) =>
                h('th', { scope: 'col' }, c),
              ),
            ),
          ),
          h(
            'tbody',
            {},
            ...her.evidence.map((e: Json) =>
              h(
                'tr',
                {},
                ...[
                  pretty(e.descriptor),
                  e.value.toFixed(2),
                  e.raw === null ? '—' : `${Number(e.raw.toFixed(2))} ${e.unit}`,
                  pretty(e.source),
                  e.contribution.toFixed(2),
                ].map((c) => h('td', {}, c)),
              ),
            ),
          ),
        ),
      );
      if (edit) {
        const sel = h(
          'select',
          { id: 'category' },
          ...[...her.taxonomy, 'unclassified'].map((c: string) =>
            h('option', { value: c }, pretty(c)),
          ),
        );
        sel.value = her.predicted_category;
        card.append(
          field('category', 'Reviewed category', sel),
          h(
            'button',
            {
              type: 'button',
              id: 'save-category',
              onclick: () =>
                void correct(
                  { type: 'set_category', category: sel.value },
                  version,
                  'Category saved',
                ),
            },
            'Save category',
          ),
        );
      }
      sections.push(card);
    }

    // QC and technical
    if (qc) {
      sections.push(
        h(
          'section',
          { class: 'card', 'aria-labelledby': 'qc-h' },
          h('h2', { id: 'qc-h' }, `Quality control: ${qc.verdict}`),
          kv([
            ['Profile', qc.profile.name],
            ['Integrated loudness', `${qc.loudness.integrated_lufs ?? '—'} LUFS`],
            ['True peak', `${qc.loudness.true_peak_dbtp ?? '—'} dBTP`],
            ['Clipped runs', qc.clipping.total_runs],
            ['Silence runs', qc.silence.total_runs],
          ]),
          h(
            'table',
            {},
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                h('th', { scope: 'col' }, 'Check'),
                h('th', { scope: 'col' }, 'Result'),
                h('th', { scope: 'col' }, 'Detail'),
              ),
            ),
            h(
              'tbody',
              {},
              ...qc.profile.checks.map((c: Json) =>
                h(
                  'tr',
                  { class: c.status },
                  h('td', {}, pretty(c.id)),
                  h('td', {}, c.status),
                  h('td', {}, c.message),
                ),
              ),
            ),
          ),
        ),
      );
    }
    const a = report.audio_info;
    sections.push(
      h(
        'section',
        { class: 'card', 'aria-labelledby': 'tech-h' },
        h('h2', { id: 'tech-h' }, 'Technical metadata'),
        kv([
          ['Duration', fmtDuration(a.decoded_duration)],
          ['Format', `${a.container} / ${a.codec}`],
          ['Sample rate', `${a.sample_rate} Hz`],
          ['Channels', a.channels],
          ['Bit depth', a.bit_depth],
          ['SHA-256', r.fixity?.sha256],
        ]),
        report.warnings.length
          ? h('ul', { class: 'warnings' }, ...report.warnings.map((w) => h('li', {}, w)))
          : '',
      ),
    );

    // Dublin Core
    const dcCard = h(
      'section',
      { class: 'card', 'aria-labelledby': 'dc-h' },
      h('h2', { id: 'dc-h' }, 'Dublin Core record'),
    );
    const inputs: Record<string, HTMLInputElement> = {};
    for (const k of DC_EDITABLE) {
      const value = (dc[k] ?? []).join('; ');
      if (edit) {
        inputs[k] = h('input', { id: `dc-${k}`, value, 'aria-describedby': 'dc-hint' });
        dcCard.append(field(`dc-${k}`, pretty(k), inputs[k]));
      } else if (value) dcCard.append(h('p', {}, h('strong', {}, `${pretty(k)}: `), value));
    }
    if (edit) {
      dcCard.append(
        h('p', { id: 'dc-hint', class: 'hint' }, 'Separate repeated values with “;”.'),
        h(
          'button',
          {
            type: 'button',
            onclick: () => {
              const fields: Record<string, string[]> = {};
              for (const [k, inp] of Object.entries(inputs)) {
                const vals = inp.value
                  .split(';')
                  .map((v) => v.trim())
                  .filter(Boolean);
                if (vals.join('; ') !== (dc[k] ?? []).join('; ')) fields[k] = vals;
              }
              if (Object.keys(fields).length === 0) return toast('Nothing changed');
              void correct({ type: 'set_dublin_core', fields }, version, 'Dublin Core saved');
            },
          },
          'Save Dublin Core',
        ),
      );
    }
    const exportBtn = h(
      'button',
      {
        type: 'button',
        onclick: () =>
          blobUrl(`/api/v1/results/${taskId}/exports/dublin-core-xml`).then(
            (u) => {
              const l = h('a', { href: u, download: `${report.source.file_name}.dc.xml` });
              l.click();
            },
            (e: Error) => toast(e.message),
          ),
      },
      'Download oai_dc XML',
    );
    if (edit) dcCard.append(exportBtn);
    sections.push(dcCard);

    // Review state and history
    const review = report.review;
    const hist = h(
      'section',
      { class: 'card', 'aria-labelledby': 'hist-h' },
      h('h2', { id: 'hist-h' }, 'Review'),
      h(
        'p',
        { id: 'review-state' },
        // An approved review always names who and when (metadata/review/corrections.ts).
        review?.approved
          ? `Approved by ${review.approved_by!} at ${new Date(review.approved_at!).toLocaleString()}`
          : `Not approved yet (version ${version})`,
      ),
      h(
        'ol',
        { class: 'history', 'aria-label': 'Versions' },
        h('li', {}, 'Version 0: machine result'),
        ...versions.versions.map((v) =>
          h(
            'li',
            {},
            `Version ${v.version}: ${pretty(v.kind)} by ${v.actor} at ${new Date(v.created_at).toLocaleString()}`,
          ),
        ),
      ),
    );
    if (edit)
      hist.append(
        h(
          'button',
          {
            type: 'button',
            id: 'approve',
            class: 'primary',
            onclick: () => void correct({ type: 'approve' }, version, 'Approved'),
          },
          'Approve record',
        ),
      );
    sections.push(hist);
    // Across the archive: recordings sharing this audio, voices named elsewhere.
    sections.push(
      duplicatesCard(taskId),
      voicesCard(taskId, edit, () => void load()),
    );

    timeline?.destroy();
    root.replaceChildren(
      h('h1', {}, report.source.file_name),
      h(
        'p',
        { class: 'sub' },
        `${fmtDuration(duration)} · ${pretty(her?.predicted_category)}${her?.uncertain ? ' (uncertain)' : ''} · QC ${qc?.verdict ?? '—'} · ${sr ? `${sr.speakers_detected} speaker(s)` : 'no speaker analysis'} · version ${version}`,
      ),
      controls,
      timeBox,
      h('div', { class: 'sections' }, ...sections),
    );
    timeline = new Timeline({
      container: timeBox,
      durationSec: duration,
      peaks: decodePeaks(finest.data),
      spectrogram: {
        n_mels: spectrogram.n_mels,
        columns: spectrogram.columns,
        data: decodeBytes(spectrogram.data),
      },
      audioUrl: audio.url,
      segments: segs.map((s) => ({
        start: s.start,
        end: s.end,
        label: s.label,
        color: SEGMENT_COLORS[s.label] ?? 'rgba(0,0,0,0.2)',
      })),
      editable: edit,
      lanes,
      onBoundaryMoved: (i, edge, to) => {
        const s = segs[i];
        if (!s || Math.abs((edge === 'start' ? s.start : s.end) - to) < 0.01) return;
        if (edge === 'start' && i > 0)
          void correct(
            {
              type: 'move_boundary',
              lane: 'segmentation',
              index: i - 1,
              edge: 'end',
              to_sec: Math.round(to * 1000) / 1000,
            },
            version,
            'Boundary moved',
          );
        else
          void correct(
            {
              type: 'move_boundary',
              lane: 'segmentation',
              index: i,
              edge,
              to_sec: Math.round(to * 1000) / 1000,
            },
            version,
            'Boundary moved',
          );
      },
      onSegmentSelected: (i) => {
        selected = i;
        segSelect.value = String(i);
        segSelect.dispatchEvent(new Event('change'));
      },
    });
    timeline.ws.on('timeupdate', (t) => (clock.textContent = fmtTime(t)));
    document.body.dataset['recordingReady'] = taskId;
  };
  delete document.body.dataset['recordingReady'];
  root.replaceChildren(h('p', {}, 'Loading…'));
  void load().catch((e: Error) => {
    root.replaceChildren(
      h('p', { class: 'error', role: 'alert' }, `Cannot open this recording: ${e.message}`),
    );
  });
  return () => {
    document.removeEventListener('keydown', onKey);
    timeline?.destroy();
  };
}
