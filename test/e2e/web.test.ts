/**
 * The archivists' web page in a real browser: Debian's Chromium driven by playwright-core against
 * the built page (dist/web) served by a real service (SQLite + local queue + in-process worker).
 * Sign in, upload a corpus recording, wait for its analysis, play a region, move a boundary,
 * rename a speaker, change the category, approve; then the API, the oai_dc export and the audit
 * log show the corrections; a viewer sees no edit controls and the API refuses their edits.
 *
 * A second test: duplicates and voices across recordings on the recording view (a corpus AMI
 * excerpt, its MP3 re-encode and a sped-up excerpt made here with ffmpeg): the duplicate pairs
 * with links, a proposed speaker name shown as a suggestion (never in exports), rejected, named,
 * confirmed (then in the exports).
 *
 * SONOTECA_SCREENSHOTS=1 also writes the screenshots to docs/screenshots/ (1280×800).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test, type TestContext } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { resolveFfmpeg } from '../../src/audio/ffmpeg-path.js';
import { loadConfig } from '../../src/config/config.js';
import { packageRoot, type Report } from '../../src/pipeline/report.js';
import { validateReport } from '../../src/pipeline/validate-report.js';
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
    for (const n of [
      'sign-in',
      'collection',
      'recording',
      'queue',
      'accuracy',
      'viewer',
      'duplicates-voices',
    ])
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

/** The corpus directory, or undefined when the test skipped (no corpus, or no Chromium). */
function corpusAndBrowserOrSkip(t: TestContext): string | undefined {
  const corpus = corpusOrSkip(t);
  if (corpus === undefined) return undefined;
  if (browser === undefined) {
    t.skip(`no Chromium at ${CHROMIUM_PATH}`);
    return undefined;
  }
  return corpus;
}

async function apiGet(path: string, tok: string): Promise<Response> {
  return fetch(`${base}${path}`, { headers: { authorization: `Bearer ${tok}` } });
}

