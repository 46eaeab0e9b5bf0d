/** `sonoteca apikey create|list|revoke`: API keys for machine clients (MAXXI), on the database. */
import type { Command } from 'commander';
import { generateApiKey } from '../../service/auth/api-keys.js';
import { ROLES, type Role } from '../../store/types.js';
import { UsageError, type CliCommand } from '../command.js';
import { withStore } from './user.js';

export const apikeyCommand: CliCommand = {
  name: 'apikey',
  register(program: Command): void {
    const cmd = program.command('apikey').description('Manage API keys for machine clients.');
    cmd
      .command('create')
      .argument('<name>', 'a label, e.g. maxxi-production')
      .option('--role <role>', `one of ${ROLES.join(', ')}`, 'archivist')
      .description('Create a key; it is printed once (only its hash is stored).')
      .action(async (name: string, opts: { role: string }) => {
        if (!(ROLES as readonly string[]).includes(opts.role))
          throw new UsageError(`--role must be one of ${ROLES.join(', ')} (got ${opts.role})`);
        const g = generateApiKey();
        await withStore(async (store) => {
          const k = await store.apiKeys.create({
            name,
            prefix: g.prefix,
            keyHash: g.hash,
            role: opts.role as Role,
          });
          await store.audit.append({
            actor: 'cli',
            actorKind: 'system',
            action: 'api_key.created',
            targetType: 'api_key',
            targetId: k.id,
            details: { name, role: opts.role },
          });
          process.stderr.write(
            `created API key ${name} (${opts.role}) id=${k.id}; store it now, it is not shown again:\n`,
          );
          process.stdout.write(`${g.key}\n`);
        });
      });
    cmd
      .command('list')
      .description('List keys (never the secrets).')
      .action(async () => {
        await withStore(async (store) => {
          for (const k of await store.apiKeys.list())
            process.stdout.write(
              `${k.id}\t${k.name}\t${k.role}\tsk_${k.prefix}_…\t${k.revokedAt === null ? 'active' : `revoked ${k.revokedAt}`}\n`,
            );
        });
      });
    cmd
      .command('revoke')
      .argument('<id>', 'key id (see list)')
      .description('Revoke a key at once.')
      .action(async (id: string) => {
        await withStore(async (store) => {
          if (!(await store.apiKeys.revoke(id))) throw new UsageError(`no active key ${id}`);
          await store.audit.append({
            actor: 'cli',
            actorKind: 'system',
            action: 'api_key.revoked',
            targetType: 'api_key',
            targetId: id,
          });
          process.stdout.write(`revoked ${id}\n`);
        });
      });
  },
};
