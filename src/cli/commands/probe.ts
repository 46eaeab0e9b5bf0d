/** `sonoteca probe <file>`: technical data only (no decode, no analysis), as JSON on stdout. */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { probeFile } from '../../audio/probe.js';
import { isSonoError } from '../../errors.js';
import { EXIT_FAILURES, EXIT_OK, type CliCommand } from '../command.js';

export const probeCommand: CliCommand = {
  name: 'probe',
  register(program: Command): void {
    program
      .command('probe')
      .description(
        "Print a file's technical data (format, codec, rate, channels, embedded metadata) as JSON.",
      )
      .argument('<file>', 'audio file')
      .addHelpText(
        'after',
        `
Prints {audio_info, embedded, warnings}; reads headers only (fast, no decoding).
Example:
  sonoteca probe tape-0042.wav | jq .audio_info
Exit codes: 0 ok; 1 the file is not readable audio (the error code is printed); 2 usage error.`,
      )
      .action(async (file: string) => {
        try {
          const p = await probeFile(resolve(file));
          const { wav: _wav, ...rest } = p;
          process.stdout.write(`${JSON.stringify(rest, null, 2)}\n`);
          process.exitCode = EXIT_OK;
        } catch (e) {
          if (!isSonoError(e)) throw e;
          process.stderr.write(`sonoteca: ${e.code}: ${e.message}\n`);
          process.stdout.write(`${JSON.stringify({ error: e.toJSON() }, null, 2)}\n`);
          process.exitCode = EXIT_FAILURES;
        }
      });
  },
};
