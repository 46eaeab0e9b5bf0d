/**
 * Issue 8 service holes, each with the request that got through before: security headers on
 * every route (probes and metrics included), a bounded X-Request-Id, JWTs without `exp` refused.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { credentialStamp } from '../../src/service/plugins/auth.js';
import { createHarness, PASSWORD, SECRET_KEY, type Harness } from './harness.js';

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
