/**
 * First run: when no user exists, create `admin` with a random one-time password, printed once to
 * stderr (only its scrypt hash is stored). Several API processes starting together race safely:
 * the loser's insert fails on the unique username and prints nothing.
 */
import type { Store } from '../store/types.js';
import { generatePassword, hashPassword } from './auth/passwords.js';

export const BOOTSTRAP_USERNAME = 'admin';

export interface BootstrapLogger {
  info(obj: object, msg: string): void;
}

export async function ensureAdmin(
  store: Store,
  logger: BootstrapLogger,
  onPassword: (username: string, password: string) => void = (u, p) =>
    process.stderr.write(
      `\n  Sonoteca first run: created user "${u}" (role admin) with one-time password:\n\n` +
        `      ${p}\n\n  It is shown only now. Log in and change it (POST /api/v1/auth/password),\n` +
        `  or create your own admin with: sonoteca user add <name> --role admin\n\n`,
    ),
): Promise<boolean> {
  if ((await store.users.count()) > 0) return false;
  const password = generatePassword();
  try {
    const user = await store.users.create({
      username: BOOTSTRAP_USERNAME,
      passwordHash: await hashPassword(password),
      role: 'admin',
    });
    await store.audit.append({
      actor: 'system',
      actorKind: 'system',
      action: 'user.bootstrap',
      targetType: 'user',
      targetId: user.id,
    });
  } catch {
    return false; // another process created it first
  }
  logger.info({ username: BOOTSTRAP_USERNAME }, 'bootstrap admin created');
  onPassword(BOOTSTRAP_USERNAME, password);
  return true;
}
