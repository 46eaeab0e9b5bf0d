/**
 * Confirmed voice names reach the served report and its exports; nothing else does (EBUCore of a
 * real analysis: test/service/voices-exports.test.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderOaiDc } from '../../../src/metadata/oai-dc.js';
import { rttmExporter } from '../../../src/metadata/exports/rttm.js';
import { webvttExporter } from '../../../src/metadata/exports/webvtt.js';
import { applyConfirmedSpeakerNames } from '../../../src/metadata/review/speaker-names.js';
import type { Report } from '../../../src/pipeline/report.js';
import { speakerReport, speakerSection } from '../exports/rttm-speaker-report.js';

function withDc(r: Report): Report {
  return {
    ...r,
    results: {
      ...r.results,
      metadata_generation: {
        status: 'ok',
        dublin_core: { title: ['Interview'], contributor: ['Studio engineer'] },
        provenance: [
          { element: 'title', value: 'Interview', source: 'embedded', field: 'riff_info.INAM' },
          {
            element: 'contributor',
            value: 'Studio engineer',
            source: 'embedded',
            field: 'riff_info.IENG',
          },
        ],
      },
    },
  } as unknown as Report;
}

const machine = withDc(speakerReport(speakerSection));
const named = applyConfirmedSpeakerNames(machine, new Map([['SPEAKER_01', 'Anna Rossi']]));

test('a confirmed name becomes the speaker name and a Dublin Core contributor (person provenance)', () => {
  const speakers = (named.results.speaker_recognition as typeof speakerSection).speakers as {
    id: string;
    name?: string;
  }[];
  assert.deepEqual(
    speakers.map((s) => [s.id, s.name]),
    [
      ['SPEAKER_00', undefined],
      ['SPEAKER_01', 'Anna Rossi'],
    ],
  );
  const mg = named.results.metadata_generation;
  assert.deepEqual(mg.dublin_core?.contributor, ['Studio engineer', 'Anna Rossi']);
  assert.deepEqual(mg.provenance?.at(-1), {
    element: 'contributor',
    value: 'Anna Rossi',
    source: 'person',
    field: 'voices.confirmed_name',
  });
  assert.ok(
    renderOaiDc(mg.dublin_core ?? {}).includes('<dc:contributor>Anna Rossi</dc:contributor>'),
  );
  // The machine report is untouched.
  assert.deepEqual(machine.results.metadata_generation.dublin_core?.contributor, [
    'Studio engineer',
  ]);
});

test('RTTM and WebVTT use the confirmed name, and the ids elsewhere', () => {
  const rttm = rttmExporter.render(named);
  assert.equal(
    rttm.split('\n')[2],
    'SPEAKER my_interview 1 4.000 2.750 <NA> <NA> Anna_Rossi <NA> <NA>',
  );
  assert.ok(rttm.includes('<NA> <NA> SPEAKER_00 <NA> <NA>'));
  const vtt = webvttExporter.render(named);
  assert.ok(vtt.includes('<v Anna Rossi>Anna Rossi\n'), vtt);
  assert.ok(vtt.includes('<v SPEAKER_00>SPEAKER_00\n'));
});

test('without confirmed names (suggestions are never passed) exports show only speaker ids', () => {
  const same = applyConfirmedSpeakerNames(machine, new Map());
  assert.equal(same, machine);
  for (const text of [
    rttmExporter.render(same),
    webvttExporter.render(same),
    renderOaiDc(same.results.metadata_generation.dublin_core ?? {}),
  ]) {
    assert.ok(!text.includes('Anna'), text);
  }
  // A name a reviewer gave (rename correction) wins over a voice name.
  const renamed = {
    ...machine,
    results: {
      ...machine.results,
      speaker_recognition: {
        ...speakerSection,
        speakers: speakerSection.speakers.map((s) =>
          s.id === 'SPEAKER_01' ? { ...s, name: 'A. Rossi' } : s,
        ),
      },
    },
  } as unknown as Report;
  const both = applyConfirmedSpeakerNames(renamed, new Map([['SPEAKER_01', 'Anna Rossi']]));
  assert.equal(both, renamed);
  assert.ok(webvttExporter.render(both).includes('<v A. Rossi>A. Rossi'));
});
