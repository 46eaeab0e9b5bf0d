/**
 * Voices across recordings (GET /api/v1/tasks/{id}/speakers): each speaker's confirmed name, or
 * the name Sonoteca proposes with its calibrated score — a suggestion until a person confirms
 * it. Archivists confirm or reject a suggestion, or name a speaker themselves (PUT …/name,
 * POST …/reject); the name is then proposed for matching voices in other recordings.
 */
import type { SpeakerNameBody, VoiceView, Voices } from '../../../src/service/schemas/voices.js';
import { api } from '../api.js';
import { h, toast } from '../dom.js';
import { dataTable } from './data-table.js';

/**
 * @param onChanged - called after a name is confirmed (the served report and exports change).
 */
export function voicesCard(taskId: string, edit: boolean, onChanged: () => void): HTMLElement {
  const body = h('div', {}, h('p', {}, 'Loading voices…'));
  const card = h(
    'section',
    { class: 'card', 'aria-labelledby': 'voices-h', id: 'voices' },
    h('h2', { id: 'voices-h' }, 'Voices across recordings'),
    body,
  );
  const base = `/api/v1/tasks/${taskId}/speakers`;

  const act = async (call: () => Promise<unknown>, done: string, changed: boolean) => {
    try {
      await call();
      if (changed) onChanged();
      else await load();
      toast(done);
    } catch (e) {
      toast(`Not saved: ${(e as Error).message}`);
    }
  };
  const setName = (speaker: string, name: string) =>
    api<Voices>(`${base}/${speaker}/name`, {
      method: 'PUT',
      body: JSON.stringify({ name } satisfies SpeakerNameBody),
    });

  const row = (v: VoiceView): HTMLTableRowElement => {
    // One row per speaker and model; in practice one model (the neural diarizer's).
    const suggestion =
      v.suggested_name === null
        ? '—'
        : h(
            'span',
            { class: 'suggestion' },
            h('strong', {}, v.suggested_name),
            ` (suggested, p = ${v.suggestion_score?.toFixed(2) ?? '?'}${v.score_calibrated ? '' : ', uncalibrated'})`,
            v.suggested_from?.task_id
              ? h(
                  'span',
                  {},
                  ' from ',
                  h('a', { href: `#/recording/${v.suggested_from.task_id}` }, 'this recording'),
                )
              : '',
          );
    const cells: (string | HTMLElement)[] = [v.speaker, v.name ?? '—', suggestion];
    if (edit) {
      const inp = h('input', {
        id: `voice-name-${v.speaker}`,
        'aria-label': `Confirmed name for voice ${v.speaker}`,
        value: v.name ?? '',
      });
      const actions = h('span', { class: 'voice-actions' });
      if (v.suggested_name !== null) {
        const proposed = v.suggested_name;
        actions.append(
          h(
            'button',
            {
              type: 'button',
              class: 'primary',
              onclick: () =>
                void act(() => setName(v.speaker, proposed), `Confirmed ${proposed}`, true),
            },
            `Confirm ${proposed} for ${v.speaker}`,
          ),
          h(
            'button',
            {
              type: 'button',
              onclick: () =>
                void act(
                  () => api<Voices>(`${base}/${v.speaker}/reject`, { method: 'POST' }),
                  `Rejected ${proposed}`,
                  false,
                ),
            },
            `Reject ${proposed} for ${v.speaker}`,
          ),
        );
      }
      actions.append(
        inp,
        h(
          'button',
          {
            type: 'button',
            onclick: () => {
              const name = inp.value.trim();
              if (name) void act(() => setName(v.speaker, name), `Named ${v.speaker}`, true);
            },
          },
          `Name voice ${v.speaker}`,
        ),
      );
      cells.push(actions);
    }
    return h('tr', { 'data-speaker': v.speaker }, ...cells.map((c) => h('td', {}, c)));
  };

  const load = async () => {
    const { speakers } = await api<Voices>(base);
    if (speakers.length === 0) {
      body.replaceChildren(h('p', {}, 'No speaker of this recording has a voice embedding.'));
      return;
    }
    body.replaceChildren(
      dataTable(
        'Voices',
        ['Speaker', 'Name (confirmed)', 'Proposed name', ...(edit ? ['Confirm / name'] : [])],
        speakers.map(row),
      ),
      h(
        'p',
        { class: 'sub' },
        'Proposed names are suggestions (p = calibrated probability of the same person) and appear in exports only once confirmed.',
      ),
    );
    card.dataset['loaded'] = 'true';
  };
  void load().catch((e: Error) =>
    body.replaceChildren(h('p', {}, `Voices unavailable: ${e.message}`)),
  );
  return card;
}
