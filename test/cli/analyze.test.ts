import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { XMLValidator } from 'fast-xml-parser';
import { resolveFfmpeg } from '../../src/audio/ffmpeg-path.js';
import type { Report } from '../../src/pipeline/report.js';
import { validateAgainst, validateReport } from '../../src/pipeline/validate-report.js';
import { analysedCorpus, corpusOrSkip } from '../helpers/corpus.js';
import { assertReportMatches, writeMislabelledFixtures } from '../audio/mislabelled-fixtures.js';
import { encodeWav, tempDir, tone, writeWav } from '../helpers/fixtures.js';

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0' },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A path as the CLI prints it: relative to the working directory when inside it. */
function cliPath(p: string): string {
  const r = relative(process.cwd(), p);
  return r === '' || r.startsWith('..') ? p : r;
}

interface Entry {
  input: string;
  status: string;
  report?: string;
  record?: string;
  error?: { code: string; message: string };
}

/** A folder mixing good and broken files (built once for the tests of this file). */
function buildMixedFolder(): { root: string; good: string[]; broken: Record<string, RegExp> } {
  const root = tempDir('sonoteca-cli-');
  const inDir = join(root, 'in');
  mkdirSync(join(inDir, 'a'), { recursive: true });
  mkdirSync(join(inDir, 'b'), { recursive: true });
  // Good: same file name in two folders (must not collide), and an MP3.
  writeWav(join(inDir, 'a'), 'take.wav', [tone(440, 2, 44100, 0.3)], { sampleRateHz: 44100 });
  writeWav(join(inDir, 'b'), 'take.wav', [tone(880, 1.5, 48000, 0.2), tone(660, 1.5, 48000, 0.2)], {
    sampleRateHz: 48000,
    format: 'pcm24',
  });
  const mp3 = join(inDir, 'song.mp3');
  execFileSync(resolveFfmpeg().path, [
    '-hide_banner',
    '-loglevel',
    'error',
    '-f',
    'lavfi',
    '-i',
    'sine=frequency=500:duration=4:sample_rate=44100',
    '-c:a',
    'libmp3lame',
    '-b:a',
    '128k',
    '-y',
    mp3,
  ]);
  // Broken.
  const bad = join(inDir, 'broken');
  mkdirSync(bad);
  writeFileSync(join(bad, 'empty.wav'), Buffer.alloc(0));
  const goodWav = encodeWav([tone(440, 1, 16000, 0.3)], { sampleRateHz: 16000 });
  writeFileSync(join(bad, 'truncated-header.wav'), goodWav.subarray(0, 20));
  writeFileSync(
    join(bad, 'image.wav'),
    Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), Buffer.alloc(200, 7)]),
  );
  writeFileSync(join(bad, 'readme.wav'), 'This is a text file, not a recording.\n'.repeat(40));
  const liar = Buffer.from(goodWav);
  liar.writeUInt32LE(goodWav.length * 50, 40); // data chunk claims 50× the bytes present
  writeFileSync(join(bad, 'lying-size.wav'), liar);
  const mp3Bytes = readFileSync(mp3);
  writeFileSync(join(bad, 'truncated.mp3'), mp3Bytes.subarray(0, 300));
  const absurd = Buffer.from(goodWav);
  absurd.writeUInt32LE(0xfffffff0, 4);
  absurd.writeUInt32LE(0xffffffc0, 40);
  writeFileSync(join(bad, 'absurd-size.wav'), absurd);
  mkdirSync(join(root, 'empty-folder'));
  return {
    root,
    good: [join(inDir, 'a', 'take.wav'), join(inDir, 'b', 'take.wav'), mp3],
    broken: {
      'empty.wav': /^SONO_ERR_EMPTY_FILE$/,
      'truncated-header.wav': /^SONO_ERR_(TRUNCATED|CORRUPT_HEADER)$/,
      'image.wav': /^SONO_ERR_NOT_AUDIO$/,
      'readme.wav': /^SONO_ERR_NOT_AUDIO$/,
      'truncated.mp3': /^SONO_ERR_(TRUNCATED|DECODE_FAILED|CORRUPT_HEADER)$/,
    },
  };
}

const fx = buildMixedFolder();
const inDir = join(fx.root, 'in');

