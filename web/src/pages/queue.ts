/** Review queue: what most needs a person, ranked by the server, with a count per reason. */
import type { ReviewQueue } from '../../../src/service/schemas/review.js';
import { api } from '../api.js';
import { taskTable } from '../components/task-table.js';
import { h, toast } from '../dom.js';

export function renderQueue(root: HTMLElement): void {
  let reason = '';
  const counts = h('ul', { class: 'reason-counts', 'aria-label': 'Reasons' });
  const box = h('div', { class: 'table-box' });
  const load = async () => {
    const q = await api<ReviewQueue>(
      `/api/v1/review/queue?limit=100${reason ? `&reason=${reason}` : ''}`,
    );
    const labels = Object.fromEntries(q.reasons.map((r) => [r.reason, r.label]));
    counts.replaceChildren(
      h(
        'li',
        {},
        h(
          'button',
          {
            type: 'button',
            'aria-pressed': String(reason === ''),
            onclick: () => ((reason = ''), void load()),
          },
          'All reasons',
        ),
      ),
      ...q.reasons.map((r) =>
        h(
          'li',
          {},
          h(
            'button',
            {
              type: 'button',
              'aria-pressed': String(reason === r.reason),
              'data-reason': r.reason,
              onclick: () => ((reason = r.reason), void load()),
            },
            `${r.label}: ${r.count}`,
          ),
        ),
      ),
    );
    box.replaceChildren(
      taskTable(q.items, { caption: `Needing review (${q.total})`, reasonLabels: labels }),
    );
  };
  root.replaceChildren(h('h1', {}, 'Review queue'), counts, box);
  void load().catch((e: Error) => toast(e.message));
}
