/**
 * First-run bootstrap (one-time admin password shown once, only a scrypt hash stored) and the
 * `sonoteca user` / `sonoteca apikey` commands, run as real child processes on a SQLite file that
 * the app then uses for logins.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig, type Config } from '../../src/config/config.js';
import { createQueue } from '../../src/jobs/create-queue.js';
import type { JobQueue } from '../../src/jobs/queue.js';
import { buildApp } from '../../src/service/app.js';
import { verifyPassword } from '../../src/service/auth/passwords.js';
import { ensureAdmin } from '../../src/service/bootstrap.js';
import { queueConfigOf, storeConfigOf } from '../../src/service/runtime-config.js';
import { createDatabase } from '../../src/store/database.js';
import type { Store } from '../../src/store/types.js';
import { tempDir } from '../helpers/fixtures.js';

const quiet = { info: () => {} };

function cli(args: string[], env: Record<string, string>, input?: string) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    env: { ...process.env, ...env, LOG_LEVEL: 'silent' },
    input,
    encoding: 'utf8',
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('bootstrap admin', () => {
  let store: Store;
  let config: Config;
  before(async () => {
    config = loadConfig({ DATA_DIR: tempDir(), LOG_LEVEL: 'silent' }, { envFile: false });
    store = await createDatabase(storeConfigOf(config));
  });
  after(async () => store.close());

  it('creates admin once with a random password that is shown once and stored only hashed', async () => {
    const shown: [string, string][] = [];
    assert.equal(await ensureAdmin(store, quiet, (u, p) => shown.push([u, p])), true);
    assert.equal(shown.length, 1);
    const [username, password] = shown[0]!;
    assert.equal(username, 'admin');
    assert.ok(password.length >= 20);
    const user = await store.users.getByUsername('admin');
    assert.equal(user?.role, 'admin');
    assert.match(user!.passwordHash, /^scrypt\$15\$8\$1\$/);
    assert.ok(await verifyPassword(password, user!.passwordHash));
    assert.ok(!(await verifyPassword(`${password}x`, user!.passwordHash)));
    // The clear password appears nowhere in the database file.
    assert.equal(
      readFileSync((config.database as { path: string }).path).includes(Buffer.from(password)),
      false,
    );
    // Second start: nothing created, nothing printed.
    assert.equal(await ensureAdmin(store, quiet, (u, p) => shown.push([u, p])), false);
    assert.equal(shown.length, 1);
  });
});

describe('sonoteca user / apikey', () => {
  const dataDir = tempDir();
  const env = { DATA_DIR: dataDir };
  let store: Store;
  let queue: JobQueue;
  let app: Awaited<ReturnType<typeof buildApp>>;
  after(async () => {
    await app?.close();
    await queue?.close();
    await store?.close();
  });

  it('adds users from --password-stdin, refuses bad input, and the service accepts their logins', async () => {
    const added = cli(
      ['user', 'add', 'alice', '--role', 'admin', '--password-stdin'],
      env,
      'a sufficiently long secret\n',
    );
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stdout, /created user alice \(admin\)/);
    assert.equal(
      cli(['user', 'add', 'alice', '--password-stdin'], env, 'another long secret\n').code,
      2,
    );
    const key = cli(['apikey', 'create', 'maxxi', '--role', 'archivist'], env);
    assert.equal(key.code, 0, key.stderr);
    const apiKey = key.stdout.trim();
    assert.match(apiKey, /^sk_[0-9a-f]{12}_[A-Za-z0-9_-]{32}$/);
    assert.match(key.stderr, /not shown again/);
    const keys = cli(['apikey', 'list'], env);
    assert.ok(!keys.stdout.includes(apiKey));

    const config = loadConfig({ ...env, LOG_LEVEL: 'silent' }, { envFile: false });
    store = await createDatabase(storeConfigOf(config));
    queue = await createQueue(queueConfigOf(config, store));
    app = await buildApp({ config, store, queue });
    const login = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'alice', password: 'a sufficiently long secret' },
    });
    assert.equal(login.statusCode, 200);
    assert.equal(login.json().role, 'admin');
    const withKey = await app.inject({ url: '/api/v1/tasks', headers: { 'x-api-key': apiKey } });
    assert.equal(withKey.statusCode, 200);
    const id = keys.stdout.split('\t')[0]!;
    assert.equal(cli(['apikey', 'revoke', id], env).code, 0);
    const revoked = await app.inject({ url: '/api/v1/tasks', headers: { 'x-api-key': apiKey } });
    assert.equal(revoked.statusCode, 401);
    const audit = await store.audit.list({ action: 'api_key.revoked' });
    assert.equal(audit.items[0]?.actor, 'cli');
    assert.equal(join(dataDir, 'sonoteca.db'), (config.database as { path: string }).path);
  });
});
