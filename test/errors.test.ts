import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ERROR_CODES, SonoError, toSonoError, type ErrorCode } from '../src/errors.js';

/** Rows of the docs table: code → {http, retryable}. */
function docRows(): Map<string, { http: number; retryable: boolean }> {
  const rows = new Map<string, { http: number; retryable: boolean }>();
  for (const line of readFileSync('docs/errors.md', 'utf8').split('\n')) {
    const m = /^\|\s*`(SONO_ERR_[A-Z0-9_]+)`\s*\|\s*(\d{3})\s*\|\s*(yes|no)\s*\|/.exec(line);
    if (m) {
      assert.ok(!rows.has(m[1]!), `${m[1]} listed twice in docs/errors.md`);
      rows.set(m[1]!, { http: Number(m[2]), retryable: m[3] === 'yes' });
    }
  }
  return rows;
}

test('docs/errors.md lists exactly the codes of the registry, with their status and retryability', () => {
  const rows = docRows();
  const codes = Object.keys(ERROR_CODES).sort();
  assert.deepEqual([...rows.keys()].sort(), codes);
  for (const code of codes) {
    const spec = ERROR_CODES[code as ErrorCode];
    assert.equal(rows.get(code)?.http, spec.httpStatus, `${code} HTTP status`);
    assert.equal(rows.get(code)?.retryable, spec.retryable, `${code} retryable`);
  }
});

test('SonoError fills its message template from details and serialises to {code, message, details}', () => {
  const e = new SonoError('SONO_ERR_EMPTY_FILE', { path: '/x/a.wav' });
  assert.equal(e.message, 'File is empty (0 bytes): /x/a.wav');
  assert.equal(e.httpStatus, 422);
  assert.deepEqual(JSON.parse(JSON.stringify(e)), {
    code: 'SONO_ERR_EMPTY_FILE',
    message: 'File is empty (0 bytes): /x/a.wav',
    details: { path: '/x/a.wav' },
  });
  assert.equal(toSonoError(new Error('boom')).code, 'SONO_ERR_INTERNAL');
  assert.equal(toSonoError(e), e);
});
