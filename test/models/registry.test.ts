import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, test } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { SonoError } from '../../src/errors.js';
import {
  bundledModelsDir,
  getModelSession,
  hasModel,
  listModels,
  modelProvenance,
  resetModelRegistry,
  resolveModel,
  verifyModel,
} from '../../src/models/registry.js';

const tmp = mkdtempSync(join(tmpdir(), 'sono-models-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
afterEach(() => {
  delete process.env['SONOTECA_MODELS_DIR'];
  resetModelRegistry();
});

function isCode(code: string) {
  return (e: unknown) => e instanceof SonoError && e.code === code;
}

test('the bundled manifest is valid against its schema and every file has its stated sha256', async () => {
  const schema = JSON.parse(
    readFileSync('docs/schema/model-manifest.schema.json', 'utf8'),
  ) as object;
  const manifest = JSON.parse(readFileSync(join(bundledModelsDir(), 'manifest.json'), 'utf8')) as {
    models: { id: string }[];
  };
  const validate = new Ajv2020({ allErrors: true, strict: false }).compile(schema);
  assert.ok(validate(manifest), JSON.stringify(validate.errors));
  const ids = listModels().map((m) => m.id);
  assert.equal(new Set(ids).size, ids.length, 'model ids are unique');
  assert.ok(ids.includes('silero-vad-v5'));
  for (const id of ids) {
    assert.ok(hasModel(id), `${id} file present`);
    await verifyModel(id); // throws on a checksum mismatch
  }
});

test('a session is created lazily, once, and the provenance names id, version and sha256', async () => {
  const a = await getModelSession('silero-vad-v5');
  const b = await getModelSession('silero-vad-v5');
  assert.equal(a, b);
  assert.deepEqual([...a.inputNames].sort(), ['input', 'sr', 'state']);
  const p = modelProvenance('silero-vad-v5');
  assert.equal(p.id, 'silero-vad-v5');
  assert.equal(p.version, '5.0');
  assert.match(p.sha256, /^[0-9a-f]{64}$/);
});

test('an unknown id fails with SONO_ERR_MODEL_LOAD naming the known ids', () => {
  assert.equal(hasModel('no-such-model'), false);
  assert.throws(
    () => resolveModel('no-such-model'),
    (e: unknown) => isCode('SONO_ERR_MODEL_LOAD')(e) && /silero-vad-v5/.test((e as Error).message),
  );
});

test('SONOTECA_MODELS_DIR adds and overrides models; a swapped file fails its checksum', async () => {
  const src = resolveModel('silero-vad-v5').path;
  const dir = join(tmp, 'archive-models');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  copyFileSync(src, join(dir, 'vad.onnx'));
  const sha = createHash('sha256').update(readFileSync(src)).digest('hex');
  writeFileSync(join(dir, 'wrong.onnx'), 'not the model');
  writeFileSync(
    join(dir, 'manifest.json'),
    JSON.stringify({
      schema_version: '1.0.0',
      models: [
        {
          id: 'silero-vad-v5',
          version: '5.0-archive',
          task: 'vad',
          file: 'vad.onnx',
          sha256: sha,
          licence_weights: 'MIT',
        },
        {
          id: 'swapped',
          version: '1',
          task: 'test',
          file: 'wrong.onnx',
          sha256: sha,
          licence_weights: 'MIT',
        },
        {
          id: 'absent',
          version: '1',
          task: 'test',
          file: 'absent.onnx',
          sha256: sha,
          licence_weights: 'MIT',
        },
      ],
    }),
  );
  process.env['SONOTECA_MODELS_DIR'] = dir;
  resetModelRegistry();
  const r = resolveModel('silero-vad-v5');
  assert.equal(r.origin, 'models_dir');
  assert.equal(r.path, join(dir, 'vad.onnx'));
  assert.equal(modelProvenance('silero-vad-v5').version, '5.0-archive');
  await verifyModel('silero-vad-v5');
  await assert.rejects(verifyModel('swapped'), isCode('SONO_ERR_MODEL_CHECKSUM'));
  await assert.rejects(getModelSession('swapped'), isCode('SONO_ERR_MODEL_CHECKSUM'));
  assert.equal(hasModel('absent'), false);
  assert.throws(() => resolveModel('absent'), isCode('SONO_ERR_MODEL_LOAD'));
});

test('a SONOTECA_MODELS_DIR without a manifest is a configuration error', () => {
  process.env['SONOTECA_MODELS_DIR'] = join(tmp, 'does-not-exist');
  resetModelRegistry();
  assert.throws(() => listModels(), isCode('SONO_ERR_INVALID_CONFIG'));
});

test('manifest entries without a valid sha256 are rejected', () => {
  const dir = join(tmp, 'nosha');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'manifest.json'),
    JSON.stringify({
      schema_version: '1.0.0',
      models: [
        { id: 'x', version: '1', task: 't', file: 'x.onnx', sha256: 'abc', licence_weights: 'MIT' },
      ],
    }),
  );
  process.env['SONOTECA_MODELS_DIR'] = dir;
  resetModelRegistry();
  assert.throws(() => listModels(), isCode('SONO_ERR_INVALID_MODEL'));
});
