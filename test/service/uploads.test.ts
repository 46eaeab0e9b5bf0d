import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { SonoError } from '../../src/errors.js';
import { loadConfig } from '../../src/config/config.js';
import { startRuntime } from '../../src/service/runtime.js';
import {
  receiveUpload,
  removeUpload,
  sanitizeFileName,
  sweepIncoming,
} from '../../src/service/uploads.js';
import { encodeWav, tempDir, tone } from '../helpers/fixtures.js';
import { backendEnv, cleanupBackend } from './harness.js';

/** Splits a buffer into small chunks so the magic bytes arrive across several writes. */
function chunked(buf: Buffer, size: number): Readable {
  const parts: Buffer[] = [];
  for (let o = 0; o < buf.length; o += size) parts.push(buf.subarray(o, o + size));
  return Readable.from(parts);
}

describe('receiveUpload', () => {
  const wav = encodeWav([tone(440, 1, 16000)], { sampleRateHz: 16000 });

  it('streams to <yyyy>/<mm>/<id>/<name>, hashing and sniffing across chunk boundaries', async () => {
    const dir = tempDir();
    const u = await receiveUpload(chunked(wav, 7), {
      uploadDir: dir,
      originalName: 'C:\\tapes\\side A.wav',
      maxBytes: 1e6,
    });
    assert.equal(u.originalName, 'side A.wav');
    assert.equal(basename(u.path), 'side A.wav');
    assert.equal(basename(dirname(u.path)), u.id);
    assert.equal(u.format, 'wav');
    assert.equal(u.mime, 'audio/wav');
    assert.equal(u.sizeBytes, wav.length);
    assert.equal(u.sha256, createHash('sha256').update(wav).digest('hex'));
    assert.deepEqual(readFileSync(u.path), wav);
    assert.deepEqual(readdirSync(join(dir, '.incoming')), []);
    await removeUpload(u.path);
    assert.equal(existsSync(dirname(u.path)), false);
  });

  it('rejects non-audio, empty and oversized streams and leaves nothing behind', async () => {
    const dir = tempDir();
    const cases: [Buffer, number, string][] = [
      [Buffer.from('%PDF-1.7\n' + 'x'.repeat(5000)), 1e6, 'SONO_ERR_NOT_AUDIO'],
      [Buffer.alloc(0), 1e6, 'SONO_ERR_EMPTY_FILE'],
      [wav, 1000, 'SONO_ERR_PAYLOAD_TOO_LARGE'],
    ];
    for (const [data, maxBytes, code] of cases) {
      await assert.rejects(
        receiveUpload(chunked(data, 512), { uploadDir: dir, originalName: 'x.wav', maxBytes }),
        (e: unknown) => e instanceof SonoError && e.code === code,
        code,
      );
    }
    assert.deepEqual(readdirSync(join(dir, '.incoming')), []);
    assert.deepEqual(readdirSync(dir), ['.incoming']);
  });

  it('a rejection on the first chunk removes the part file even before its open completed', async () => {
    // The write stream opens the part file asynchronously; a non-audio first chunk fails the
    // pipeline before that, and a removal done then left the file behind (8 in 300 here).
    const dir = tempDir();
    for (let i = 0; i < 200; i++) {
      await assert.rejects(
        receiveUpload(Readable.from([Buffer.from('plain text '.repeat(50))]), {
          uploadDir: dir,
          originalName: 'x.wav',
          maxBytes: 1e6,
        }),
        (e: unknown) => e instanceof SonoError && e.code === 'SONO_ERR_NOT_AUDIO',
      );
    }
    assert.deepEqual(readdirSync(join(dir, '.incoming')), []);
  });

  it('sanitizes client file names', () => {
    assert.equal(sanitizeFileName('../../etc/passwd'), 'passwd');
    assert.equal(sanitizeFileName('..'), 'upload');
    assert.equal(sanitizeFileName(undefined), 'upload');
    assert.equal(sanitizeFileName('a\u0000b\u001f.wav'), 'ab.wav');
    assert.ok(Buffer.byteLength(sanitizeFileName('é'.repeat(300))) <= 200);
  });
});

describe('sweeping .incoming', () => {
  /** Part files as a killed process leaves them: `stale` of them written an hour ago. */
  function leaveParts(incoming: string, stale: number, fresh: number): void {
    mkdirSync(incoming, { recursive: true });
    const hourAgo = new Date(Date.now() - 3600_000);
    for (let i = 0; i < stale + fresh; i++) {
      const p = join(incoming, `leftover-${i}.part`);
      writeFileSync(p, Buffer.alloc(1000 + i));
      if (i < stale) utimesSync(p, hourAgo, hourAgo);
    }
  }

  it('removes stale part files only (an upload in flight keeps its part file)', async () => {
    const dir = tempDir();
    const incoming = join(dir, '.incoming');
    leaveParts(incoming, 3, 1);
    writeFileSync(join(incoming, 'notes.txt'), 'not ours');
    const swept = await sweepIncoming(dir);
    assert.deepEqual(swept, { files: 3, bytes: 1000 + 1001 + 1002 });
    assert.deepEqual(readdirSync(incoming).sort(), ['leftover-3.part', 'notes.txt']);
    assert.deepEqual(await sweepIncoming(join(dir, 'missing')), { files: 0, bytes: 0 });
  });

  it('the service sweeps the part files of a crash when it starts', async () => {
    const config = loadConfig(backendEnv('sqlite+local'), { envFile: false });
    const incoming = join(config.uploadDir, '.incoming');
    leaveParts(incoming, 39, 0);
    assert.equal(readdirSync(incoming).length, 39);
    const rt = await startRuntime(config, {
      api: true,
      worker: false,
      onBootstrapPassword: () => undefined,
    });
    try {
      assert.deepEqual(readdirSync(incoming), []);
    } finally {
      await rt.stop();
      await cleanupBackend(config);
    }
  });
});
