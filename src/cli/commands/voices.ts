/**
 * `sonoteca voices add <reports...>`, `voices name <report> <SPEAKER_xx> <name>`,
 * `voices reject <report> <SPEAKER_xx>` and `voices search <file|name>`:
 * voiceprints across recordings in the configured database (the service's, or the SQLite file
 * under DATA_DIR). Names a person gives are confirmed; names Sonoteca proposes stay suggestions.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { storeVoices, voicesOfReport } from '../../jobs/voiceprints.js';
import { analyzeFile } from '../../pipeline/analyze-file.js';
import type { Report } from '../../pipeline/report.js';
import {
  findVoices,
  nameSpeaker,
  rejectSuggestion,
  voicesNamed,
  VOICES_SCHEMA_VERSION,
  type VoiceView,
} from '../../service/voices.js';
import { EXIT_OK, UsageError, type CliCommand } from '../command.js';
import { renderTable } from '../table.js';
import { withStore } from './user.js';

function readReport(path: string): { report: Report; sha256: string } {
  let report: Report;
  try {
    report = JSON.parse(readFileSync(path, 'utf8')) as Report;
  } catch (e) {
    throw new UsageError(`${path} is not a readable report JSON (${(e as Error).message})`);
  }
  const sha256 = report.results?.fixity?.sha256;
  if (typeof sha256 !== 'string') {
    throw new UsageError(`${path} has no fixity sha256: is it a sonoteca analyze report?`);
  }
  return { report, sha256 };
}

/** Writes voices as the versioned JSON document (`docs/schema/voices.schema.json`) or as text. */
function printVoices(
  format: string,
  key: 'speakers' | 'voices',
  views: Parameters<typeof renderVoices>[0],
): void {
  process.stdout.write(
    format === 'json'
      ? `${JSON.stringify({ schema_version: VOICES_SCHEMA_VERSION, [key]: views }, null, 2)}\n`
      : renderVoices(views),
  );
}

function renderVoices(
  views: readonly (VoiceView & { score?: number; query_speaker?: string })[],
): string {
  if (views.length === 0) return 'No matching voices.\n';
  return `${renderTable(
    ['file', 'task', 'speaker', 'name (confirmed)', 'suggested', 'score', 'calibrated'],
    views.map((v) => [
      v.file_name ?? '',
      v.task_id ?? '',
      v.query_speaker ? `${v.speaker} ~ ${v.query_speaker}` : v.speaker,
      v.name ?? '',
      v.suggested_name ?? '',
      (v.score ?? v.suggestion_score)?.toFixed(3) ?? '',
      v.score_calibrated === null ? '' : v.score_calibrated ? 'yes' : 'no',
    ]),
  )}\n`;
}

export const voicesCommand: CliCommand = {
  name: 'voices',
  register(program: Command): void {
    const voices = program
      .command('voices')
      .description(
        'Recognise voices across recordings: name a diarized speaker once, see where the voice occurs.',
      );
    voices
      .command('add')
      .argument('<reports...>', 'report JSON files written by sonoteca analyze')
      .description(
        "Store the reports' speaker embeddings; confirmed names elsewhere are proposed for them.",
      )
      .action(async (paths: string[]) => {
        const lines = await withStore(async (store) => {
          const out: string[] = [];
          for (const path of paths) {
            const { report, sha256 } = readReport(path);
            const count = voicesOfReport(report, sha256).length;
            await storeVoices(store, report, sha256);
            out.push(`${path}: ${count} voice(s)`);
          }
          return out;
        });
        process.stdout.write(`${lines.join('\n')}\n`);
        process.exitCode = EXIT_OK;
      });
    voices
      .command('name')
      .argument('<report>', 'a report JSON written by sonoteca analyze (speech or comprehensive)')
      .argument('<speaker>', 'the speaker id in the report, e.g. SPEAKER_00')
      .argument('<name>', "the person's name")
      .option('--format <format>', 'text or json', 'text')
      .description(
        "Confirm a speaker's name; Sonoteca then proposes it (with a calibrated score) for matching voices in other recordings.",
      )
      .addHelpText(
        'after',
        `
The report's speaker embeddings are stored first if they are not yet in the database.
Example:
  sonoteca voices name reports/tape-12.wav.json SPEAKER_01 "Anna Rossi"`,
      )
      .action(async (path: string, speaker: string, name: string, opts: { format: string }) => {
        const { report, sha256 } = readReport(path);
        if (voicesOfReport(report, sha256).length === 0) {
          throw new UsageError(
            `${path} has no speaker embeddings (speaker_recognition.speakers[].embedding)`,
          );
        }
        const views = await withStore(async (store) => {
          await storeVoices(store, report, sha256);
          return nameSpeaker(store, { recordingSha256: sha256, speaker, name, by: 'cli' });
        });
        printVoices(opts.format, 'speakers', views);
        process.exitCode = EXIT_OK;
      });
    voices
      .command('reject')
      .argument('<report>', 'a report JSON whose speaker carries a proposed name')
      .argument('<speaker>', 'the speaker id in the report, e.g. SPEAKER_01')
      .option('--format <format>', 'text or json', 'text')
      .description('Reject the name proposed for a speaker; it is never proposed for it again.')
      .action(async (path: string, speaker: string, opts: { format: string }) => {
        const { sha256 } = readReport(path);
        const views = await withStore((store) =>
          rejectSuggestion(store, { recordingSha256: sha256, speaker, by: 'cli' }),
        );
        printVoices(opts.format, 'speakers', views);
        process.exitCode = EXIT_OK;
      });
    voices
      .command('search')
      .argument(
        '<file|name>',
        'an audio file or report JSON (its speakers are looked up), or a name',
      )
      .option('--format <format>', 'text or json', 'text')
      .description('List the recordings where a voice occurs (by recording, or by confirmed name).')
      .addHelpText(
        'after',
        `
An audio file is analysed (speech processing) to get its speakers' embeddings.
Examples:
  sonoteca voices search "Anna Rossi"
  sonoteca voices search interview-1974.wav --format json`,
      )
      .action(async (what: string, opts: { format: string }) => {
        const isFile = existsSync(what) && statSync(what).isFile();
        const views = await withStore(async (store) => {
          if (!isFile) return voicesNamed(store, what);
          const { report, sha256 } = what.endsWith('.json')
            ? readReport(what)
            : await (async () => {
                const r = await analyzeFile(what, { processingType: 'speech' });
                return { report: r, sha256: r.results.fixity.sha256 ?? '' };
              })();
          const query = voicesOfReport(report, sha256);
          if (query.length === 0) {
            throw new UsageError(`${what}: no speaker embeddings to search with`);
          }
          return findVoices(store, query);
        });
        printVoices(opts.format, 'voices', views);
        process.exitCode = EXIT_OK;
      });
  },
};
