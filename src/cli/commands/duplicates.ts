/**
 * `sonoteca duplicates <paths...>`: decodes each file once, fingerprints it (the fingerprint
 * stage alone) and lists exact copies, near-duplicates and partial overlaps between the files.
 */
import { isAbsolute, relative } from 'node:path';
import type { Command } from 'commander';
import {
  decodePoints,
  DUPLICATES_SCHEMA_VERSION,
  findDuplicatePairs,
  type DuplicatePair,
  type FingerprintedRecording,
  type FingerprintSection,
} from '../../analysis/fingerprint/index.js';
import { analyzeFileSafe } from '../../pipeline/analyze-file.js';
import { fingerprintStages } from '../../pipeline/stages.js';
import { EXIT_FAILURES, EXIT_OK, UsageError, type CliCommand } from '../command.js';
import { discoverAudioFiles } from '../discover.js';
import { renderTable } from '../table.js';

interface DuplicatesOptions {
  readonly format: string;
}

export const duplicatesCommand: CliCommand = {
  name: 'duplicates',
  register(program: Command): void {
    program
      .command('duplicates')
      .description(
        'Find the same audio among files by listening: exact copies, re-encodes, wrong-speed ' +
          'transfers (±10 %) and excerpts inside longer recordings.',
      )
      .argument('<paths...>', 'audio files or folders (searched recursively)')
      .option('--format <format>', 'text or json', 'text')
      .addHelpText(
        'after',
        `
JSON: {"schema_version", "pairs": [{"a", "b", "kind", "offset_a_sec", "offset_b_sec",
"duration_sec", "speed_ratio", "score"}], "files", "failures"} (docs/schema/duplicates.schema.json).
kind: exact (same decoded audio data), near_duplicate (the match covers >= 80 % of both),
partial_overlap (an excerpt of one inside the other). offset_a_sec/offset_b_sec: where the
matched region starts in a and in b; duration_sec in a's time; speed_ratio: how many times
faster b plays than a; score: share of a's fingerprint in the region that matched (0-1).
Method: docs/DUPLICATES.md.
Examples:
  sonoteca duplicates ./collection
  sonoteca duplicates master.wav access.mp3 --format json
Exit codes: 0 ok (pairs or none); 1 a file could not be decoded (listed); 2 usage error.`,
      )
      .action(async (paths: string[], opts: DuplicatesOptions) => {
        if (opts.format !== 'text' && opts.format !== 'json') {
          throw new UsageError(`--format must be text or json, not "${opts.format}"`);
        }
        const { files, problems } = discoverAudioFiles(paths);
        const shown = (abs: string) =>
          paths.every((p) => isAbsolute(p)) ? abs : relative(process.cwd(), abs) || abs;
        const recordings: FingerprintedRecording[] = [];
        const failures: { path: string; code: string; message: string }[] = problems.map((p) => ({
          path: p.argument,
          code: p.error.code,
          message: p.error.message,
        }));
        for (const file of files) {
          const r = await analyzeFileSafe(file, { stages: fingerprintStages() });
          if (!r.ok) {
            failures.push({ path: shown(file), code: r.error.code, message: r.error.message });
            continue;
          }
          const fp = (r.report.results as unknown as Record<string, FingerprintSection>)[
            'audio_fingerprint'
          ];
          if (fp?.status !== 'ok' || fp.data === undefined) {
            failures.push({
              path: shown(file),
              code: fp?.error?.code ?? 'SONO_ERR_ANALYZER_FAILED',
              message: fp?.reason ?? 'no fingerprint',
            });
            continue;
          }
          recordings.push({
            id: shown(file),
            durationSec: fp.duration_sec ?? r.report.audio_info.decoded_duration,
            pcmMd5: fp.pcm_md5 ?? null,
            points: decodePoints(Buffer.from(fp.data, 'base64')),
          });
        }
        const pairs = await findDuplicatePairs(recordings);
        if (opts.format === 'json') {
          process.stdout.write(
            `${JSON.stringify(
              {
                schema_version: DUPLICATES_SCHEMA_VERSION,
                pairs,
                files: recordings.length,
                failures,
              },
              null,
              2,
            )}\n`,
          );
        } else {
          process.stdout.write(renderPairs(pairs, recordings.length));
          for (const f of failures) process.stderr.write(`${f.path}: ${f.code}: ${f.message}\n`);
        }
        process.exitCode = failures.length > 0 ? EXIT_FAILURES : EXIT_OK;
      });
  },
};

function renderPairs(pairs: readonly DuplicatePair[], files: number): string {
  if (pairs.length === 0) return `No duplicates among ${files} file(s).\n`;
  const rows = pairs.map((p) => [
    p.kind,
    p.a,
    p.b,
    p.offset_a_sec.toFixed(2),
    p.offset_b_sec.toFixed(2),
    p.duration_sec.toFixed(1),
    p.speed_ratio.toFixed(4),
    p.score.toFixed(2),
  ]);
  return `${renderTable(['kind', 'a', 'b', 'at a (s)', 'at b (s)', 'dur (s)', 'speed', 'score'], rows)}\n`;
}
