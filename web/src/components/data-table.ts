/** A table with a header row of column names and the given body rows. */
import { h } from '../dom.js';

export function dataTable(
  ariaLabel: string,
  columns: readonly string[],
  rows: readonly HTMLTableRowElement[],
): HTMLTableElement {
  return h(
    'table',
    { 'aria-label': ariaLabel },
    h('thead', {}, h('tr', {}, ...columns.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, ...rows),
  );
}
