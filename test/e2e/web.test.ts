/**
 * The archivists' web page in a real browser: Debian's Chromium driven by playwright-core against
 * the built page (dist/web) served by a real service (SQLite + local queue + in-process worker).
 * Sign in, upload a corpus recording, wait for its analysis, play a region, move a boundary,
 * rename a speaker, change the category, approve; then the API, the oai_dc export and the audit
 * log show the corrections; a viewer sees no edit controls and the API refuses their edits.
 *
 * SONOTECA_SCREENSHOTS=1 also writes the screenshots to docs/screenshots/ (1280×800).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { loadConfig } from '../../src/config/config.js';
import { packageRoot } from '../../src/pipeline/report.js';
import { hashPassword } from '../../src/service/auth/passwords.js';
import { startRuntime, type Runtime } from '../../src/service/runtime.js';
import { CHROMIUM_PATH, haveChromium, launchChromium } from '../helpers/chromium.js';
import { corpusOrSkip } from '../helpers/corpus.js';
import { backendEnv, cleanupBackend } from '../service/harness.js';

const PASSWORD = 'e2e-password-0123456789';
const shotsDir = mkdtempSync(join(tmpdir(), 'sono-shots-'));

let rt: Runtime | undefined;
let browser: Browser | undefined;
let base = '';

function ensureWebBuilt(): void {
  if (!existsSync(join(packageRoot(), 'dist', 'web', 'index.html')))
    execFileSync('npm', ['run', 'build:web'], { cwd: packageRoot(), stdio: 'inherit' });
}

before(async () => {
  if (!haveChromium()) {
    if (process.env['CI'] === 'true') throw new Error(`no Chromium at ${CHROMIUM_PATH} (CI=true)`);
    return;
  }
  ensureWebBuilt();
  const env = backendEnv('sqlite+local', { WORKER_CONCURRENCY: '1' });
  rt = await startRuntime(loadConfig(env, { envFile: false }), {
    api: true,
    worker: true,
    queueTiming: { pollIntervalMs: 50, backoffBaseMs: 50, leaseMs: 5000 },
    onBootstrapPassword: () => undefined,
  });
  const hash = await hashPassword(PASSWORD);
  await rt.store.users.create({ username: 'ada', passwordHash: hash, role: 'archivist' });
  await rt.store.users.create({ username: 'vera', passwordHash: hash, role: 'viewer' });
  await rt.app!.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(rt.app!.server.address() as AddressInfo).port}`;
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  if (rt) {
    await rt.stop();
    await cleanupBackend(rt.config);
  }
  if (process.env['SONOTECA_SCREENSHOTS'] === '1') {
    const out = join(packageRoot(), 'docs', 'screenshots');
    mkdirSync(out, { recursive: true });
    for (const n of ['sign-in', 'collection', 'recording', 'queue', 'accuracy', 'viewer'])
      if (existsSync(join(shotsDir, `${n}.png`)))
        copyFileSync(join(shotsDir, `${n}.png`), join(out, `${n}.png`));
  }
});

async function newPage(): Promise<Page> {
  const ctx = await browser!.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await ctx.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  return page;
}

async function signIn(page: Page, username: string): Promise<void> {
  await page.goto(`${base}/`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Collection' }).waitFor();
}

async function token(username: string): Promise<string> {
  const r = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: PASSWORD }),
  });
  return ((await r.json()) as { access_token: string }).access_token;
}

async function apiGet(path: string, tok: string): Promise<Response> {
  return fetch(`${base}${path}`, { headers: { authorization: `Bearer ${tok}` } });
}

test(
  'archivist reviews a recording in Chromium; a viewer cannot edit',
  { timeout: 120_000 },
  async (t) => {
    const corpus = corpusOrSkip(t);
    if (corpus === undefined) return;
    if (browser === undefined) {
      t.skip(`no Chromium at ${CHROMIUM_PATH}`);
      return;
    }
    const sample = join(corpus, 'conversation', 'pyannote-sample.wav');
    const page = await newPage();

    // Sign-in page at /.
    await page.goto(`${base}/`);
    await page.getByRole('heading', { name: 'Sign in to Sonoteca' }).waitFor();
    await page.screenshot({ path: join(shotsDir, 'sign-in.png') });
    await signIn(page, 'ada');

    // Upload through the file input (the drop zone's keyboard path) and wait for the analysis.
    await page.locator('#files').setInputFiles(sample);
    await page.getByText(/queued \(/).waitFor({ timeout: 20_000 });
    const row = page.locator('tr', { hasText: 'pyannote-sample.wav' });
    await row.locator('.status.completed').waitFor({ timeout: 60_000 });
    await page.screenshot({ path: join(shotsDir, 'collection.png') });
    // The queue lists it with its reasons before anyone reviewed it.
    await page.getByRole('link', { name: 'Review queue' }).click();
    await page.locator('tr', { hasText: 'pyannote-sample.wav' }).waitFor();
    assert.match(await page.locator('.reason-counts').innerText(), /QC verdict: fail: 1/);
    await page.screenshot({ path: join(shotsDir, 'queue.png') });
    await page.getByRole('link', { name: 'Collection' }).click();

    // Recording view: drawn from peaks; a region plays.
    await row.getByRole('link', { name: 'pyannote-sample.wav' }).click();
    await page.waitForSelector('body[data-recording-ready]');
    const taskId = page.url().split('/').pop()!;
    await page.locator('.wave canvas').first().waitFor();
    const turn = page.locator('[data-lane="spk-SPEAKER_00"] .lane-item').first();
    await turn.click();
    await page.waitForFunction("document.querySelector('.clock')?.textContent !== '0:00.0'", null, {
      timeout: 10_000,
    });
    await page.keyboard.press('k'); // pause

    const tok = await token('ada');
    const machine = (await (await apiGet(`/api/v1/results/${taskId}`, tok)).json()) as {
      results: {
        segmentation: { segments: { end: number }[] };
        heritage_classification: { predicted_category: string };
      };
    };
    const end0 = machine.results.segmentation.segments[0]!.end;
    const newCategory =
      machine.results.heritage_classification.predicted_category === 'spoken_word'
        ? 'historical_speech'
        : 'spoken_word';

    // Move a boundary (the keyboard-accessible form; dragging the region edge posts the same).
    await page.getByLabel('Segment', { exact: true }).selectOption('0');
    await page.getByLabel('End boundary (s)').fill(String(end0 + 0.4));
    await page.getByRole('button', { name: 'Move boundary' }).click();
    await page.getByText('Boundary moved').waitFor();
    await page.waitForSelector('body[data-recording-ready]');
    // Rename a speaker, change the category, approve.
    await page.getByLabel('Name of SPEAKER_00').fill('Ada Interviewer');
    await page.getByRole('button', { name: 'Rename SPEAKER_00' }).click();
    await page.getByText('Speaker renamed').waitFor();
    await page.getByLabel('Reviewed category').selectOption(newCategory);
    await page.getByRole('button', { name: 'Save category' }).click();
    await page.getByText('Category saved').waitFor();
    await page.getByRole('button', { name: 'Approve record' }).click();
    await page.getByText(/Approved by user:ada/).waitFor();
    await page.getByRole('heading', { name: 'Heritage category' }).scrollIntoViewIfNeeded();
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: join(shotsDir, 'recording.png') });

    // The API serves the reviewed version; the machine one on request.
    const reviewed = (await (await apiGet(`/api/v1/results/${taskId}`, tok)).json()) as {
      review: { approved: boolean; version: number };
      results: {
        segmentation: { segments: { end: number }[] };
        speaker_recognition: { speakers: { id: string; name?: string }[] };
        heritage_classification: { predicted_category: string };
      };
    };
    assert.equal(reviewed.review.approved, true);
    assert.equal(reviewed.review.version, 4);
    assert.ok(Math.abs(reviewed.results.segmentation.segments[0]!.end - (end0 + 0.4)) < 0.002);
    assert.equal(
      reviewed.results.speaker_recognition.speakers.find((s) => s.id === 'SPEAKER_00')!.name,
      'Ada Interviewer',
    );
    assert.equal(reviewed.results.heritage_classification.predicted_category, newCategory);
    const m = (await (
      await apiGet(`/api/v1/results/${taskId}?version=machine`, tok)
    ).json()) as typeof machine;
    assert.equal(m.results.segmentation.segments[0]!.end, end0);
    const xml = await (
      await apiGet(`/api/v1/results/${taskId}/exports/dublin-core-xml`, tok)
    ).text();
    assert.match(xml, new RegExp(`<dc:subject>${newCategory}</dc:subject>`));
    assert.match(xml, /<dc:contributor>Ada Interviewer<\/dc:contributor>/);
    const audit = await rt!.store.audit.list({ targetId: taskId });
    const actions = audit.items.filter((a) => a.action.startsWith('result.'));
    assert.deepEqual(
      actions.map((a) => a.action),
      ['result.approved', 'result.corrected', 'result.corrected', 'result.corrected'],
    );
    assert.ok(actions.every((a) => a.actor === 'ada'));
    assert.deepEqual(
      actions.map((a) => (a.details as { correction: { type: string } }).correction.type).reverse(),
      ['move_boundary', 'rename_speaker', 'set_category', 'approve'],
    );

    // Queue and accuracy pages.
    // Approved: it left the queue.
    await page.getByRole('link', { name: 'Review queue' }).click();
    await page.getByText('Needing review (0)').waitFor();
    await page.getByRole('link', { name: 'Accuracy' }).click();
    await page.getByRole('heading', { name: 'heritage classification' }).waitFor();
    assert.match(await page.locator('main').innerText(), /category changes\s+1/i);
    await page.screenshot({ path: join(shotsDir, 'accuracy.png') });

    // A viewer: no edit controls, and the API refuses their edit.
    const vpage = await newPage();
    await signIn(vpage, 'vera');
    assert.equal(await vpage.locator('#files').count(), 0);
    await vpage.goto(`${base}/#/recording/${taskId}`);
    await vpage.waitForSelector('body[data-recording-ready]');
    for (const name of ['Approve record', 'Save category', 'Move boundary', 'Rename SPEAKER_00'])
      assert.equal(await vpage.getByRole('button', { name }).count(), 0, name);
    await vpage.screenshot({ path: join(shotsDir, 'viewer.png') });
    const vtok = await token('vera');
    const refused = await fetch(`${base}/api/v1/results/${taskId}/corrections`, {
      method: 'POST',
      headers: { authorization: `Bearer ${vtok}`, 'content-type': 'application/json' },
      body: JSON.stringify({ correction: { type: 'approve' } }),
    });
    assert.equal(refused.status, 403);
  },
);