function readSummary(out: string): { files: Entry[]; totals: { ok: number; failed: number } } {
  const summary = JSON.parse(readFileSync(join(out, 'batch-summary.json'), 'utf8')) as {
    files: Entry[];
    totals: { ok: number; failed: number };
  };
  const v = validateAgainst('batch-summary.schema.json', summary);
  assert.ok(v.valid, v.errors.join('\n'));
  return summary;
}

function stableReport(path: string): unknown {
  const r = JSON.parse(readFileSync(path, 'utf8')) as Report;
  return { audio_info: r.audio_info, results: r.results, warnings: r.warnings };
}

test('a batch mixing good and broken files: exit 1, every failure coded, every good report written', () => {
  const out = join(fx.root, 'out1');
  const missing = join(fx.root, 'does-not-exist');
  const r = cli(
    'analyze',
    inDir,
    missing,
    join(fx.root, 'empty-folder'),
    '--out',
    out,
    '--root',
    inDir,
    '--type',
    'technical',
    '--format',
    'csv',
  );
  assert.equal(r.status, 1, r.stderr);
  const summary = readSummary(out);
  const byName = new Map(summary.files.map((e) => [e.input.split('/').at(-1)!, e]));

  assert.equal(byName.get('does-not-exist')?.error?.code, 'SONO_ERR_PATH_NOT_FOUND');
  assert.equal(byName.get('empty-folder')?.error?.code, 'SONO_ERR_NO_AUDIO_FILES');
  for (const [name, code] of Object.entries(fx.broken)) {
    const e = byName.get(name);
    assert.equal(e?.status, 'failed', `${name} should fail`);
    assert.match(e!.error!.code, code, `${name}: ${e!.error!.message}`);
    // One record per input: the failure record sits where the report would, and validates.
    assert.equal(e!.record, cliPath(join(out, 'broken', `${name}.json`)));
    const record = JSON.parse(readFileSync(e!.record!, 'utf8')) as {
      status: string;
      error: { code: string };
      source: { size_bytes: number | null };
      fixity: { sha256: string; bytes: number } | null;
      content: { non_audio: string | null };
    };
    assert.equal(record.status, 'failed');
    assert.equal(record.error.code, e!.error!.code);
    const bytes = readFileSync(join(inDir, 'broken', name));
    assert.equal(record.source.size_bytes, bytes.length);
    if (bytes.length > 0)
      assert.equal(record.fixity?.sha256, createHash('sha256').update(bytes).digest('hex'));
    if (name === 'image.wav') assert.equal(record.content.non_audio, 'PNG image');
    const vr = cli('validate', e!.record!);
    assert.equal(vr.status, 0, vr.stdout);
    assert.match(vr.stdout, /valid failure record/);
    assert.match(
      r.stdout,
      new RegExp(`${name.replace('.', '\\.')}\\s.*${e!.error!.code}`),
      `${name} in table`,
    );
  }
  // A WAV whose data size lies is either refused with a code or analysed with a warning.
  const liar = byName.get('lying-size.wav')!;
  if (liar.status === 'failed') assert.match(liar.error!.code, /^SONO_ERR_[A-Z_]+$/);
  else {
    const rep = JSON.parse(readFileSync(liar.report!, 'utf8')) as Report;
    assert.ok(rep.warnings.length > 0, 'an analysed lying WAV must carry a warning');
  }

  // A WAV whose sizes claim 4 GB is a cut file: analysed as far as it decodes, marked truncated.
  const absurd = byName.get('absurd-size.wav')!;
  assert.equal(absurd.status, 'ok', absurd.error?.message);
  const cut = JSON.parse(readFileSync(absurd.report!, 'utf8')) as Report;
  assert.equal(cut.results.technical_metadata.integrity?.status, 'truncated');
  assert.equal(cut.results.technical_metadata.integrity?.declared_bytes, 0xffffffc0);

  for (const file of fx.good) {
    const base = join(out, relative(inDir, file));
    const report = JSON.parse(readFileSync(`${base}.json`, 'utf8')) as Report;
    const v = validateReport(report);
    assert.ok(v.valid, `${file}: ${v.errors.join('\n')}`);
    assert.equal(report.source.path, file);
    const xml = readFileSync(`${base}.dc.xml`, 'utf8');
    assert.equal(XMLValidator.validate(xml), true);
    assert.match(
      xml,
      new RegExp(`<dc:identifier>sha256:${report.results.fixity.sha256}</dc:identifier>`),
    );
  }
  assert.equal(summary.totals.ok, fx.good.length + 1 + (liar.status === 'ok' ? 1 : 0));
  const csv = readFileSync(join(out, 'batch-summary.csv'), 'utf8').trim().split('\n');
  assert.equal(csv.length, summary.files.length + 1);
  assert.match(csv[0]!, /^input,status,error_code,/);

  // validate: the written report passes, a report missing audio_info fails naming it.
  const reportPath = join(out, 'a', 'take.wav.json');
  const vs = cli('validate', reportPath, join(out, 'batch-summary.json'));
  assert.equal(vs.status, 0, vs.stdout);
  assert.match(vs.stdout, /valid report/);
  assert.match(vs.stdout, /valid batch summary/);
  const broken = JSON.parse(readFileSync(reportPath, 'utf8')) as Record<string, unknown>;
  delete broken['audio_info'];
  const brokenPath = join(fx.root, 'broken-report.json');
  writeFileSync(brokenPath, JSON.stringify(broken));
  const v = cli('validate', brokenPath);
  assert.equal(v.status, 1);
  assert.match(v.stdout, /audio_info/);

  // --jobs 2 writes the same reports.
  const out2 = join(fx.root, 'out2');
  const r2 = cli(
    'analyze',
    inDir,
    '--out',
    out2,
    '--root',
    inDir,
    '--type',
    'technical',
    '--jobs',
    '2',
    '--quiet',
    '--format',
    'ndjson',
  );
  assert.equal(r2.status, 1);
  // --format ndjson: one line per file, a report or a coded error record.
  const lines = readFileSync(join(out2, 'batch.ndjson'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { ok: boolean; report?: Report; error?: { code: string } });
  assert.equal(lines.length, fx.good.length + Object.keys(fx.broken).length + 2);
  assert.equal(lines.filter((l) => l.ok).length, summary.totals.ok);
  for (const l of lines) {
    if (l.ok) assert.ok(validateReport(l.report).valid);
    else assert.match(l.error!.code, /^SONO_ERR_[A-Z_]+$/);
  }
  for (const file of fx.good) {
    const rel = relative(inDir, file);
    assert.deepEqual(
      stableReport(join(out2, `${rel}.json`)),
      stableReport(join(out, `${rel}.json`)),
      rel,
    );
  }
});

test('repeatable batches: layout fixed by --root, a summary per run, --skip-existing resumes, no empty exports', () => {
  const out = join(fx.root, 'out-repeat');
  const run = (...args: string[]): ReturnType<typeof cli> =>
    cli('analyze', ...args, '--out', out, '--root', inDir, '-q');
  // First run: only folder a (the inputs' common folder would be in/a, the root keeps in/).
  const r1 = run(join(inDir, 'a'), '--type', 'speech');
  assert.equal(r1.status, 0, r1.stderr);
  assert.ok(existsSync(join(out, 'a', 'take.wav.json')));
  // A tone has no speakers: no zero-byte RTTM or label files.
  for (const f of readdirSync(join(out, 'a'))) {
    assert.ok(readFileSync(join(out, 'a', f)).length > 0, `${f} is empty`);
  }
  assert.ok(!existsSync(join(out, 'a', 'take.wav.rttm')));
  // Second run over both folders, resuming: a/take.wav is skipped, b/take.wav analysed.
  const r2 = run(join(inDir, 'a'), join(inDir, 'b'), '--type', 'speech', '--skip-existing');
  assert.equal(r2.status, 0, r2.stderr);
  const summary = readSummary(out) as unknown as {
    files: Entry[];
    totals: { ok: number; skipped: number };
    run_id: string;
    root: string;
  };
  assert.equal(summary.root, inDir);
  const status = new Map(summary.files.map((e) => [e.input, e.status]));
  assert.equal(status.get(cliPath(join(inDir, 'a', 'take.wav'))), 'skipped');
  assert.equal(status.get(cliPath(join(inDir, 'b', 'take.wav'))), 'ok');
  assert.equal(summary.totals.skipped, 1);
  assert.ok(existsSync(join(out, 'b', 'take.wav.json')));
  // Each run kept its own summary.
  const runs = readdirSync(join(out, 'batch-summaries'));
  assert.equal(runs.length, 2);
  assert.ok(runs.includes(`${summary.run_id}.json`));
  // Another processing type is not the same report: analysed again, not skipped.
  const again = run(join(inDir, 'a'), '--type', 'technical', '--skip-existing');
  assert.equal(again.status, 0);
  const s3 = readSummary(out);
  assert.equal(s3.files[0]?.status, 'ok', 'another processing type is not the same report');
});

test('issue 8 regressions via the CLI: mislabelled and damaged files are analysed, none rejected, values true to the content', async (t) => {
  const dir = tempDir('sonoteca-cli-mislabelled-');
  const fixtures = writeMislabelledFixtures(dir);
  const out = join(dir, 'out');
  const r = cli(
    'analyze',
    ...fixtures.map((f) => f.path),
    '--out',
    out,
    '--root',
    dir,
    '--type',
    'technical',
    '-q',
  );
  assert.equal(r.status, 0, `no file ffmpeg decodes is rejected:\n${r.stdout}\n${r.stderr}`);
  const summary = readSummary(out);
  assert.equal(summary.totals.failed, 0);
  assert.equal(summary.totals.ok, fixtures.length);
  for (const f of fixtures) {
    await t.test(f.name, () => {
      const name = f.path.split('/').at(-1)!;
      const report = JSON.parse(readFileSync(join(out, `${name}.json`), 'utf8')) as Report;
      assert.equal(report.source.file_name, name);
      assertReportMatches(report, f);
    });
  }
});

/** `script` (util-linux) gives the CLI a real pseudo-terminal, so its progress bar is drawn. */
const SCRIPT = ['/usr/bin/script', '/bin/script'].find((p) => existsSync(p));

test(
  'Ctrl-C in a real terminal: cancelled files are not failed, the summary says cancelled, the terminal is restored',
  {
    skip:
      SCRIPT === undefined && process.env['CI'] !== 'true'
        ? 'no script(1) for a pseudo-terminal'
        : false,
  },
  async () => {
    assert.ok(SCRIPT, 'script(1) from util-linux is needed for this test');
    const root = tempDir('sonoteca-ctrl-c-');
    const inDir = join(root, 'in');
    const out = join(root, 'out');
    mkdirSync(inDir);
    // Six 90 s files: the first finishes in about a second, Ctrl-C comes right after it.
    for (let i = 1; i <= 6; i++)
      writeWav(inDir, `t${i}.wav`, [tone(200 * i, 90, 44100, 0.3)], { sampleRateHz: 44100 });
    const quote = (a: string): string => `'${a.replace(/'/g, "'\\''")}'`;
    const cmd = [process.execPath, '--import', 'tsx', 'src/cli/main.ts', 'analyze', inDir]
      .concat(['--out', out, '--root', inDir, '--type', 'technical', '--jobs', '1'])
      .map(quote)
      .join(' ');
    const child = spawn(SCRIPT, ['-qfec', cmd, '/dev/null'], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, FORCE_COLOR: '0', COLUMNS: '120', LINES: '40' },
    });
    let tty = '';
    let interrupted = false;
    const onData = (d: Buffer): void => {
      tty += d.toString('utf8');
      // Ctrl-C typed into the terminal: the line discipline sends SIGINT to the CLI.
      if (!interrupted && /\] ok {3}/.test(tty)) {
        interrupted = true;
        child.stdin.write('\x03');
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    assert.ok(interrupted, `no file finished before the run ended:\n${tty}`);
    assert.equal(code, 130, tty);

    const summary = readSummary(out) as unknown as {
      files: Entry[];
      totals: { ok: number; failed: number; cancelled: number };
    };
    assert.equal(
      summary.totals.failed,
      0,
      `cancelled files are not failures: ${JSON.stringify(summary.files)}`,
    );
    assert.ok(
      summary.totals.ok >= 1 && summary.totals.cancelled >= 1,
      JSON.stringify(summary.totals),
    );
    assert.equal(summary.totals.ok + summary.totals.cancelled, 6);
    for (const e of summary.files.filter((f) => f.status === 'cancelled')) {
      assert.equal(e.error?.code, 'SONO_ERR_CANCELLED');
      const record = JSON.parse(
        readFileSync(join(out, `${e.input.split('/').at(-1)!}.json`), 'utf8'),
      );
      assert.equal(record.status, 'cancelled');
    }
    assert.match(
      tty,
      new RegExp(`${summary.totals.ok} ok, 0 failed, ${summary.totals.cancelled} cancelled`),
    );
    assert.match(tty, /t\d\.wav +cancelled/);
    // The terminal comes back as it was: the cursor shown again after the bar hid it, and no bar
    // drawn after the interruption message.
    const hidden = tty.lastIndexOf('\x1b[?25l');
    const shown = tty.lastIndexOf('\x1b[?25h');
    assert.ok(hidden >= 0 && shown > hidden, 'cursor shown again');
    const after = tty.slice(tty.indexOf('sonoteca: interrupted'));
    assert.ok(after.length > 0 && !/[░█]/.test(after), `bar redrawn after Ctrl-C:\n${after}`);
    const numbers = [...after.matchAll(/\[(\d+)\/6\] CANCELLED/g)].map((m) => Number(m[1]));
    assert.equal(new Set(numbers).size, numbers.length, `each file its own number: ${numbers}`);
  },
);

