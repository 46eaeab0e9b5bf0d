import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { EMBEDDED_TO_DC, renderMappingTable } from '../../src/metadata/embedded-mapping.js';

/** Table rows with cell padding removed (Prettier pads docs tables). */
function rows(md: string): string[] {
  return md
    .split('\n')
    .filter((l) => l.startsWith('| `dc:'))
    .map((l) =>
      l
        .split('|')
        .map((c) => c.trim())
        .join('|'),
    );
}

test('docs/METADATA.md holds the mapping table the code uses', () => {
  const doc = readFileSync(new URL('../../docs/METADATA.md', import.meta.url), 'utf8');
  const expected = rows(renderMappingTable());
  assert.equal(expected.length, EMBEDDED_TO_DC.length);
  assert.deepEqual(rows(doc), expected);
});

test('the mapping puts the issue-named fields where they belong', () => {
  const el = (block: string, key: string): string | undefined =>
    EMBEDDED_TO_DC.find((r) => r.block === block && r.keys.includes(key))?.element;
  assert.equal(el('bext', 'description'), 'description');
  assert.equal(el('bext', 'originator'), 'publisher');
  assert.equal(el('bext', 'coding_history'), 'source');
  assert.equal(el('bext', 'origination_date'), 'date');
  assert.equal(el('riff_info', 'ICMT'), 'description');
  assert.equal(el('riff_info', 'IART'), 'creator');
});
