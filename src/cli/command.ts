/**
 * What every `sonoteca` sub-command module exports, and the CLI's exit codes. `main.ts` lists the
 * command modules; adding a command is one file under `commands/` plus one line there.
 */
import type { Command } from 'commander';

/** Exit codes of every command (documented in `sonoteca --help`). */
export const EXIT_OK = 0;
/** Some file failed (its error code is in the summary). */
export const EXIT_FAILURES = 1;
/** Bad usage: unknown option, bad value, missing argument. */
export const EXIT_USAGE = 2;

export interface CliCommand {
  readonly name: string;
  /** Adds the command (with its options, help text and action) to the program. */
  register(program: Command): void;
}

/** Thrown by command actions for bad arguments: printed without a stack, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
