/**
 * Builds the `sonoteca` program from the command modules (kept apart from `main.ts` so tests and
 * other entry points can build it without running it).
 */
import { Command } from 'commander';
import { generatorVersion } from '../pipeline/report.js';
import { EXIT_FAILURES, EXIT_OK, EXIT_USAGE, type CliCommand } from './command.js';

export const EXIT_CODES_HELP = `
Exit codes:
  ${EXIT_OK}  every file succeeded
  ${EXIT_FAILURES}  at least one file (or path argument) failed; see the summary
  ${EXIT_USAGE}  usage error (unknown option, bad value)`;

export function buildProgram(commands: readonly CliCommand[]): Command {
  const program = new Command();
  program
    .name('sonoteca')
    .description(
      'Sonoteca turns heritage audio collections into trustworthy, searchable catalogue data: ' +
        'technical metadata, fixity, signal QC, speech, speakers, music and heritage classification.',
    )
    .version(generatorVersion(), '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .addHelpText(
      'after',
      `
Examples:
  sonoteca analyze recording.wav
  sonoteca analyze ./collection --out ./reports --jobs 2 --type technical
  sonoteca probe recording.flac
  sonoteca validate reports/recording.wav.json
${EXIT_CODES_HELP}`,
    );
  for (const c of commands) c.register(program);
  return program;
}
