/** Voiceprints across recordings in the store (SQLite and PostgreSQL): name once, proposed elsewhere. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { storeVoices } from '../../src/jobs/voiceprints.js';
import type { Report } from '../../src/pipeline/report.js';
import {
  confirmedSpeakerNames,
  findVoices,
  nameSpeaker,
  recordingVoices,
  rejectSuggestion,
  voicesNamed,
} from '../../src/service/voices.js';
import type { Store } from '../../src/store/types.js';
import { rng } from '../helpers/fixtures.js';
import { freshStore, type FreshStore } from '../store/store-backends.js';

const DIM = 64;
const r = rng(9);
function unit(v: number[]): number[] {
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}
const randomVoice = () => unit(Array.from({ length: DIM }, () => r() - 0.5));
/** The same voice in another recording: the embedding moved a little. */
const near = (v: number[], amount: number) => unit(v.map((x) => x + amount * (r() - 0.5)));

function report(file: string, speakers: Record<string, number[] | undefined>): Report {
  return {
    task_id: `task-${file}`,
    source: { file_name: file },
    results: {
      speaker_recognition: {
        status: 'ok',
        speakers: Object.entries(speakers).map(([id, vector]) => ({
          id,
          talk_time_sec: 10,
          ...(vector ? { embedding: { model: 'test-embedder', vector } } : {}),
        })),
      },
    },
  } as unknown as Report;
}

const anna = randomVoice();
const bruno = randomVoice();
const carla = randomVoice();

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`voiceprints: ${kind}`, { concurrency: false }, () => {
    let fresh: FreshStore;
    let store: Store;
    before(async () => {
      fresh = await freshStore(kind);
      store = fresh.store;
      await storeVoices(store, report('a.wav', { SPEAKER_00: anna, SPEAKER_01: bruno }), 'a');
      await storeVoices(
        store,
        report('b.wav', { SPEAKER_00: near(anna, 0.05), SPEAKER_01: carla, SPEAKER_02: undefined }),
        'b',
      );
    });
    after(async () => fresh.cleanup());

    it('keeps every speaker embedding, unnamed until a person names one', async () => {
      const a = await recordingVoices(store, 'a');
      assert.deepEqual(
        a.map((v) => [v.speaker, v.name, v.suggested_name]),
        [
          ['SPEAKER_00', null, null],
          ['SPEAKER_01', null, null],
        ],
      );
      // SPEAKER_02 of b.wav has no embedding: nothing stored for it.
      assert.equal((await recordingVoices(store, 'b')).length, 2);
    });

    it('proposes a confirmed name for the matching voice elsewhere, as a suggestion only', async () => {
      await nameSpeaker(store, {
        recordingSha256: 'a',
        speaker: 'SPEAKER_00',
        name: 'Anna',
        by: 't',
      });
      const b = await recordingVoices(store, 'b');
      const b0 = b.find((v) => v.speaker === 'SPEAKER_00')!;
      assert.equal(b0.name, null); // not a name until confirmed
      assert.equal(b0.suggested_name, 'Anna');
      assert.ok(b0.suggestion_score! > 0.9, String(b0.suggestion_score));
      assert.equal(b0.score_calibrated, false); // the test model has no fitted calibration
      assert.equal(b0.suggested_from?.task_id, 'task-a.wav');
      assert.equal(b.find((v) => v.speaker === 'SPEAKER_01')!.suggested_name, null);

      // A voice arriving later gets the proposal too.
      await storeVoices(store, report('c.wav', { SPEAKER_00: near(anna, 0.05) }), 'c');
      assert.equal((await recordingVoices(store, 'c'))[0]!.suggested_name, 'Anna');

      await nameSpeaker(store, {
        recordingSha256: 'b',
        speaker: 'SPEAKER_00',
        name: 'Anna',
        by: 't',
      });
      const named = await voicesNamed(store, 'anna');
      assert.deepEqual(
        named.map((v) => [v.file_name, v.name, v.suggested_name]),
        [
          ['a.wav', 'Anna', null],
          ['b.wav', 'Anna', null],
          ['c.wav', null, 'Anna'],
        ],
      );
    });

    it('finds where the voices of a new recording occur', async () => {
      const hits = await findVoices(store, [
        {
          recordingSha256: 'q',
          taskId: null,
          sourceName: 'q.wav',
          speakerLabel: 'SPEAKER_00',
          model: 'test-embedder',
          vector: near(bruno, 0.05),
          talkTimeSec: null,
        },
      ]);
      assert.deepEqual(
        hits.map((h) => [h.file_name, h.speaker]),
        [['a.wav', 'SPEAKER_01']],
      );
      await assert.rejects(
        nameSpeaker(store, { recordingSha256: 'a', speaker: 'SPEAKER_09', name: 'X', by: null }),
        /SONO_ERR_NOT_FOUND|not found/,
      );
    });

    it('a rejected suggestion is withdrawn and never proposed again; others still can be', async () => {
      // c.wav SPEAKER_00 carries the suggestion "Anna" (previous test).
      const before = (await recordingVoices(store, 'c'))[0]!;
      assert.equal(before.suggested_name, 'Anna');
      const after = await rejectSuggestion(store, {
        recordingSha256: 'c',
        speaker: 'SPEAKER_00',
        by: 't',
      });
      assert.equal(after[0]!.suggested_name, null);
      assert.equal(after[0]!.name, null);
      // Naming another speaker re-runs the proposals: "Anna" stays rejected for c.wav.
      await nameSpeaker(store, {
        recordingSha256: 'b',
        speaker: 'SPEAKER_01',
        name: 'Carla',
        by: 't',
      });
      assert.equal((await recordingVoices(store, 'c'))[0]!.suggested_name, null);
      // A second, near voice of Anna in d.wav still gets the proposal.
      await storeVoices(store, report('d.wav', { SPEAKER_00: near(anna, 0.05) }), 'd');
      assert.equal((await recordingVoices(store, 'd'))[0]!.suggested_name, 'Anna');
      await assert.rejects(
        rejectSuggestion(store, { recordingSha256: 'c', speaker: 'SPEAKER_00', by: 't' }),
        (e: Error & { code?: string }) => e.code === 'SONO_ERR_CONFLICT',
      );
    });

    it('lists only confirmed names for the exports, never suggestions', async () => {
      assert.deepEqual(
        [...(await confirmedSpeakerNames(store, 'b'))],
        [
          ['SPEAKER_00', 'Anna'],
          ['SPEAKER_01', 'Carla'],
        ],
      );
      // d.wav has a suggestion only.
      assert.equal((await confirmedSpeakerNames(store, 'd')).size, 0);
    });
  });
}
