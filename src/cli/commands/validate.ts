/**
 * `sonoteca validate <file.json...>`: checks reports, failure records and batch summaries against
 * their JSON Schemas in docs/schema (the kind is recognised from the document).
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { DOCUMENT_SCHEMAS, validateDocument } from '../../pipeline/validate-report.js';
import { EXIT_FAILURES, EXIT_OK, type CliCommand } from '../command.js';

export const validateCommand: CliCommand = {
  name: 'validate',
  register(program: Command): void {
    program
      .command('validate')
      .description(
        'Validate reports, failure records and batch summaries against their JSON Schemas.',
      )
      .argument('<files...>', 'JSON files written by `sonoteca analyze`')
      .addHelpText(
        'after',
        `
Schemas (docs/schema/): ${Object.entries(DOCUMENT_SCHEMAS)
          .map(([k, v]) => `${k} → ${v}`)
          .join(', ')}
A document with record_type "failure" is a failure record; one with totals and files a batch
summary; anything else is checked as a report.

Example:
  sonoteca validate sonoteca-reports/**/*.json
Exit codes: 0 every report is valid; 1 some report is invalid or unreadable; 2 usage error.`,
      )
      .action((files: string[]) => {
        let bad = 0;
        for (const f of files) {
          let doc: unknown;
          try {
            doc = JSON.parse(readFileSync(f, 'utf8'));
          } catch (e) {
            bad++;
            process.stdout.write(
              `${f}: unreadable: ${e instanceof Error ? e.message : String(e)}\n`,
            );
            continue;
          }
          const r = validateDocument(doc);
          if (r.valid) process.stdout.write(`${f}: valid ${r.kind.replace('_', ' ')}\n`);
          else {
            bad++;
            process.stdout.write(
              `${f}: INVALID ${r.kind.replace('_', ' ')}\n${r.errors.map((x) => `  ${x}`).join('\n')}\n`,
            );
          }
        }
        process.exitCode = bad > 0 ? EXIT_FAILURES : EXIT_OK;
      });
  },
};
