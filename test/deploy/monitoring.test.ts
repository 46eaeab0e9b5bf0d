/**
 * Static checks of the operations kit (no container engine or cluster here): the namespace,
 * kustomization, ingress, PodDisruptionBudgets and NetworkPolicies of deploy/k8s; the compose
 * `monitoring` profile (mounted files exist, Prometheus and Grafana point at the services that
 * exist, as `docker compose --profile monitoring config` would need); the Grafana dashboard and
 * provisioning; the scrape configs name real routes and ports.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { parse, parseAllDocuments } from 'yaml';
import { buildProbeApp } from '../../src/service/app.js';
import { createHarness, type Harness } from '../service/harness.js';
import { exportedSeriesNames } from './exported-metrics.js';

const root = new URL('../../deploy/', import.meta.url).pathname;
type Obj = Record<string, unknown>;
const obj = (x: unknown, what = ''): Obj => {
  assert.ok(x !== null && typeof x === 'object' && !Array.isArray(x), `${what}: not an object`);
  return x as Obj;
};
const arr = (x: unknown, what = ''): unknown[] => {
  assert.ok(Array.isArray(x), `${what}: not an array`);
  return x;
};
const yamlFile = (rel: string): Obj => obj(parse(readFileSync(join(root, rel), 'utf8')), rel);

const k8sFiles = readdirSync(join(root, 'k8s')).filter((f) => f.endsWith('.yaml'));
const k8s: Obj[] = k8sFiles.flatMap((f) =>
  parseAllDocuments(readFileSync(join(root, 'k8s', f), 'utf8')).map((d) => {
    assert.deepEqual(d.errors, [], f);
    return obj(d.toJS(), f);
  }),
);
const ofKind = (kind: string) => k8s.filter((d) => d['kind'] === kind);
const nameOf = (d: Obj) => obj(d['metadata'])['name'] as string;
const configData = obj(ofKind('ConfigMap')[0]!['data']);

function podLabels(deployment: string): Obj {
  const d = ofKind('Deployment').find((x) => nameOf(x) === deployment)!;
  return obj(obj(obj(obj(d['spec'])['template'])['metadata'])['labels']);
}
const selects = (matchLabels: Obj, labels: Obj) =>
  Object.entries(matchLabels).every(([k, v]) => labels[k] === v);

/** Size in bytes of an nginx size (`2100m`, `2g`). */
function nginxBytes(size: string): number {
  const m = /^(\d+)([kmg]?)$/i.exec(size);
  assert.ok(m, size);
  const unit = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2]!.toLowerCase() as '' | 'k'];
  return Number(m[1]) * unit;
}