test('usage errors exit 2; help documents exit codes; probe prints technical data', () => {
  assert.equal(cli('analyze', inDir, '--jobs', '0').status, 2);
  assert.equal(cli('analyze', inDir, '--type', 'everything').status, 2);
  const help = cli('analyze', '--help');
  assert.equal(help.status, 0);
  assert.match(help.stdout, /Exit codes/);
  assert.match(help.stdout, /--jobs/);

  const probe = cli('probe', fx.good[0]!);
  assert.equal(probe.status, 0, probe.stderr);
  const p = JSON.parse(probe.stdout) as { audio_info: { sample_rate: number; channels: number } };
  assert.equal(p.audio_info.sample_rate, 44100);
  assert.equal(p.audio_info.channels, 1);
  const probeBad = cli('probe', join(inDir, 'broken', 'readme.wav'));
  assert.equal(probeBad.status, 1);
  assert.match(probeBad.stderr, /SONO_ERR_NOT_AUDIO/);
});

test('corpus: a comprehensive run writes a schema-valid report and DC XML for every audio file, speech exports and filled music/heritage sections', (t) => {
  const corpus = corpusOrSkip(t);
  if (!corpus) return;
  // The run is shared with test/metadata/corpus-records.test.ts (one analysis per npm test).
  const { out, files, status, log } = analysedCorpus(corpus);
  assert.equal(status, 0, log);
  assert.ok(files.length > 10);
  for (const f of files) {
    const base = join(out, relative(corpus, f));
    const report = JSON.parse(readFileSync(`${base}.json`, 'utf8')) as Report;
    const v = validateReport(report);
    assert.ok(v.valid, `${f}: ${v.errors.join('\n')}`);
    assert.ok(report.audio_info.decoded_duration > 0, f);
    assert.equal(XMLValidator.validate(readFileSync(`${base}.dc.xml`, 'utf8')), true, f);
    for (const s of [
      'quality_control',
      'voice_activity',
      'segmentation',
      'speaker_recognition',
      'music_analysis',
      'instrumentation',
    ] as const) {
      assert.equal(report.results[s].status, 'ok', `${f}: ${s}`);
    }
    const h = report.results.heritage_classification as unknown as {
      status: string;
      evidence: unknown[];
      scores: Record<string, number>;
    };
    assert.equal(h.status, 'ok', f);
    assert.equal(Object.keys(h.scores).length, 7, f);
    assert.ok(h.evidence.length > 0, f);
    if (f.includes('/conversation/')) {
      // Speaker exports exist exactly where speakers were found (no empty files).
      const speakers = (
        report.results.speaker_recognition as unknown as { speakers_detected: number }
      ).speakers_detected;
      assert.ok(existsSync(`${base}.TextGrid`), `${base}.TextGrid`);
      for (const ext of ['.rttm', '.speakers.vtt']) {
        assert.equal(
          existsSync(`${base}${ext}`),
          speakers > 0,
          `${base}${ext} (${speakers} speakers)`,
        );
      }
    }
  }
  assert.equal(readSummary(out).totals.ok, files.length);
});
