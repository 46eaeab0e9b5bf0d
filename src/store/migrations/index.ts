/** The static migration list (a static provider: no file-system scanning, works from dist/ and tsx). */
import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { SonoError } from '../../errors.js';
import { migration001 } from './001-initial.js';
import { migration003 } from './003-reviews.js';
import { migration004 } from './004-fingerprints-voices.js';
import { migration005 } from './005-voice-rejections-postings-cover.js';

export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '001-initial': migration001,
  '003-reviews': migration003,
  '004-fingerprints-voices': migration004,
  '005-voice-rejections-postings-cover': migration005,
};

const provider: MigrationProvider = { getMigrations: async () => ({ ...MIGRATIONS }) };

/**
 * Applies every pending migration; throws the first failure.
 * `schema` (PostgreSQL): where the migration tables live. It must be given: Kysely's migrator
 * otherwise looks for its tables in every schema, and another schema's `kysely_migration_lock`
 * (another test run, another application) would make it skip creating ours.
 */
export async function migrateToLatest(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Kysely<any>,
  opts: { readonly schema?: string } = {},
): Promise<void> {
  const migrator = new Migrator({
    db,
    provider,
    ...(opts.schema ? { migrationTableSchema: opts.schema } : {}),
  });
  const { error } = await migrator.migrateToLatest();
  if (error !== undefined) {
    if (error instanceof SonoError) throw error;
    throw error instanceof Error ? error : new Error(String(error));
  }
}
