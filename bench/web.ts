/**
 * `npm run bench:web`: the web page's two targets, measured in Debian's Chromium against a real
 * service (SQLite): (1) the recording view of a 3-hour recording is interactive (waveform,
 * lanes and sections drawn) within 2 s from stored peaks, without its audio; (2) the collection
 * stays responsive with 10,000 tasks (server-side paging, search and sort).
 *
 * The 3-hour report is the real report of a corpus file with its `waveform` section replaced by
 * one the real WaveformAnalyzer computed over 3 h of generated signal (peaks size is what a real
 * 3-hour analysis stores). Prints the numbers; nothing is asserted.
 */
import { mkdirSync, copyFileSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { WaveformAnalyzer } from '../src/analysis/waveform/index.js';
import { DEFAULT_FRAMER, type Frame } from '../src/analysis/frames.js';
import { loadConfig } from '../src/config/config.js';
import { analyzeFile } from '../src/pipeline/analyze-file.js';
import type { AudioInfo } from '../src/audio/types.js';
import { hashPassword } from '../src/service/auth/passwords.js';
import { startRuntime } from '../src/service/runtime.js';
import { launchChromium } from '../test/helpers/chromium.js';
import { corpusDir } from '../test/helpers/corpus.js';
import { backendEnv, cleanupBackend } from '../test/service/harness.js';

const HOURS = 3;
const TASKS = 10_000;
const PASSWORD = 'bench-password-0123456789';

async function threeHourWaveform(): Promise<Record<string, unknown>> {
  const a = new WaveformAnalyzer();
  const rate = DEFAULT_FRAMER.sampleRateHz;
  const total = HOURS * 3600 * rate;
  const block = new Float32Array(16000);
  const mel = new Float32Array(DEFAULT_FRAMER.nMels ?? 40);
  const hop = DEFAULT_FRAMER.hopSamples;
  let frame = 0;
  const t0 = performance.now();
  for (let s = 0; s < total; s += block.length) {
    for (let i = 0; i < block.length; i++)
      block[i] = 0.5 * Math.sin((s + i) * 0.01) * Math.abs(Math.sin((s + i) / 40000));
    a.onSamples(block);
    for (; frame * hop < s + block.length; frame++) {
      for (let m = 0; m < mel.length; m++) mel[m] = -5 + 3 * Math.sin(frame / 500 + m / 7);
      a.onFrame({ melLog: mel } as unknown as Frame);
    }
  }
  const cpuMs = performance.now() - t0;
  const w = a.finish({
    audioInfo: {} as AudioInfo,
    analysisRateHz: rate,
    options: {},
    durationSec: HOURS * 3600,
    sections: {},
  }) as unknown as Record<string, unknown>;
  console.log(
    `waveform analyzer over ${HOURS} h: ${(cpuMs / 1000).toFixed(1)} s CPU (incl. signal generation)`,
  );
  return w;
}

async function main(): Promise<void> {
  const sample = join(corpusDir(), 'conversation', 'pyannote-sample.wav');
  const report = await analyzeFile(sample, { processingType: 'comprehensive' });
  const waveform = await threeHourWaveform();
  const longReport = JSON.parse(JSON.stringify(report)) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const scale = (HOURS * 3600) / report.audio_info.decoded_duration;
  longReport['audio_info'].duration = HOURS * 3600;
  longReport['audio_info'].decoded_duration = HOURS * 3600;
  longReport['results'].waveform = waveform;
  for (const s of [
    ...longReport['results'].segmentation.segments,
    ...longReport['results'].speaker_recognition.turns,
  ]) {
    s.start *= scale;
    s.end *= scale;
  }
  const peaksBytes = JSON.stringify(waveform).length;
  console.log(`3 h peaks + spectrogram JSON: ${(peaksBytes / 1024).toFixed(0)} KiB`);

  const rt = await startRuntime(loadConfig(backendEnv('sqlite+local'), { envFile: false }), {
    api: true,
    worker: false,
    onBootstrapPassword: () => undefined,
  });
  try {
    await rt.store.users.create({
      username: 'bench',
      passwordHash: await hashPassword(PASSWORD),
      role: 'archivist',
    });
    mkdirSync(rt.config.uploadDir, { recursive: true });
    const stored = join(rt.config.uploadDir, 'long');
    copyFileSync(sample, stored);
    const t0 = performance.now();
    let longId = '';
    for (let i = 0; i < TASKS; i++) {
      const task = await rt.store.tasks.create({
        processingType: 'comprehensive',
        sourcePath: stored,
        originalName: i === 0 ? 'three-hours.wav' : `tape-${String(i).padStart(5, '0')}.wav`,
        sizeBytes: statSync(stored).size,
        mime: 'audio/wav',
      });
      if (i === 0) {
        const r = await rt.store.results.insertOrGet({
          taskId: task.id,
          sha256: 'bench',
          processingType: 'comprehensive',
          analyzersKey: 'bench',
          schemaVersion: report.schema_version,
          reportJson: JSON.stringify(longReport),
        });
        await rt.store.tasks.markProcessing(task.id, 1);
        await rt.store.tasks.markCompleted(task.id, {
          resultId: r.id,
          processingTimeSec: 1,
          durationSec: HOURS * 3600,
        });
        longId = task.id;
      }
    }
    console.log(`created ${TASKS} tasks in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    await rt.app!.listen({ host: '127.0.0.1', port: 0 });
    const base = `http://127.0.0.1:${(rt.app!.server.address() as AddressInfo).port}`;
    const login = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'bench', password: PASSWORD }),
    });
    const token = ((await login.json()) as { access_token: string }).access_token;
    for (const q of [
      'limit=50',
      'limit=50&offset=9950',
      'q=tape-09&sort=file_name&order=asc',
      'sort=duration&order=desc',
      'status=completed&sort=category',
    ]) {
      const times: number[] = [];
      for (let i = 0; i < 5; i++) {
        const t = performance.now();
        const r = await fetch(`${base}/api/v1/collection?${q}`, {
          headers: { authorization: `Bearer ${token}` },
        });
        await r.json();
        times.push(performance.now() - t);
      }
      times.sort((a, b) => a - b);
      console.log(
        `GET /api/v1/collection?${q}: median ${times[2]!.toFixed(0)} ms over 10,000 tasks`,
      );
    }

    const browser = await launchChromium();
    const page = await (
      await browser.newContext({ viewport: { width: 1280, height: 800 } })
    ).newPage();
    let audioBytes = 0;
    page.on('response', (r) => {
      if (r.url().includes('/audio?')) audioBytes += Number(r.headers()['content-length'] ?? 0);
    });
    await page.goto(`${base}/`);
    await page.getByLabel('Username').fill('bench');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const tc = performance.now();
    await page.locator('tr', { hasText: 'tape-' }).first().waitFor();
    console.log(
      `collection page with 10,000 tasks drawn in ${(performance.now() - tc).toFixed(0)} ms after sign-in`,
    );
    for (let run = 0; run < 3; run++) {
      await page.goto(`${base}/#/collection`);
      await page.locator('tr').first().waitFor();
      const t = performance.now();
      await page.goto(`${base}/#/recording/${longId}`);
      await page.waitForSelector('body[data-recording-ready]');
      await page.locator('.wave canvas').first().waitFor();
      await page.locator('.lane-item').first().waitFor();
      console.log(
        `3 h recording view interactive in ${(performance.now() - t).toFixed(0)} ms (audio bytes fetched so far: ${audioBytes})`,
      );
    }
    await browser.close();
  } finally {
    await rt.stop();
    await cleanupBackend(rt.config);
  }
}

await main();
