/**
 * Issue 8 service holes, each with the request that got through before: security headers on
 * every route (probes and metrics included), a bounded X-Request-Id, JWTs without `exp` refused,
 * failed logins audited, tokens revoked by a password change, and a by-reference submission
 * raced by swapping a directory for a symlink after the 202.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config/config.js';
import { credentialStamp } from '../../src/service/plugins/auth.js';
import { startRuntime, type Runtime } from '../../src/service/runtime.js';
import { tempDir, tone, writeWav } from '../helpers/fixtures.js';
import {
  backendEnv,
  cleanupBackend,
  createHarness,
  PASSWORD,
  SECRET_KEY,
  type Harness,
} from './harness.js';

function b64url(v: unknown): string {
  return Buffer.from(JSON.stringify(v)).toString('base64url');
}

/** An HS256 token signed with the service's key, with exactly these claims. */
function signToken(claims: Record<string, unknown>): string {
  const head = `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url(claims)}`;
  return `${head}.${createHmac('sha256', SECRET_KEY).update(head).digest('base64url')}`;
}

describe('service hardening (sqlite+local)', () => {
  let h: Harness;
  before(async () => {
    h = await createHarness('sqlite+local');
  });
  after(async () => h.close());

  it('security headers on every route, /health, /ready and /metrics included', async () => {
    for (const url of [
      '/health',
      '/ready',
      '/api/health',
      '/api/ready',
      '/metrics',
      '/api/v1/tasks',
    ]) {
      const res = await h.app.inject({ url, headers: h.auth('admin') });
      assert.equal(res.headers['x-content-type-options'], 'nosniff', url);
      assert.ok(res.headers['strict-transport-security'], `${url}: no HSTS`);
      assert.ok(res.headers['content-security-policy'], `${url}: no CSP`);
    }
  });

  it('X-Request-Id: a short token is echoed, an oversized or odd one replaced', async () => {
    const ok = await h.app.inject({ url: '/health', headers: { 'x-request-id': 'maxxi-42.a:b' } });
    assert.equal(ok.headers['x-request-id'], 'maxxi-42.a:b');
    const long = 'x'.repeat(10_000);
    const big = await h.app.inject({ url: '/health', headers: { 'x-request-id': long } });
    const id = String(big.headers['x-request-id']);
    assert.notEqual(id, long);
    assert.match(id, /^[0-9a-f-]{36}$/);
    const odd = await h.app.inject({ url: '/health', headers: { 'x-request-id': 'a b<script>' } });
    assert.match(String(odd.headers['x-request-id']), /^[0-9a-f-]{36}$/);
  });

  it('a JWT without exp is refused; the same claims with exp are accepted', async () => {
    const user = (await h.store.users.list()).find((u) => u.role === 'admin')!;
    const base = {
      pwd: credentialStamp(user.passwordHash),
      sub: user.id,
      name: user.username,
      role: 'admin',
      iss: 'sonoteca',
      iat: Math.floor(Date.now() / 1000),
    };
    const noExp = await h.app.inject({
      url: '/api/v1/tasks',
      headers: { authorization: `Bearer ${signToken(base)}` },
    });
    assert.equal(noExp.statusCode, 401, noExp.body);
    assert.match(noExp.body, /without expiry/);
    const withExp = await h.app.inject({
      url: '/api/v1/tasks',
      headers: { authorization: `Bearer ${signToken({ ...base, exp: base.iat + 600 })}` },
    });
    assert.equal(withExp.statusCode, 200, withExp.body);
  });

  it('a failed login is audited with the username and why, never the password', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'admin1', password: 'not the password at all' },
    });
    assert.equal(res.statusCode, 401);
    await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'nobody', password: 'whatever-password' },
    });
    const page = await h.store.audit.list({ action: 'auth.login_failed' });
    const reasons = page.items.map(
      (e) => `${String(e.details?.['username'])}:${String(e.details?.['reason'])}`,
    );
    assert.ok(reasons.includes('admin1:wrong password'), reasons.join(', '));
    assert.ok(reasons.includes('nobody:unknown user'), reasons.join(', '));
    assert.ok(!JSON.stringify(page.items).includes('not the password at all'));
  });

  it('a password change revokes the tokens issued before it', async () => {
    const login = async (password: string): Promise<string> => {
      const res = await h.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username: 'viewer1', password },
      });
      assert.equal(res.statusCode, 200, res.body);
      return (res.json() as { access_token: string }).access_token;
    };
    const old = await login(PASSWORD);
    const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
    assert.equal(
      (await h.app.inject({ url: '/api/v1/tasks', headers: bearer(old) })).statusCode,
      200,
    );
    const changed = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/password',
      headers: bearer(old),
      payload: { current_password: PASSWORD, new_password: 'a brand new long password' },
    });
    assert.ok(changed.statusCode < 300, changed.body);
    const after = await h.app.inject({ url: '/api/v1/tasks', headers: bearer(old) });
    assert.equal(after.statusCode, 401);
    assert.match(after.body, /revoked/);
    const fresh = await login('a brand new long password');
    assert.equal(
      (await h.app.inject({ url: '/api/v1/tasks', headers: bearer(fresh) })).statusCode,
      200,
    );
  });
});

