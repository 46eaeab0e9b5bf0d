/**
 * deploy/prometheus/: `promtool check rules`, `promtool check config` and `promtool test rules`
 * (synthetic series for every alert) on the real Debian promtool; every alert has a test that
 * shows it firing, a runbook section in docs/OPERATIONS.md and a severity; every metric name the
 * rules query is one the service exports.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { exportedSeriesNames } from './exported-metrics.js';
import { binaryOrSkip } from './prometheus-bin.js';

const run = promisify(execFile);
const dir = new URL('../../deploy/prometheus/', import.meta.url).pathname;
const operations = readFileSync(new URL('../../docs/OPERATIONS.md', import.meta.url), 'utf8');

interface Rule {
  readonly alert?: string;
  readonly record?: string;
  readonly expr: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}
const rules = (
  parse(readFileSync(join(dir, 'sonoteca.rules.yml'), 'utf8')) as {
    groups: { rules: Rule[] }[];
  }
).groups.flatMap((g) => g.rules);
const alerts = rules.filter((r) => r.alert !== undefined);

describe('deploy/prometheus rules', () => {
  it('promtool check rules / check config / test rules pass', async (t) => {
    const promtool = binaryOrSkip(t, 'promtool');
    if (promtool === undefined) return;
    const check = await run(promtool, ['check', 'rules', 'sonoteca.rules.yml'], { cwd: dir });
    assert.match(check.stdout, new RegExp(`SUCCESS: ${rules.length} rules found`));
    // prometheus-kubernetes.yml is checked statically in deploy.test.ts: Debian's build leaves
    // out Kubernetes service discovery, so its promtool rejects kubernetes_sd_configs.
    const c = await run(promtool, ['check', 'config', 'prometheus.yml'], { cwd: dir });
    assert.match(c.stdout, /SUCCESS: prometheus\.yml is valid/);
    const test = await run(promtool, ['test', 'rules', 'sonoteca.rules.test.yml'], { cwd: dir });
    assert.match(test.stdout, /SUCCESS/);
  });

  it('every alert has a severity, a runbook section, and a unit test where it fires', () => {
    const tests = (
      parse(readFileSync(join(dir, 'sonoteca.rules.test.yml'), 'utf8')) as {
        tests: { alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[] }[];
      }
    ).tests.flatMap((t) => t.alert_rule_test ?? []);
    assert.ok(alerts.length >= 12, String(alerts.length));
    const anchors = new Set(
      [...operations.matchAll(/^#{2,4} (.+)$/gm)].map((m) =>
        m[1]!
          .toLowerCase()
          .replace(/[^a-z0-9 -]/g, '')
          .replace(/ /g, '-'),
      ),
    );
    for (const a of alerts) {
      const name = a.alert!;
      assert.ok(['critical', 'warning'].includes(a.labels?.['severity'] ?? ''), name);
      assert.ok((a.annotations?.['summary'] ?? '').length > 0, `${name} summary`);
      const runbook = /^docs\/OPERATIONS\.md#(.+)$/.exec(a.annotations?.['runbook_url'] ?? '');
      assert.ok(runbook, `${name} runbook_url`);
      assert.ok(anchors.has(runbook[1]!), `${name}: no section #${runbook[1]} in OPERATIONS.md`);
      assert.ok(operations.includes(name), `${name} named in OPERATIONS.md`);
      assert.ok(
        tests.some((t) => t.alertname === name && t.exp_alerts.length > 0),
        `${name} has no firing test`,
      );
      assert.ok(
        tests.some((t) => t.alertname === name && t.exp_alerts.length === 0),
        `${name} has no quiet test`,
      );
    }
  });

  it('every sonoteca_* series the rules query is exported by the service', async () => {
    const exported = await exportedSeriesNames();
    const used = new Set(
      rules.flatMap((r) => [...r.expr.matchAll(/\bsonoteca_[a-z_]+/g)].map((m) => m[0])),
    );
    assert.ok(used.size >= 10);
    for (const name of used) assert.ok(exported.has(name), `${name} is not exported`);
  });
});
