/**
 * Validation against the official XSDs in ../shared/schemas (or $SONOTECA_SCHEMAS) with
 * `xmllint --nonet` (Debian package libxml2-utils). Like the corpus: under CI=true missing
 * schemas or a missing xmllint fail the test, otherwise it is skipped loudly.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { TestContext } from 'node:test';

export const XSD = {
  premis: 'premis/premis.xsd',
  ebucore: 'ebucore/ebucore.xsd',
  pbcore: 'pbcore/pbcore-2.1.xsd',
  oai_dc: 'oai_dc/oai_dc.xsd',
} as const;
export type XsdKind = keyof typeof XSD;

export function schemasDir(): string {
  return resolve(process.env['SONOTECA_SCHEMAS'] ?? '../shared/schemas');
}

function hasXmllint(): boolean {
  return spawnSync('xmllint', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** The schemas dir, or skips the test (fails under CI) when the schemas or xmllint are missing. */
export function schemasOrSkip(t: TestContext): string | undefined {
  const dir = schemasDir();
  const problem = !existsSync(join(dir, XSD.premis))
    ? `no schemas at ${dir} (set SONOTECA_SCHEMAS)`
    : !hasXmllint()
      ? 'xmllint not installed (apt-get install libxml2-utils)'
      : undefined;
  if (!problem) return dir;
  if (process.env['CI'] === 'true')
    throw new Error(`XSD validation impossible (CI=true): ${problem}`);
  console.warn(`\n*** SKIPPING XSD validation: ${problem} ***\n`);
  t.skip(problem);
  return undefined;
}

/** xmllint's verdict on one document: exit 0 valid, 3 invalid (other codes: not well-formed, bad schema). */
export function validateXml(
  dir: string,
  kind: XsdKind,
  xml: string,
): { readonly status: number | null; readonly errors: string } {
  const r = spawnSync('xmllint', ['--nonet', '--noout', '--schema', join(dir, XSD[kind]), '-'], {
    input: xml,
    encoding: 'utf8',
  });
  return { status: r.status, errors: r.stderr.trim() };
}