describe('by-reference race (separate API and worker runtimes, sqlite+local)', () => {
  it('a directory swapped for a symlink after the 202: the task fails with SONO_ERR_PATH_NOT_ALLOWED, nothing outside the root is analysed', async () => {
    const archive = tempDir('sono-archive-');
    const outside = tempDir('sono-outside-');
    for (const [root, hz] of [
      [archive, 440],
      [outside, 880],
    ] as const) {
      mkdirSync(join(root, 'tapes'));
      writeWav(join(root, 'tapes'), 'take.wav', [tone(hz, 1, 16000, 0.3)], {
        sampleRateHz: 16000,
      });
    }
    const config = loadConfig(
      backendEnv('sqlite+local', { MAXXI_ALLOWED_ROOTS: archive, WORKER_CONCURRENCY: '1' }),
      { envFile: false },
    );
    let password = '';
    const api = await startRuntime(config, {
      api: true,
      worker: false,
      onBootstrapPassword: (_u, p) => (password = p),
    });
    let worker: Runtime | undefined;
    try {
      const login = await api.app!.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username: 'admin', password },
      });
      const auth = {
        authorization: `Bearer ${(login.json() as { access_token: string }).access_token}`,
      };
      const res = await api.app!.inject({
        method: 'POST',
        url: '/api/v1/batch/process',
        headers: auth,
        payload: { paths: [join(archive, 'tapes', 'take.wav')], processing_type: 'technical' },
      });
      assert.equal(res.statusCode, 202, res.body);
      const [id] = (res.json() as { task_ids: string[] }).task_ids;
      // After the 202, before any worker runs: tapes/ becomes a symlink to a folder outside.
      renameSync(join(archive, 'tapes'), join(archive, 'tapes-moved'));
      symlinkSync(join(outside, 'tapes'), join(archive, 'tapes'));
      worker = await startRuntime(config, {
        api: false,
        worker: true,
        queueTiming: { pollIntervalMs: 20, backoffBaseMs: 50, leaseMs: 3000 },
      });
      let st: { status: string; error?: { code: string } | null; result_id?: string | null } = {
        status: 'queued',
      };
      for (let i = 0; i < 600 && !['completed', 'failed'].includes(st.status); i++) {
        await new Promise((r) => setTimeout(r, 50));
        st = (await api.app!.inject({ url: `/api/v1/status/${id}`, headers: auth })).json();
      }
      assert.equal(st.status, 'failed', JSON.stringify(st));
      assert.equal(st.error?.code, 'SONO_ERR_PATH_NOT_ALLOWED');
      const results = await api.app!.inject({ url: `/api/v1/results/${id}`, headers: auth });
      assert.equal(results.statusCode, 409, 'no report of the file outside the root');
    } finally {
      await worker?.stop();
      await api.stop();
      await cleanupBackend(config);
      rmSync(archive, { recursive: true, force: true });
      rmSync(outside, { recursive: true, force: true });
    }
  });
});
