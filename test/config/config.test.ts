import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  configVariableNames,
  DEFAULT_MAX_UPLOAD_BYTES,
  loadConfig,
} from '../../src/config/config.js';
import { SonoError } from '../../src/errors.js';
import { tempDir } from '../helpers/fixtures.js';

const noFile = { envFile: false as const, cwd: '/srv/sono' };

function configError(fn: () => unknown): SonoError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof SonoError, `expected SonoError, got ${String(e)}`);
    assert.equal(e.code, 'SONO_ERR_INVALID_CONFIG');
    return e;
  }
  assert.fail('expected loadConfig to throw');
}

describe('loadConfig', () => {
  it('uses the embedded defaults with an empty environment', () => {
    const c = loadConfig({}, noFile);
    assert.equal(c.environment, 'development');
    assert.equal(c.host, '127.0.0.1');
    assert.equal(c.port, 8000);
    assert.equal(c.dataDir, '/srv/sono/data');
    assert.deepEqual(c.database, { kind: 'sqlite', path: '/srv/sono/data/sonoteca.db' });
    assert.equal(c.redis, undefined);
    assert.equal(c.maxUploadBytes, DEFAULT_MAX_UPLOAD_BYTES);
    assert.equal(c.maxxi.compatibilityMode, true);
    assert.equal(c.maxxi.outputFormat, 'json');
    assert.equal(c.maxxi.metadataSchema, 'dublin_core');
    assert.equal(c.maxxi.outputDir, '/srv/sono/data/maxxi');
    // Development without SECRET_KEY: a random key and a warning.
    assert.equal(c.secretKeyGenerated, true);
    assert.ok(c.secretKey.length >= 32);
    assert.notEqual(loadConfig({}, noFile).secretKey, c.secretKey);
    assert.match(c.warnings.join('\n'), /SECRET_KEY/);
    assert.ok(Object.isFrozen(c) && Object.isFrozen(c.maxxi));
  });

  it('selects PostgreSQL and Redis when their hosts are set', () => {
    const c = loadConfig(
      { DB_HOST: 'db', DB_PASSWORD: 'pw', REDIS_HOST: 'r', REDIS_PORT: '6380', PORT: '9000' },
      noFile,
    );
    assert.deepEqual(c.database, {
      kind: 'postgres',
      host: 'db',
      port: 5432,
      database: 'production_audio',
      user: 'audio_user',
      password: 'pw',
      schema: undefined,
    });
    assert.deepEqual(c.redis, { host: 'r', port: 6380, password: undefined });
    assert.equal(c.port, 9000);
  });

  it('names the bad variable', () => {
    assert.match(configError(() => loadConfig({ PORT: 'eighty' }, noFile)).message, /PORT/);
    assert.match(configError(() => loadConfig({ PORT: '70000' }, noFile)).message, /PORT/);
    assert.match(
      configError(() => loadConfig({ ENVIRONMENT: 'prod' }, noFile)).message,
      /ENVIRONMENT/,
    );
    assert.match(
      configError(() => loadConfig({ MAXXI_COMPATIBILITY_MODE: 'maybe' }, noFile)).message,
      /MAXXI_COMPATIBILITY_MODE/,
    );
    assert.match(
      configError(() => loadConfig({ MAXXI_CALLBACK_URL: 'ftp://x' }, noFile)).message,
      /MAXXI_CALLBACK_URL/,
    );
    assert.match(
      configError(() => loadConfig({ SECRET_KEY: 'short' }, noFile)).message,
      /SECRET_KEY.*32/,
    );
  });

  it('refuses to start in production without SECRET_KEY, naming it', () => {
    const e = configError(() => loadConfig({ ENVIRONMENT: 'production' }, noFile));
    assert.match(e.message, /SECRET_KEY/);
    assert.doesNotMatch(e.message, /DB_PASSWORD/);
  });

  it('refuses production on PostgreSQL without DB_PASSWORD, naming every missing variable', () => {
    const e = configError(() => loadConfig({ ENVIRONMENT: 'production', DB_HOST: 'db' }, noFile));
    assert.match(e.message, /SECRET_KEY/);
    assert.match(e.message, /DB_PASSWORD/);
    const key = 'k'.repeat(40);
    const e2 = configError(() =>
      loadConfig({ ENVIRONMENT: 'production', DB_HOST: 'db', SECRET_KEY: key }, noFile),
    );
    assert.match(e2.message, /DB_PASSWORD/);
    assert.doesNotMatch(e2.message, /SECRET_KEY/);
    const ok = loadConfig(
      { ENVIRONMENT: 'production', DB_HOST: 'db', SECRET_KEY: key, DB_PASSWORD: 'x' },
      noFile,
    );
    assert.equal(ok.secretKey, key);
    assert.equal(ok.secretKeyGenerated, false);
  });

  it('reads .env without overriding the real environment', () => {
    const dir = tempDir();
    const file = join(dir, '.env');
    writeFileSync(
      file,
      'PORT=8123\nLOG_LEVEL=debug\n# comment\nCORS_ORIGINS="https://a.example, https://b.example"\n',
    );
    const c = loadConfig({ LOG_LEVEL: 'warn' }, { cwd: dir });
    assert.equal(c.port, 8123);
    assert.equal(c.logLevel, 'warn');
    assert.deepEqual(c.corsOrigins, ['https://a.example', 'https://b.example']);
  });

  it('lists the contract variables', () => {
    const names = configVariableNames();
    for (const n of [
      'ENVIRONMENT',
      'HOST',
      'PORT',
      'DEBUG',
      'LOG_LEVEL',
      'SECRET_KEY',
      'DB_HOST',
      'DB_PORT',
      'DB_NAME',
      'DB_USER',
      'DB_PASSWORD',
      'REDIS_HOST',
      'REDIS_PORT',
      'MAXXI_COMPATIBILITY_MODE',
      'MAXXI_OUTPUT_FORMAT',
      'MAXXI_METADATA_SCHEMA',
      'MAXXI_OUTPUT_DIR',
    ])
      assert.ok(names.includes(n), n);
  });
});
