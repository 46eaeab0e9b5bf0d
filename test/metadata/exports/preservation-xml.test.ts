/**
 * PREMIS, EBUCore, PBCore and oai_dc of a real analysis (a BWF fixture with non-ASCII bext and
 * INFO metadata, analysed by the full pipeline) validate against the official XSDs and carry the
 * report's values.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { ebucoreExporter } from '../../../src/metadata/exports/ebucore.js';
import { EXPORTERS } from '../../../src/metadata/exports/index.js';
import { pbcoreDuration, pbcoreExporter } from '../../../src/metadata/exports/pbcore.js';
import { premisExporter } from '../../../src/metadata/exports/premis.js';
import { renderOaiDc } from '../../../src/metadata/oai-dc.js';
import { analyzeFile } from '../../../src/pipeline/analyze-file.js';
import type { Report } from '../../../src/report/index.js';
import { bextChunk, infoChunk } from '../../audio/bwf-fixtures.js';
import { concat, noise, tempDir, tone, writeWav } from '../../helpers/fixtures.js';
import { schemasOrSkip, validateXml } from '../../helpers/schemas.js';

const dir = tempDir('sonoteca-xml-');
let report: Report;
before(async () => {
  const x = concat(tone(220, 2, 48000, 0.3), noise(1, 48000, 0.05), tone(330, 2, 48000, 0.3));
  const wav = writeWav(dir, 'nastro 3 — lato A.wav', [x, x], {
    sampleRateHz: 48000,
    format: 'pcm24',
    extraChunks: [
      bextChunk({
        description: 'Entrevista con Seán, cinta 3 cara A',
        originator: 'Fonoteca Núñez',
        originatorReference: 'FN-1961-07',
        originationDate: '1961-07-14',
        originationTime: '10:20:30',
        codingHistory:
          'A=ANALOGUE,M=stereo,T=Studer A80\r\nA=PCM,F=48000,W=24,M=stereo,T=Prism\r\n',
      }),
      infoChunk({ INAM: 'ñandú — Ωmega & <co>', IART: 'Seán Ó Riada', ICOP: 'CC BY 4.0' }),
    ],
  });
  report = await analyzeFile(wav, { processingType: 'comprehensive' });
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('the preservation exports are registered and apply to every report', () => {
  for (const id of ['premis', 'ebucore', 'pbcore']) {
    const ex = EXPORTERS.find((e) => e.id === id);
    assert.ok(ex, id);
    assert.equal(ex.fileSuffix, `.${id}.xml`);
    assert.equal(ex.applies(report), true);
  }
});

test('PREMIS 3 validates and holds fixity, format, the four events and the agent', (t) => {
  const xsd = schemasOrSkip(t);
  if (!xsd) return;
  const xml = premisExporter.render(report);
  const v = validateXml(xsd, 'premis', xml);
  assert.equal(v.status, 0, v.errors);
  assert.ok(
    xml.includes(`<premis:messageDigest>${report.results.fixity.sha256}</premis:messageDigest>`),
  );
  assert.ok(
    xml.includes(`<premis:messageDigest>${report.results.fixity.md5}</premis:messageDigest>`),
  );
  assert.ok(xml.includes('<premis:formatName>audio/wav</premis:formatName>'));
  for (const ev of [
    'message digest calculation',
    'format identification',
    'validation',
    'metadata extraction',
  ])
    assert.ok(xml.includes(`>${ev}</premis:eventType>`), ev);
  const verdict = (report.results.quality_control as { verdict?: string }).verdict;
  assert.ok(xml.includes(`<premis:eventOutcome>${verdict}</premis:eventOutcome>`));
  assert.ok(xml.includes(`<premis:agentVersion>${report.generator.version}</premis:agentVersion>`));
  assert.match(xml, /<premis:agentNote>voice_activity: voice-activity [\d.]+ \(silero/);
  // The validator can fail: PREMIS 3 allows only version 3.0.
  assert.equal(validateXml(xsd, 'premis', xml.replace('version="3.0"', 'version="2.2"')).status, 3);
});

test('EBUCore validates and holds the audio format, R128 loudness, descriptive fields and parts', (t) => {
  const xsd = schemasOrSkip(t);
  if (!xsd) return;
  const xml = ebucoreExporter.render(report);
  const v = validateXml(xsd, 'ebucore', xml);
  assert.equal(v.status, 0, v.errors);
  assert.ok(xml.includes('<ebucore:samplingRate>48000</ebucore:samplingRate>'));
  assert.ok(xml.includes('<ebucore:sampleSize>24</ebucore:sampleSize>'));
  assert.ok(xml.includes('<ebucore:channels>2</ebucore:channels>'));
  const lufs = (
    report.results.quality_control as unknown as { loudness: { integrated_lufs: number } }
  ).loudness.integrated_lufs;
  assert.ok(
    xml.includes(
      `<ebucore:integratedLoudness>${Number(lufs.toFixed(2))}</ebucore:integratedLoudness>`,
    ),
  );
  assert.ok(xml.includes('<dc:title>ñandú — Ωmega &amp; &lt;co&gt;</dc:title>'));
  assert.ok(xml.includes('<ebucore:organisationName>Fonoteca Núñez</ebucore:organisationName>'));
  const segments = (report.results.segmentation as unknown as { segments: unknown[] }).segments;
  assert.equal((xml.match(/partDefinition="segmentation"/g) ?? []).length, segments.length);
  assert.ok(xml.includes('<ebucore:offsetNormalPlayTime>PT0S</ebucore:offsetNormalPlayTime>'));
});

test('PBCore 2.1 validates and holds the instantiation and its essence track', (t) => {
  const xsd = schemasOrSkip(t);
  if (!xsd) return;
  const xml = pbcoreExporter.render(report);
  const v = validateXml(xsd, 'pbcore', xml);
  assert.equal(v.status, 0, v.errors);
  assert.ok(
    xml.includes('<essenceTrackSamplingRate unitsOfMeasure="Hz">48000</essenceTrackSamplingRate>'),
  );
  assert.ok(xml.includes('<essenceTrackBitDepth>24</essenceTrackBitDepth>'));
  assert.ok(
    xml.includes(
      `<instantiationDuration>${pbcoreDuration(report.audio_info.decoded_duration)}</instantiationDuration>`,
    ),
  );
  assert.ok(xml.includes('<publisher>Fonoteca Núñez</publisher>'));
  assert.ok(xml.includes('<rightsSummary>CC BY 4.0</rightsSummary>'));
  assert.equal(pbcoreDuration(3723.5), '01:02:03.500');
});

test('oai_dc validates', (t) => {
  const xsd = schemasOrSkip(t);
  if (!xsd) return;
  const xml = renderOaiDc(report.results.metadata_generation.dublin_core!);
  const v = validateXml(xsd, 'oai_dc', xml);
  assert.equal(v.status, 0, v.errors);
  assert.ok(xml.includes('<dc:publisher>Fonoteca Núñez</dc:publisher>'));
});
