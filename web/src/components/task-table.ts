/** The table of tasks shared by the collection and the review queue. */
import type { CollectionItem } from '../../../src/service/schemas/review.js';
import { h, fmtDuration, pretty } from '../dom.js';

export function taskTable(
  items: readonly CollectionItem[],
  opts: { caption: string; reasonLabels?: Readonly<Record<string, string>> },
): HTMLTableElement {
  const head = ['File', 'Status', 'Duration', 'Category', 'QC', 'Speakers', 'Reviewed', 'Added'];
  if (opts.reasonLabels) head.splice(1, 0, 'Why it needs a person');
  return h(
    'table',
    { class: 'tasks' },
    h('caption', {}, opts.caption),
    h('thead', {}, h('tr', {}, ...head.map((c) => h('th', { scope: 'col' }, c)))),
    h(
      'tbody',
      {},
      ...items.map((t) => {
        const name = t.file_name ?? t.task_id;
        const link =
          t.status === 'completed'
            ? h('a', { href: `#/recording/${t.task_id}` }, name)
            : h('span', {}, name);
        const cells: (Node | string)[] = [
          link,
          h(
            'span',
            { class: `status ${t.status}` },
            t.status === 'processing' ? `processing ${Math.round(t.progress)}%` : t.status,
            t.error ? ` (${t.error.code})` : '',
          ),
          fmtDuration(t.duration_sec),
          h(
            'span',
            {},
            pretty(t.category),
            t.category_uncertain
              ? h('span', { class: 'badge warn', title: 'uncertain' }, ' uncertain')
              : '',
          ),
          h('span', { class: `qc ${t.qc_verdict ?? ''}` }, t.qc_verdict ?? '—'),
          t.speakers === null ? '—' : String(t.speakers),
          t.reviewed ? 'yes' : 'no',
          new Date(t.created_at).toLocaleString(),
        ];
        if (opts.reasonLabels)
          cells.splice(
            1,
            0,
            h(
              'ul',
              { class: 'reasons' },
              ...t.reasons.map((r) => h('li', {}, opts.reasonLabels![r] ?? r)),
            ),
          );
        return h('tr', { 'data-task': t.task_id }, ...cells.map((c) => h('td', {}, c)));
      }),
    ),
  );
}
