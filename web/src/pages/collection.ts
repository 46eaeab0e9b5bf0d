/** Collection: every task, searched, filtered, sorted and paged by the server; uploads. */
import type { CollectionPage } from '../../../src/service/schemas/review.js';
import { api, canEdit, currentSession, uploadFile } from '../api.js';
import { taskTable } from '../components/task-table.js';
import { h, toast } from '../dom.js';

const PAGE = 50;

function select(
  id: string,
  label: string,
  options: [string, string][],
  value = '',
): [HTMLLabelElement, HTMLSelectElement] {
  const s = h('select', { id, name: id }, ...options.map(([v, t]) => h('option', { value: v }, t)));
  s.value = value || (options[0]?.[0] ?? '');
  return [h('label', { for: id }, label), s];
}

export function renderCollection(root: HTMLElement): () => void {
  const state = {
    q: '',
    status: '',
    category: '',
    qc: '',
    sort: 'created_at',
    order: 'desc',
    offset: 0,
  };
  const search = h('input', { id: 'search', type: 'search', placeholder: 'file name' });
  const [statusL, status] = select('status-filter', 'Status', [
    ['', 'any'],
    ['queued', 'queued'],
    ['processing', 'processing'],
    ['completed', 'completed'],
    ['failed', 'failed'],
    ['cancelled', 'cancelled'],
  ]);
  // Options are the categories present in the archive (the taxonomy is per collection).
  const [catL, cat] = select('category-filter', 'Category', [['', 'any']]);
  const [qcL, qc] = select('qc-filter', 'QC verdict', [
    ['', 'any'],
    ['pass', 'pass'],
    ['warn', 'warn'],
    ['fail', 'fail'],
  ]);
  const [sortL, sort] = select('sort', 'Sort by', [
    ['created_at', 'date added'],
    ['file_name', 'file name'],
    ['duration', 'duration'],
    ['status', 'status'],
    ['category', 'category'],
  ]);
  const [orderL, order] = select('order', 'Order', [
    ['desc', 'descending'],
    ['asc', 'ascending'],
  ]);
  const summary = h('p', { class: 'batch', 'aria-live': 'polite' });
  const tableBox = h('div', { class: 'table-box' });
  const prev = h('button', { type: 'button' }, 'Previous page');
  const next = h('button', { type: 'button' }, 'Next page');
  const pageInfo = h('span', { class: 'page-info' });
  let timer: ReturnType<typeof setTimeout> | undefined;
  let alive = true;

  const load = async () => {
    const p = new URLSearchParams({
      limit: String(PAGE),
      offset: String(state.offset),
      sort: state.sort,
      order: state.order,
    });
    if (state.q) p.set('q', state.q);
    if (state.status) p.set('status', state.status);
    if (state.category) p.set('category', state.category);
    if (state.qc) p.set('qc_verdict', state.qc);
    const page = await api<CollectionPage>(`/api/v1/collection?${p}`);
    if (!alive) return;
    tableBox.replaceChildren(taskTable(page.items, { caption: `Recordings (${page.total})` }));
    const from = page.total === 0 ? 0 : state.offset + 1;
    pageInfo.textContent = `${from}–${Math.min(state.offset + PAGE, page.total)} of ${page.total}`;
    prev.disabled = state.offset === 0;
    next.disabled = state.offset + PAGE >= page.total;
    const known = new Set([...cat.options].map((o) => o.value));
    for (const [c, n] of Object.entries(page.by_category))
      if (!known.has(c)) cat.append(h('option', { value: c }, `${c.replace(/_/g, ' ')} (${n})`));
    const bs = page.by_status;
    summary.textContent = `All tasks: ${bs['completed'] ?? 0} completed, ${bs['processing'] ?? 0} processing, ${bs['queued'] ?? 0} queued, ${bs['failed'] ?? 0} failed.`;
    clearTimeout(timer);
    if ((bs['processing'] ?? 0) + (bs['queued'] ?? 0) > 0)
      timer = setTimeout(() => void load().catch(() => undefined), 2000);
  };
  const reload = () => {
    state.offset = 0;
    void load().catch((e: Error) => toast(e.message));
  };
  let debounce: ReturnType<typeof setTimeout> | undefined;
  search.addEventListener('input', () => {
    clearTimeout(debounce);
    debounce = setTimeout(() => {
      state.q = search.value.trim();
      reload();
    }, 250);
  });
  for (const [el, key] of [
    [status, 'status'],
    [cat, 'category'],
    [qc, 'qc'],
    [sort, 'sort'],
    [order, 'order'],
  ] as const)
    el.addEventListener('change', () => {
      state[key] = el.value;
      reload();
    });
  prev.addEventListener('click', () => {
    state.offset = Math.max(0, state.offset - PAGE);
    void load();
  });
  next.addEventListener('click', () => {
    state.offset += PAGE;
    void load();
  });

  const children: Node[] = [
    h('h1', {}, 'Collection'),
    h(
      'div',
      { class: 'filters', role: 'search' },
      h('label', { for: 'search' }, 'Search by name'),
      search,
      statusL,
      status,
      catL,
      cat,
      qcL,
      qc,
      sortL,
      sort,
      orderL,
      order,
    ),
    summary,
  ];
  if (canEdit(currentSession()))
    children.splice(
      1,
      0,
      uploader(() => void load()),
    );
  children.push(tableBox, h('div', { class: 'pager' }, prev, pageInfo, next));
  root.replaceChildren(...children);
  void load().catch((e: Error) => toast(e.message));
  return () => {
    alive = false;
    clearTimeout(timer);
  };
}

/** Drag-and-drop (or choose) many files; each uploads with its own progress bar. */
function uploader(onUploaded: () => void): HTMLElement {
  const input = h('input', {
    id: 'files',
    type: 'file',
    multiple: true,
    accept: 'audio/*,.wav,.flac,.mp3,.ogg,.opus,.aif,.aiff,.m4a',
  });
  const list = h('ul', { class: 'uploads', 'aria-label': 'Uploads' });
  const zone = h(
    'section',
    { class: 'drop', 'aria-labelledby': 'upload-title' },
    h('h2', { id: 'upload-title' }, 'Add recordings'),
    h('p', {}, 'Drop audio files here, or '),
    h('label', { for: 'files', class: 'button' }, 'Choose files…'),
    input,
    list,
  );
  const send = (files: FileList | File[]) => {
    for (const f of Array.from(files)) {
      const bar = h('progress', { max: 1, value: 0, 'aria-label': `Upload of ${f.name}` });
      const state = h('span', {}, 'uploading');
      list.append(h('li', {}, h('span', { class: 'name' }, f.name), bar, state));
      uploadFile(f, (x) => (bar.value = x)).then(
        (r) => {
          bar.value = 1;
          state.textContent = `queued (${r.task_id.slice(0, 8)})`;
          onUploaded();
        },
        (e: Error) => (state.textContent = `refused: ${e.message}`),
      );
    }
  };
  input.addEventListener('change', () => input.files && send(input.files));
  zone.addEventListener('dragover', (e) => {
    e.preventDefault();
    zone.classList.add('over');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('over');
    if (e.dataTransfer?.files) send(e.dataTransfer.files);
  });
  return zone;
}