describe('operations kit (static)', () => {
  let h: Harness;
  let probe: FastifyInstance;
  before(async () => {
    h = await createHarness('sqlite+local');
    probe = await buildProbeApp({ config: h.config, store: h.store, queue: h.queue });
    await probe.ready();
  });
  after(async () => {
    await probe.close();
    await h.close();
  });

  it('k8s: Namespace, and a kustomization listing every manifest in that namespace', () => {
    assert.deepEqual(ofKind('Namespace').map(nameOf), ['sonoteca']);
    const kust = yamlFile('k8s/kustomization.yaml');
    assert.equal(kust['namespace'], 'sonoteca');
    const resources = arr(kust['resources'], 'resources') as string[];
    assert.deepEqual(
      [...resources].sort(),
      k8sFiles.filter((f) => f !== 'kustomization.yaml').sort(),
    );
  });

  it('k8s: Ingress to the API Service, sized and timed for multi-GB streamed uploads', () => {
    const [ing] = ofKind('Ingress');
    assert.ok(ing);
    const ann = obj(obj(ing['metadata'])['annotations']) as Record<string, string>;
    const maxUpload = Number(configData['MAX_UPLOAD_BYTES']);
    assert.ok(maxUpload >= 2 ** 31);
    // Above the service's limit, so the service answers SONO_ERR_FILE_TOO_LARGE itself.
    assert.ok(nginxBytes(ann['nginx.ingress.kubernetes.io/proxy-body-size']!) > maxUpload);
    assert.equal(ann['nginx.ingress.kubernetes.io/proxy-request-buffering'], 'off');
    for (const k of ['proxy-read-timeout', 'proxy-send-timeout', 'client-body-timeout'])
      assert.ok(Number(ann[`nginx.ingress.kubernetes.io/${k}`]) >= 1800, k);
    const spec = obj(ing['spec']);
    assert.ok(arr(spec['tls'], 'tls').length > 0);
    const backends = arr(spec['rules']).flatMap((r) =>
      arr(obj(obj(r)['http'])['paths']).map((p) => obj(obj(obj(p)['backend'])['service'])),
    );
    const svc = ofKind('Service').find((s) => nameOf(s) === 'sonoteca-api')!;
    const svcPorts = arr(obj(svc['spec'])['ports']).map((p) => obj(p)['name']);
    for (const b of backends) {
      assert.equal(b['name'], 'sonoteca-api');
      assert.ok(svcPorts.includes(obj(b['port'])['name']));
    }
  });

  it('k8s: a PodDisruptionBudget selects the pods of each Deployment', () => {
    const pdbs = ofKind('PodDisruptionBudget');
    for (const dep of ['sonoteca-api', 'sonoteca-worker']) {
      const labels = podLabels(dep);
      const pdb = pdbs.filter((p) =>
        selects(obj(obj(obj(p['spec'])['selector'])['matchLabels']), labels),
      );
      assert.equal(pdb.length, 1, dep);
      const spec = obj(pdb[0]!['spec']);
      assert.ok('minAvailable' in spec || 'maxUnavailable' in spec, dep);
    }
  });

  it('k8s: NetworkPolicies — default deny; API egress only to PostgreSQL, Redis and DNS', () => {
    const pols = ofKind('NetworkPolicy');
    const deny = pols.find((p) => Object.keys(obj(obj(p['spec'])['podSelector'])).length === 0);
    assert.ok(deny, 'default deny');
    assert.deepEqual(obj(deny['spec'])['policyTypes'], ['Ingress', 'Egress']);
    assert.equal(obj(deny['spec'])['ingress'], undefined);
    assert.equal(obj(deny['spec'])['egress'], undefined);
    const apiLabels = podLabels('sonoteca-api');
    const forApi = pols.filter((p) => {
      const sel = obj(obj(p['spec'])['podSelector']);
      return sel['matchLabels'] !== undefined && selects(obj(sel['matchLabels']), apiLabels);
    });
    const egress = forApi.flatMap((p) => (obj(p['spec'])['egress'] as unknown[] | undefined) ?? []);
    const ports = egress
      .flatMap((e) => arr(obj(e)['ports'], 'egress ports'))
      .map((p) => Number(obj(p)['port']))
      .sort((a, b) => a - b);
    const want = [53, 53, Number(configData['DB_PORT']), Number(configData['REDIS_PORT'])];
    assert.deepEqual(
      ports,
      want.sort((a, b) => a - b),
    );
    // Every egress rule names its destination (no "anywhere" for the API).
    for (const e of egress) assert.ok(arr(obj(e)['to'], 'to').length > 0);
    // The data stores accept Sonoteca's pods.
    const stores = pols.find((p) => nameOf(p) === 'sonoteca-datastores')!;
    const from = arr(obj(arr(obj(stores['spec'])['ingress'])[0])['from']);
    assert.ok(selects(obj(obj(obj(from[0])['podSelector'])['matchLabels']), apiLabels));
  });

  it('k8s: both Deployments are annotated for scraping on their port, a real /metrics route', () => {
    for (const d of ofKind('Deployment')) {
      const tmpl = obj(obj(d['spec'])['template']);
      const ann = obj(obj(tmpl['metadata'])['annotations'], nameOf(d)) as Record<string, string>;
      assert.equal(ann['prometheus.io/scrape'], 'true');
      const c = obj(arr(obj(tmpl['spec'])['containers'])[0]);
      assert.equal(Number(ann['prometheus.io/port']), obj(arr(c['ports'])[0])['containerPort']);
      const app = nameOf(d) === 'sonoteca-worker' ? probe : h.app;
      assert.ok(app.hasRoute({ method: 'GET', url: ann['prometheus.io/path']! }), nameOf(d));
    }
    const k8sProm = yamlFile('prometheus/prometheus-kubernetes.yml');
    const relabel = arr(obj(arr(k8sProm['scrape_configs'])[0])['relabel_configs']).map((r) =>
      obj(r),
    );
    const job = relabel.find((r) => r['target_label'] === 'job')!;
    const components = ofKind('Deployment').map(
      (d) => podLabels(nameOf(d))['app.kubernetes.io/component'] as string,
    );
    assert.deepEqual(components.map((c) => String(job['replacement']).replace('$1', c)).sort(), [
      'sonoteca-api',
      'sonoteca-worker',
    ]);
    for (const r of arr(k8sProm['rule_files']) as string[])
      assert.ok(existsSync(join(root, 'prometheus', r)), r);
  });

  it('compose: the monitoring profile mounts files that exist and wires the real services', () => {
    const doc = obj(parse(readFileSync(join(root, 'compose.yaml'), 'utf8'), { merge: true }));
    const services = obj(doc['services']);
    const declaredVolumes = Object.keys(obj(doc['volumes']));
    for (const name of ['prometheus', 'grafana']) {
      const svc = obj(services[name], name);
      assert.deepEqual(svc['profiles'], ['monitoring']);
      // Compose interpolates every service before choosing profiles: a required `${X:?}` in a
      // profile service would break `docker compose up` without that profile.
      assert.doesNotMatch(JSON.stringify(svc), /\$\{[A-Z_]+:?\?/, `${name}: required variable`);
      assert.match(String(svc['image']), /^[a-z/]+:v?\d+\.\d+\.\d+$/, `${name} image pinned`);
      for (const dep of Object.keys(obj(svc['depends_on'] ?? {})))
        assert.ok(dep in services, `${name} depends on ${dep}`);
      for (const p of arr(svc['ports']) as string[])
        assert.match(p, /^127\.0\.0\.1:\$\{[A-Z_]+:-\d+\}:\d+$/, `${name} port on loopback`);
      for (const v of arr(svc['volumes']) as string[]) {
        const [src] = v.split(':');
        if (src!.startsWith('.')) assert.ok(existsSync(join(root, src!)), `${name} mounts ${src}`);
        else assert.ok(declaredVolumes.includes(src!), `${name} volume ${src}`);
      }
    }
    const mounts = (svc: string) =>
      (arr(obj(services[svc])['volumes']) as string[]).map((v) => v.split(':'));
    // Prometheus: its config dir is deploy/prometheus; the rule files it names are there.
    const [promSrc, promDst] = mounts('prometheus').find(([s]) => s === './prometheus')!;
    const cmd = (arr(obj(services['prometheus'])['command']) as string[]).join(' ');
    assert.ok(cmd.includes(`--config.file=${promDst}/prometheus.yml`));
    const promCfg = yamlFile(join(promSrc!, 'prometheus.yml'));
    for (const r of arr(promCfg['rule_files']) as string[])
      assert.ok(existsSync(join(root, promSrc!, r)), r);
    const scrape = arr(promCfg['scrape_configs']).map((s) => obj(s));
    assert.deepEqual(scrape.map((s) => s['job_name']).sort(), ['sonoteca-api', 'sonoteca-worker']);
    const apiTargets = scrape.find((s) => s['job_name'] === 'sonoteca-api')!['static_configs'] as {
      targets: string[];
    }[];
    assert.deepEqual(apiTargets[0]!.targets, ['api:8000']);
    const dns = obj(
      arr(scrape.find((s) => s['job_name'] === 'sonoteca-worker')!['dns_sd_configs'])[0],
    );
    assert.deepEqual(dns['names'], ['worker']);
    // The worker serves /metrics on the port Prometheus asks (its --health-port).
    const workerCmd = obj(services['worker'])['command'] as string[];
    assert.equal(workerCmd[workerCmd.indexOf('--health-port') + 1], String(dns['port']));
    assert.ok(probe.hasRoute({ method: 'GET', url: '/metrics' }));

    // Grafana: the datasource is the prometheus service; the provider loads the mounted dashboard.
    const gSrc = mounts('grafana').find(([s]) => s === './grafana/provisioning')!;
    assert.equal(gSrc[1], '/etc/grafana/provisioning');
    const ds = obj(
      arr(yamlFile('grafana/provisioning/datasources/prometheus.yml')['datasources'])[0],
    );
    assert.equal(ds['url'], 'http://prometheus:9090');
    const provider = obj(
      arr(yamlFile('grafana/provisioning/dashboards/sonoteca.yml')['providers'])[0],
    );
    const dashMount = mounts('grafana').find(([s]) => s === './grafana/sonoteca.json')!;
    assert.equal(posix.dirname(dashMount[1]!), obj(provider['options'])['path']);
    const dashboard = JSON.parse(readFileSync(join(root, 'grafana/sonoteca.json'), 'utf8')) as {
      panels: { datasource: { uid: string }; targets: { datasource: { uid: string } }[] }[];
    };
    for (const p of dashboard.panels)
      for (const t of [p, ...p.targets]) assert.equal(t.datasource.uid, ds['uid']);
    assert.ok(existsSync(dirname(join(root, 'grafana/sonoteca.json'))));
  });

  it('dashboard: the panels the runbook promises, sane layout, only exported metric names', async () => {
    const dashboard = JSON.parse(readFileSync(join(root, 'grafana/sonoteca.json'), 'utf8')) as {
      uid: string;
      panels: {
        id: number;
        title: string;
        gridPos: { x: number; w: number };
        targets: { expr: string }[];
      }[];
    };
    assert.equal(dashboard.uid, 'sonoteca');
    const titles = dashboard.panels.map((p) => p.title.toLowerCase()).join(' | ');
    for (const topic of [
      'requests',
      'latency',
      'queue',
      'tasks by state',
      'real time',
      'errors by code',
      'analyzer',
      'workers',
    ])
      assert.ok(titles.includes(topic), topic);
    assert.equal(new Set(dashboard.panels.map((p) => p.id)).size, dashboard.panels.length);
    for (const p of dashboard.panels) assert.ok(p.gridPos.x + p.gridPos.w <= 24, p.title);
    const exported = await exportedSeriesNames();
    for (const p of dashboard.panels)
      for (const t of p.targets)
        for (const [name] of t.expr.matchAll(/\bsonoteca_[a-z_]+/g))
          assert.ok(exported.has(name), `${p.title}: ${name}`);
  });
});
