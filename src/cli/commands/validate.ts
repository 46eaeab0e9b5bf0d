/** `sonoteca validate <report.json...>`: checks reports against docs/schema/report.schema.json. */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { validateReport } from '../../pipeline/validate-report.js';
import { EXIT_FAILURES, EXIT_OK, type CliCommand } from '../command.js';

export const validateCommand: CliCommand = {
  name: 'validate',
  register(program: Command): void {
    program
      .command('validate')
      .description('Validate report JSON files against the report JSON Schema.')
      .argument('<reports...>', 'report files written by `sonoteca analyze`')
      .addHelpText(
        'after',
        `
Example:
  sonoteca validate sonoteca-reports/**/*.wav.json
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
          const r = validateReport(doc);
          if (r.valid) process.stdout.write(`${f}: valid\n`);
          else {
            bad++;
            process.stdout.write(`${f}: INVALID\n${r.errors.map((x) => `  ${x}`).join('\n')}\n`);
          }
        }
        process.exitCode = bad > 0 ? EXIT_FAILURES : EXIT_OK;
      });
  },
};
