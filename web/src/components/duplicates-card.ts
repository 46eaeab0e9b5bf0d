/**
 * The recordings that share this one's audio (GET /api/v1/tasks/{id}/duplicates): one row per
 * pair with its kind, where the shared audio starts in each recording, how long it is, the speed
 * ratio and the score, and a link to the other recording.
 */
import type { TaskDuplicatesView } from '../../../src/service/schemas/duplicates.js';
import { api, ApiError } from '../api.js';
import { fmtTime, h, pretty } from '../dom.js';
import { dataTable } from './data-table.js';

function speed(r: number): string {
  const pct = (r - 1) * 100;
  return Math.abs(pct) < 0.05
    ? '1.000 (same speed)'
    : `${r.toFixed(3)} (${pct > 0 ? '+' : ''}${pct.toFixed(1)} %)`;
}

/** The card, filled when the API answers; `taskId` is the recording shown. */
export function duplicatesCard(taskId: string): HTMLElement {
  const body = h('div', {}, h('p', {}, 'Looking for recordings that share this audio…'));
  const card = h(
    'section',
    { class: 'card', 'aria-labelledby': 'dup-h', id: 'duplicates' },
    h('h2', { id: 'dup-h' }, 'Duplicates'),
    body,
  );
  void api<TaskDuplicatesView>(`/api/v1/tasks/${taskId}/duplicates`)
    .then(({ pairs }) => {
      if (pairs.length === 0) {
        body.replaceChildren(h('p', {}, 'No other recording in the archive shares this audio.'));
        return;
      }
      body.replaceChildren(
        dataTable(
          'Duplicate recordings',
          [
            'Other recording',
            'Kind',
            'Here from',
            'There from',
            'Duration',
            'Speed ratio',
            'Score',
          ],
          pairs.map((p) =>
            h(
              'tr',
              { 'data-kind': p.kind },
              h(
                'td',
                {},
                p.b_task_id
                  ? h('a', { href: `#/recording/${p.b_task_id}` }, p.b_file_name ?? p.b_task_id)
                  : (p.b_file_name ?? p.b),
              ),
              h('td', {}, pretty(p.kind)),
              h('td', {}, fmtTime(p.offset_a_sec)),
              h('td', {}, fmtTime(p.offset_b_sec)),
              h('td', {}, fmtTime(p.duration_sec)),
              h('td', {}, speed(p.speed_ratio)),
              h('td', {}, p.score.toFixed(2)),
            ),
          ),
        ),
        h(
          'p',
          { class: 'sub' },
          'Speed ratio: how many times faster the other recording plays. Score: share of this recording’s fingerprint consistent with the alignment.',
        ),
      );
    })
    .catch((e: unknown) => {
      body.replaceChildren(
        h(
          'p',
          {},
          e instanceof ApiError && e.code === 'SONO_ERR_CONFLICT'
            ? 'No audio fingerprint for this recording (technical analysis only).'
            : `Duplicates unavailable: ${(e as Error).message}`,
        ),
      );
    });
  return card;
}
