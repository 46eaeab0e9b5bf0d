/**
 * Static checks of deploy/ (no container engine here): the files parse, carry the required keys,
 * probe real routes of buildApp, run as non-root, and name only configuration variables the
 * service actually reads.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse, parseAllDocuments } from 'yaml';
import { configVariableNames } from '../../src/config/config.js';
import { createHarness, type Harness } from '../service/harness.js';

const root = new URL('../../deploy/', import.meta.url).pathname;
const known = new Set(configVariableNames());
/** Variables of the container image or its tooling, not of the service. */
const NON_SERVICE = new Set(['NODE_ENV']);

type Obj = Record<string, unknown>;
const obj = (x: unknown): Obj => {
  assert.ok(
    x !== null && typeof x === 'object' && !Array.isArray(x),
    `expected an object, got ${JSON.stringify(x)}`,
  );
  return x as Obj;
};

function k8sDocs(): Obj[] {
  const dir = join(root, 'k8s');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((f) =>
      parseAllDocuments(readFileSync(join(dir, f), 'utf8')).map((d) => {
        assert.deepEqual(d.errors, [], f);
        return obj(d.toJS());
      }),
    );
}

describe('deploy/', () => {
  let h: Harness;
  before(async () => (h = await createHarness('sqlite+local')));
  after(async () => h.close());

  it('Dockerfile: multi-stage, ffmpeg, non-root user, HEALTHCHECK on /health', () => {
    const text = readFileSync(join(root, 'Dockerfile'), 'utf8');
    const lines = text.split('\n').filter((l) => !l.trimStart().startsWith('#'));
    assert.ok(lines.filter((l) => /^FROM\s/.test(l)).length >= 2, 'multi-stage');
    assert.match(text, /apt-get install[^\n]*\bffmpeg\b/);
    const users = lines.filter((l) => /^USER\s/.test(l));
    assert.equal(users.length, 1);
    assert.doesNotMatch(users[0]!, /\b(root|0)\b/);
    // USER comes after the last FROM (it applies to the runtime stage).
    assert.ok(text.lastIndexOf('\nUSER ') > text.lastIndexOf('\nFROM '));
    assert.match(text, /HEALTHCHECK[\s\S]*\/health/);
    const env = [...text.matchAll(/^\s*(?:ENV\s+)?([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]!);
    assert.ok(env.length >= 4);
    for (const name of env)
      assert.ok(known.has(name) || NON_SERVICE.has(name), `Dockerfile ENV ${name}`);
  });

  it('compose.yaml: api, worker, redis, postgres, a maxxi profile, known env names', async () => {
    const doc = obj(parse(readFileSync(join(root, 'compose.yaml'), 'utf8'), { merge: true }));
    const services = obj(doc['services']);
    for (const s of ['api', 'worker', 'redis', 'postgres']) assert.ok(services[s], s);
    const profiles = Object.values(services).flatMap(
      (s) => (obj(s)['profiles'] as string[] | undefined) ?? [],
    );
    assert.ok(profiles.includes('maxxi'));
    for (const name of ['api', 'worker']) {
      const svc = obj(services[name]);
      const env = obj(svc['environment']);
      for (const k of Object.keys(env)) assert.ok(known.has(k), `compose ${name} env ${k}`);
      for (const k of ['SECRET_KEY', 'DB_HOST', 'DB_PASSWORD', 'REDIS_HOST'])
        assert.ok(k in env, `${name} ${k}`);
      const test = (obj(svc['healthcheck'])['test'] as string[]).join(' ');
      const path = /127\.0\.0\.1:8000(\/[a-z/]+)/.exec(test)?.[1];
      assert.ok(path !== undefined, `${name} healthcheck`);
      assert.ok(h.app.hasRoute({ method: 'GET', url: path }), `${name} probes ${path}`);
      const cmd = svc['command'] as string[];
      assert.ok(['serve', 'worker'].includes(cmd[0]!), `${name} command`);
    }
    assert.deepEqual(obj(services['api'])['command'], ['serve', '--no-worker']);
  });

  it('k8s: api/worker Deployments probe /health and /ready, Service, ConfigMap, Secret, HPA', () => {
    const docs = k8sDocs();
    const kinds = docs.map((d) => d['kind']);
    for (const k of ['Deployment', 'Service', 'ConfigMap', 'Secret', 'HorizontalPodAutoscaler'])
      assert.ok(kinds.includes(k), k);
    const deployments = docs.filter((d) => d['kind'] === 'Deployment');
    assert.deepEqual(deployments.map((d) => obj(d['metadata'])['name']).sort(), [
      'sonoteca-api',
      'sonoteca-worker',
    ]);
    const configMap = docs.find((d) => d['kind'] === 'ConfigMap')!;
    const secret = docs.find((d) => d['kind'] === 'Secret')!;
    for (const k of [
      ...Object.keys(obj(configMap['data'])),
      ...Object.keys(obj(secret['stringData'])),
    ])
      assert.ok(known.has(k), `k8s variable ${k}`);
    assert.ok(
      'SECRET_KEY' in obj(secret['stringData']) && 'DB_PASSWORD' in obj(secret['stringData']),
    );
    for (const d of deployments) {
      const spec = obj(obj(obj(d['spec'])['template'])['spec']);
      assert.equal(obj(spec['securityContext'])['runAsNonRoot'], true);
      const c = obj((spec['containers'] as unknown[])[0]);
      const live = obj(obj(c['livenessProbe'])['httpGet']);
      const ready = obj(obj(c['readinessProbe'])['httpGet']);
      assert.equal(live['path'], '/health');
      assert.equal(ready['path'], '/ready');
      for (const p of [live['path'], ready['path']])
        assert.ok(h.app.hasRoute({ method: 'GET', url: p as string }), `route ${String(p)}`);
      for (const e of (c['env'] as { name: string }[] | undefined) ?? [])
        assert.ok(known.has(e.name), e.name);
      const refs = (c['envFrom'] as Obj[]).map(
        (r) => obj(r['configMapRef'] ?? r['secretRef'])['name'],
      );
      assert.deepEqual(refs.sort(), ['sonoteca-config', 'sonoteca-secrets']);
      const args = c['args'] as string[];
      assert.ok(['serve', 'worker'].includes(args[0]!));
      const port = obj((c['ports'] as unknown[])[0])['containerPort'];
      assert.equal(port, 8000);
    }
    const worker = deployments.find((d) => obj(d['metadata'])['name'] === 'sonoteca-worker')!;
    const wargs = obj(
      (obj(obj(obj(worker['spec'])['template'])['spec'])['containers'] as unknown[])[0],
    )['args'] as string[];
    assert.deepEqual(wargs, ['worker', '--health-port', '8000']);
    const hpaTargets = docs
      .filter((d) => d['kind'] === 'HorizontalPodAutoscaler')
      .map((d) => obj(obj(d['spec'])['scaleTargetRef'])['name']);
    assert.deepEqual(hpaTargets.sort(), ['sonoteca-api', 'sonoteca-worker']);
  });
});
