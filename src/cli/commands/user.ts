/**
 * `sonoteca user add|list|passwd|disable|remove`: user administration straight on the database
 * (works before the service ever ran; the first admin can be created this way instead of the
 * printed one-time password). Passwords come from a prompt, or stdin with `--password-stdin`;
 * never from the command line (it would land in shell history and `ps`).
 */
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { loadConfig, type DatabaseConfig } from '../../config/config.js';
import { hashPassword } from '../../service/auth/passwords.js';
import { storeConfigOf } from '../../service/runtime-config.js';
import { createDatabase } from '../../store/database.js';
import { ROLES, type Role, type Store } from '../../store/types.js';
import { UsageError, type CliCommand } from '../command.js';

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  let s = '';
  for await (const c of stream) s += String(c);
  return s;
}

/** Reads a password: from stdin (first line) with `fromStdin`, else from a no-echo prompt. */
export async function readPassword(fromStdin: boolean, prompt = 'Password: '): Promise<string> {
  if (fromStdin || !process.stdin.isTTY) {
    const line = (await readAll(process.stdin)).split(/\r?\n/)[0] ?? '';
    return line;
  }
  process.stderr.write(prompt);
  const stdin = process.stdin;
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    let pw = '';
    const onData = (ch: string) => {
      for (const c of ch) {
        if (c === '\r' || c === '\n' || c === '\u0004') {
          stdin.setRawMode(false);
          stdin.pause();
          stdin.off('data', onData);
          process.stderr.write('\n');
          resolve(pw);
          return;
        }
        if (c === '\u0003') {
          stdin.setRawMode(false);
          reject(new UsageError('cancelled'));
          return;
        }
        if (c === '\u007f') pw = pw.slice(0, -1);
        else pw += c;
      }
    };
    stdin.on('data', onData);
  });
}

function checkRole(role: string): Role {
  if (!(ROLES as readonly string[]).includes(role))
    throw new UsageError(`--role must be one of ${ROLES.join(', ')} (got ${role})`);
  return role as Role;
}

function checkNewPassword(pw: string): string {
  if (pw.length < 12) throw new UsageError('password must have at least 12 characters');
  return pw;
}

/** How the database is named to the user (never its password). */
export function describeDatabase(db: DatabaseConfig): string {
  return db.kind === 'sqlite'
    ? `SQLite ${db.path}`
    : `PostgreSQL ${db.user}@${db.host}:${db.port}/${db.database}${db.schema ? ` (schema ${db.schema})` : ''}`;
}

/**
 * Opens the configured database for a short CLI operation, saying which one on stderr. A SQLite
 * file that does not exist is only created when DATA_DIR or SQLITE_PATH names it: without them
 * the default `./data/sonoteca.db` would be a new, empty database beside the service's real one.
 */
export async function withStore<T>(f: (store: Store) => Promise<T>): Promise<T> {
  const config = loadConfig(process.env);
  const db = config.database;
  if (
    db.kind === 'sqlite' &&
    !existsSync(db.path) &&
    process.env['DATA_DIR'] === undefined &&
    process.env['SQLITE_PATH'] === undefined
  )
    throw new UsageError(
      `no database at ${db.path}: set DATA_DIR (or SQLITE_PATH, or DB_HOST for PostgreSQL) to the service's database; set DATA_DIR=./data to create a new one there`,
    );
  process.stderr.write(`sonoteca: database: ${describeDatabase(db)}\n`);
  const store = await createDatabase(storeConfigOf(config));
  try {
    return await f(store);
  } finally {
    await store.close();
  }
}

export const userCommand: CliCommand = {
  name: 'user',
  register(program: Command): void {
    const user = program
      .command('user')
      .description('Manage service users (admin, archivist, viewer) in the configured database.');
    user
      .command('add')
      .argument('<name>', 'username')
      .option('--role <role>', `one of ${ROLES.join(', ')}`, 'viewer')
      .option('--password-stdin', 'read the password from the first line of stdin')
      .description('Create a user (password from a prompt or --password-stdin).')
      .addHelpText(
        'after',
        '\nExample:\n  printf "%s\\n" "$PW" | sonoteca user add alice --role admin --password-stdin',
      )
      .action(async (name: string, opts: { role: string; passwordStdin?: boolean }) => {
        const role = checkRole(opts.role);
        if (!/^[A-Za-z0-9_.@-]{1,64}$/.test(name)) throw new UsageError(`invalid username ${name}`);
        const pw = checkNewPassword(await readPassword(opts.passwordStdin === true));
        await withStore(async (store) => {
          if ((await store.users.getByUsername(name)) !== undefined)
            throw new UsageError(`user ${name} already exists`);
          const u = await store.users.create({
            username: name,
            passwordHash: await hashPassword(pw),
            role,
          });
          await store.audit.append({
            actor: 'cli',
            actorKind: 'system',
            action: 'user.created',
            targetType: 'user',
            targetId: u.id,
            details: { username: name, role },
          });
          process.stdout.write(`created user ${name} (${role}) id=${u.id}\n`);
        });
      });
    user
      .command('list')
      .description('List users.')
      .action(async () => {
        await withStore(async (store) => {
          for (const u of await store.users.list())
            process.stdout.write(
              `${u.username}\t${u.role}\t${u.disabled ? 'disabled' : 'active'}\t${u.createdAt}\n`,
            );
        });
      });
    user
      .command('passwd')
      .argument('<name>', 'username')
      .option('--password-stdin', 'read the new password from the first line of stdin')
      .description('Set a user’s password.')
      .action(async (name: string, opts: { passwordStdin?: boolean }) => {
        const pw = checkNewPassword(
          await readPassword(opts.passwordStdin === true, 'New password: '),
        );
        await withStore(async (store) => {
          const u = await store.users.getByUsername(name);
          if (u === undefined) throw new UsageError(`no user ${name}`);
          await store.users.update(u.id, { passwordHash: await hashPassword(pw) });
          await store.audit.append({
            actor: 'cli',
            actorKind: 'system',
            action: 'user.password_changed',
            targetType: 'user',
            targetId: u.id,
          });
          process.stdout.write(`password of ${name} changed\n`);
        });
      });
    user
      .command('remove')
      .argument('<name>', 'username')
      .description('Delete a user.')
      .action(async (name: string) => {
        await withStore(async (store) => {
          const u = await store.users.getByUsername(name);
          if (u === undefined) throw new UsageError(`no user ${name}`);
          await store.users.delete(u.id);
          await store.audit.append({
            actor: 'cli',
            actorKind: 'system',
            action: 'user.deleted',
            targetType: 'user',
            targetId: u.id,
          });
          process.stdout.write(`removed user ${name}\n`);
        });
      });
  },
};
