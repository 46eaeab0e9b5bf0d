import assert from 'node:assert/strict';
import { test } from 'node:test';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { DC_NS, escapeXml, OAI_DC_NS, renderOaiDc, XSI_NS } from '../../src/metadata/oai-dc.js';

test('oai_dc XML is well-formed, namespaced, escaped, and carries extent as dc:format', () => {
  const xml = renderOaiDc({
    title: ['Interview <Rossi> & "Bianchi" \'73'],
    creator: ['RAI Teche'],
    type: ['Sound'],
    format: ['audio/wav'],
    extent: ['PT1M2.5S', '1:03'],
    identifier: ['sha256:' + 'ab'.repeat(32), 'IT-RAI-0042'],
    description: ['bell\u0007 removed'],
    source: ['a&b.wav'],
  });
  assert.equal(XMLValidator.validate(xml), true);
  const doc = new XMLParser({
    ignoreAttributes: false,
    isArray: (_name, _jpath, _isLeaf, isAttribute) => !isAttribute,
  }).parse(xml) as Record<string, Record<string, unknown>[]>;
  const root = doc['oai_dc:dc']![0]!;
  assert.equal(root['@_xmlns:oai_dc'], OAI_DC_NS);
  assert.equal(root['@_xmlns:dc'], DC_NS);
  assert.equal(root['@_xmlns:xsi'], XSI_NS);
  assert.equal(
    root['@_xsi:schemaLocation'],
    'http://www.openarchives.org/OAI/2.0/oai_dc/ http://www.openarchives.org/OAI/2.0/oai_dc.xsd',
  );
  // The parser decodes entities: the round trip gives the original text back.
  assert.deepEqual(root['dc:title'], ['Interview <Rossi> & "Bianchi" \'73']);
  assert.deepEqual(root['dc:format'], ['audio/wav', 'PT1M2.5S', '1:03']);
  assert.deepEqual(root['dc:identifier'], ['sha256:' + 'ab'.repeat(32), 'IT-RAI-0042']);
  assert.deepEqual(root['dc:source'], ['a&b.wav']);
  assert.deepEqual(root['dc:description'], ['bell removed']);
  assert.equal(root['dc:extent'], undefined, 'simple DC has no extent element');
  assert.match(
    xml,
    /<dc:title>Interview &lt;Rossi&gt; &amp; &quot;Bianchi&quot; &apos;73<\/dc:title>/,
  );
});

test('escapeXml escapes the five XML specials and drops forbidden control characters', () => {
  assert.equal(escapeXml(`<a href="x">&'\u0001\t`), '&lt;a href=&quot;x&quot;&gt;&amp;&apos;\t');
});
