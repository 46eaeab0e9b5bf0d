#!/usr/bin/env node
/**
 * `sonoteca` entry point. Each command lives in its own module under `commands/`; add yours to
 * COMMANDS (one line).
 */
import { CommanderError } from 'commander';
import { isSonoError } from '../errors.js';
import { EXIT_FAILURES, EXIT_USAGE, UsageError, type CliCommand } from './command.js';
import { analyzeCommand } from './commands/analyze.js';
import { apikeyCommand } from './commands/apikey.js';
import { duplicatesCommand } from './commands/duplicates.js';
import { probeCommand } from './commands/probe.js';
import { serveCommand } from './commands/serve.js';
import { trainCommand } from './commands/train.js';
import { userCommand } from './commands/user.js';
import { validateCommand } from './commands/validate.js';
import { voicesCommand } from './commands/voices.js';
import { workerCommand } from './commands/worker.js';
import { buildProgram } from './program.js';

const COMMANDS: readonly CliCommand[] = [
  analyzeCommand,
  probeCommand,
  validateCommand,
  duplicatesCommand,
  voicesCommand,
  trainCommand,
  userCommand,
  apikeyCommand,
  serveCommand,
  workerCommand,
];

async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram(COMMANDS);
  try {
    await program.parseAsync([...argv]);
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end through exitOverride with code 0.
      return e.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    if (e instanceof UsageError || (isSonoError(e) && e.httpStatus === 400)) {
      process.stderr.write(`sonoteca: ${e.message}\n`);
      return EXIT_USAGE;
    }
    process.stderr.write(
      `sonoteca: ${isSonoError(e) ? `${e.code}: ` : ''}${String(e instanceof Error ? e.message : e)}\n`,
    );
    return EXIT_FAILURES;
  }
}

const code = await main(process.argv);
process.exitCode = code;
