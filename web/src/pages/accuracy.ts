/** Accuracy dashboard: per analyzer, how much reviewers changed. */
import type { Accuracy } from '../../../src/service/schemas/review.js';
import { api } from '../api.js';
import { h, pretty, toast } from '../dom.js';

function cell(v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'object')
    return (
      Object.entries(v as Record<string, unknown>)
        .map(([k, x]) => `${pretty(k)}: ${String(x ?? '—')}`)
        .join('; ') || '—'
    );
  return String(v);
}

export function renderAccuracy(root: HTMLElement): void {
  root.replaceChildren(h('h1', {}, 'Accuracy on this archive'));
  api<Accuracy>('/api/v1/review/accuracy').then(
    (s) => {
      root.append(
        h(
          'p',
          {},
          `${s.approved_recordings} recording(s) approved by reviewers. Each figure counts what reviewers changed in the machine's result.`,
        ),
      );
      for (const a of s.analyzers) {
        const { analyzer, ...rest } = a;
        root.append(
          h(
            'section',
            { class: 'card' },
            h('h2', {}, pretty(analyzer)),
            h(
              'table',
              { class: 'kv' },
              h(
                'tbody',
                {},
                ...Object.entries(rest).map(([k, v]) =>
                  h('tr', {}, h('th', { scope: 'row' }, pretty(k)), h('td', {}, cell(v))),
                ),
              ),
            ),
          ),
        );
      }
    },
    (e: Error) => toast(e.message),
  );
}