test(
  'archivist reviews a recording in Chromium; a viewer cannot edit',
  { timeout: 120_000 },
  async (t) => {
    const corpus = corpusAndBrowserOrSkip(t);
    if (corpus === undefined) return;
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

/** Submits a file through the public API (speech processing) and waits until it completes. */
async function submitAndWait(path: string, name: string, tok: string): Promise<string> {
  const form = new FormData();
  form.append('processing_type', 'speech');
  form.append('audio_file', new Blob([readFileSync(path)]), name);
  const res = await fetch(`${base}/api/v1/process`, {
    method: 'POST',
    headers: { authorization: `Bearer ${tok}` },
    body: form,
  });
  assert.equal(res.status, 202, await res.clone().text());
  const { task_id } = (await res.json()) as { task_id: string };
  for (let i = 0; i < 600; i++) {
    const st = (await (await apiGet(`/api/v1/status/${task_id}`, tok)).json()) as {
      status: string;
    };
    if (st.status === 'completed') return task_id;
    assert.notEqual(st.status, 'failed', `${name} failed`);
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${name} did not complete`);
}

async function exportText(taskId: string, id: string, tok: string): Promise<string> {
  const r = await apiGet(`/api/v1/results/${taskId}/exports/${id}`, tok);
  assert.equal(r.status, 200, `${id}: ${r.status}`);
  return r.text();
}

async function exportsOf(taskId: string, tok: string): Promise<string> {
  const ids = ['dublin-core-xml', 'rttm', 'webvtt', 'ebucore'];
  return (await Promise.all(ids.map((id) => exportText(taskId, id, tok)))).join('\n');
}

test(
  'recording view: duplicates with links; proposed speaker names confirmed or rejected',
  { timeout: 300_000 },
  async (t) => {
    const corpus = corpusAndBrowserOrSkip(t);
    if (corpus === undefined) return;
    const original = join(corpus, 'conversation', 'ami-dev00.wav');
    const work = mkdtempSync(join(tmpdir(), 'sono-e2e-dup-'));
    const ffmpeg = resolveFfmpeg().path;
    const copy = join(work, 'ami-dev00-access.mp3');
    const excerpt = join(work, 'ami-dev00-excerpt-fast.wav');
    execFileSync(ffmpeg, [
      '-v',
      'error',
      '-i',
      original,
      '-c:a',
      'libmp3lame',
      '-b:a',
      '96k',
      copy,
    ]);
    // 25 s from 10 s, played 5 % fast (pitch and tempo together, like a wrong-speed transfer).
    execFileSync(ffmpeg, [
      '-v', 'error', '-ss', '10', '-t', '25', '-i', original,
      '-af', 'asetrate=16800,aresample=16000', excerpt,
    ]); // prettier-ignore
    const tok = await token('ada');
    const ids = {
      original: await submitAndWait(original, 'ami-dev00.wav', tok),
      copy: await submitAndWait(copy, 'ami-dev00-access.mp3', tok),
      excerpt: await submitAndWait(excerpt, 'ami-dev00-excerpt-fast.wav', tok),
    };

    const page = await newPage();
    await signIn(page, 'ada');
    await page.goto(`${base}/#/recording/${ids.original}`);
    await page.waitForSelector('body[data-recording-ready]');
    const dupRows = page.locator('#duplicates tbody tr');
    await dupRows.nth(1).waitFor({ timeout: 30_000 });
    assert.equal(await dupRows.count(), 2);
    const near = page.locator('#duplicates tr[data-kind="near_duplicate"]');
    assert.match(await near.innerText(), /ami-dev00-access\.mp3/);
    const partial = page.locator('#duplicates tr[data-kind="partial_overlap"]');
    const cells = await partial.locator('td').allInnerTexts();
    assert.equal(cells[0], 'ami-dev00-excerpt-fast.wav');
    assert.match(cells[2]!, /^0:1[01]\./); // here from ~10 s
    assert.match(cells[3]!, /^0:00\./); // there from the excerpt's start
    assert.match(cells[5]!, /^1\.0[45]\d \(\+[45]\.\d %\)$/); // the excerpt plays ~5 % faster

    // Name a speaker here: its voice in the copy and the excerpt gets the name as a suggestion.
    await page.locator('#voices[data-loaded]').waitFor();
    await page.getByLabel('Confirmed name for voice SPEAKER_00').fill('Marco Bianchi');
    await page.getByRole('button', { name: 'Name voice SPEAKER_00' }).click();
    await page.getByText('Named SPEAKER_00').waitFor();
    await page.waitForSelector('body[data-recording-ready]');
    assert.match(await exportText(ids.original, 'rttm', tok), /<NA> <NA> Marco_Bianchi <NA>/);

    // The copy: a suggestion with its score, in no export until confirmed.
    await near.getByRole('link').click();
    await page.waitForSelector(`body[data-recording-ready="${ids.copy}"]`);
    const suggested = page.locator('#voices tr', { hasText: 'Marco Bianchi' });
    await suggested.waitFor();
    assert.match(await suggested.innerText(), /Marco Bianchi \(suggested, p = 0\.\d\d\)/);
    const copySpeaker = (await suggested.getAttribute('data-speaker'))!;
    assert.ok(!(await exportsOf(ids.copy, tok)).includes('Marco'), 'suggestion leaked to exports');
    const reported = (await (await apiGet(`/api/v1/results/${ids.copy}`, tok)).json()) as {
      results: { speaker_recognition: { speakers: { id: string; name?: string }[] } };
    };
    assert.ok(reported.results.speaker_recognition.speakers.every((s) => s.name === undefined));
    await page.locator('#duplicates').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(shotsDir, 'duplicates-voices.png') });

    await page.getByRole('button', { name: `Confirm Marco Bianchi for ${copySpeaker}` }).click();
    await page.getByText('Confirmed Marco Bianchi').waitFor();
    await page.waitForSelector(`body[data-recording-ready="${ids.copy}"]`);
    const confirmedExports = await exportsOf(ids.copy, tok);
    const served = (await (await apiGet(`/api/v1/results/${ids.copy}`, tok)).json()) as Report;
    const valid = validateReport(served);
    assert.ok(valid.valid, valid.errors.join('\n')); // the `person` provenance is in the schema
    assert.match(confirmedExports, /<dc:contributor>Marco Bianchi<\/dc:contributor>/);
    assert.match(confirmedExports, /<NA> <NA> Marco_Bianchi <NA>/);
    assert.match(confirmedExports, /<v Marco Bianchi>Marco Bianchi/);
    assert.match(confirmedExports, /<ebucore:name>Marco Bianchi<\/ebucore:name>/);

    // The excerpt: reject the suggestion; it is gone and stays out of the exports.
    await page.goto(`${base}/#/recording/${ids.excerpt}`);
    await page.waitForSelector(`body[data-recording-ready="${ids.excerpt}"]`);
    const excerptRow = page.locator('#voices tr', { hasText: 'Marco Bianchi' });
    await excerptRow.waitFor();
    const excerptSpeaker = (await excerptRow.getAttribute('data-speaker'))!;
    await page.getByRole('button', { name: `Reject Marco Bianchi for ${excerptSpeaker}` }).click();
    await page.getByText('Rejected Marco Bianchi').waitFor();
    await page.locator('#voices[data-loaded]').waitFor();
    assert.equal(await page.locator('#voices tr', { hasText: 'Marco Bianchi' }).count(), 0);
    assert.ok(!(await exportsOf(ids.excerpt, tok)).includes('Marco'));
    const speakers = (await (
      await apiGet(`/api/v1/tasks/${ids.excerpt}/speakers`, tok)
    ).json()) as { speakers: { speaker: string; suggested_name: string | null }[] };
    assert.equal(speakers.speakers.find((s) => s.speaker === excerptSpeaker)!.suggested_name, null);

    // A viewer sees the suggestions but no confirm / reject / name controls.
    const vpage = await newPage();
    await signIn(vpage, 'vera');
    await vpage.goto(`${base}/#/recording/${ids.original}`);
    await vpage.locator('#voices[data-loaded]').waitFor();
    assert.equal(
      await vpage.getByRole('button', { name: /^(Confirm|Reject|Name voice) / }).count(),
      0,
    );
  },
);
