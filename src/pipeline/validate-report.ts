/**
 * Validates reports (and any other documented output) against the JSON Schemas in `docs/schema/`
 * (draft 2020-12), loaded from the package root so the same files serve docs, tests and
 * `sonoteca validate`.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { packageRoot } from '../report/index.js';

/** Base URI of every schema: a file's `$id` is this plus its path under `docs/schema/`. */
export const SCHEMA_BASE_URI = 'https://sonoteca.dev/schema/';

// ajv-formats is CommonJS; under NodeNext its default export arrives as the module object.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as unknown as (ajv: Ajv2020) => void;

export interface ValidationOutcome {
  readonly valid: boolean;
  /** Human-readable problems, `<instance path>: <message>`. */
  readonly errors: readonly string[];
}

let ajvInstance: Ajv2020 | undefined;

function listJson(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? listJson(p) : name.endsWith('.json') ? [p] : [];
  });
}

/** The directory holding the schemas (`<package root>/docs/schema`). */
export function schemaDir(): string {
  return join(packageRoot(), 'docs', 'schema');
}

function getAjv(): Ajv2020 {
  if (ajvInstance) return ajvInstance;
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats(ajv);
  const dir = schemaDir();
  for (const file of listJson(dir)) {
    const schema = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    // The $id is forced from the file's location, so relative $refs always resolve even when a
    // schema's author wrote a different (or no) $id.
    schema['$id'] = SCHEMA_BASE_URI + relative(dir, file).split(sep).join('/');
    ajv.addSchema(schema);
  }
  ajvInstance = ajv;
  return ajv;
}

function formatErrors(errors: readonly ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => {
    const extra =
      e.keyword === 'additionalProperties'
        ? ` (${String((e.params as { additionalProperty?: string }).additionalProperty)})`
        : '';
    return `${e.instancePath || '/'}: ${e.message ?? e.keyword}${extra}`;
  });
}

/** A compiled validator of the schema at `docs/schema/<relPath>` (e.g. `report.schema.json`). */
export function schemaValidator(relPath: string): ValidateFunction {
  const v = getAjv().getSchema(SCHEMA_BASE_URI + relPath);
  if (!v) throw new Error(`no schema docs/schema/${relPath}`);
  return v;
}

/** Validates a document against `docs/schema/<relPath>`. */
export function validateAgainst(relPath: string, doc: unknown): ValidationOutcome {
  const v = schemaValidator(relPath);
  const valid = v(doc) === true;
  return { valid, errors: valid ? [] : formatErrors(v.errors) };
}

/** Validates a report against `docs/schema/report.schema.json`. */
export function validateReport(doc: unknown): ValidationOutcome {
  return validateAgainst('report.schema.json', doc);
}

/** The kinds of public JSON document `validateDocument` recognises, with their schema. */
export const DOCUMENT_SCHEMAS = {
  report: 'report.schema.json',
  failure_record: 'failure-record.schema.json',
  batch_summary: 'batch-summary.schema.json',
} as const;

export type DocumentKind = keyof typeof DOCUMENT_SCHEMAS;

/** Which public document `doc` is: a failure record, a batch summary, or (otherwise) a report. */
export function documentKind(doc: unknown): DocumentKind {
  const o = (doc ?? {}) as Record<string, unknown>;
  if (o['record_type'] === 'failure') return 'failure_record';
  if ('totals' in o && 'files' in o) return 'batch_summary';
  return 'report';
}

/** Validates any public document against the schema of its kind. */
export function validateDocument(doc: unknown): ValidationOutcome & { kind: DocumentKind } {
  const kind = documentKind(doc);
  return { kind, ...validateAgainst(DOCUMENT_SCHEMAS[kind], doc) };
}
