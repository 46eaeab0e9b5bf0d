/**
 * Who is calling: a person (JWT) or a machine client (API key), and the role ladder
 * viewer < archivist < admin (each role may do everything the roles below it may).
 */
import type { Role } from '../store/types.js';

export interface Principal {
  readonly kind: 'user' | 'api_key';
  /** User id or API key id. */
  readonly id: string;
  /** Username or API key name (for logs and the audit trail). */
  readonly name: string;
  readonly role: Role;
}

const RANK: Readonly<Record<Role, number>> = { viewer: 0, archivist: 1, admin: 2 };

export function hasRole(p: Principal, required: Role): boolean {
  return RANK[p.role] >= RANK[required];
}

/** The audit log's actor string: `user:<name>` or `api_key:<name>`. */
export function actorOf(p: Principal | undefined): string {
  return p === undefined ? 'anonymous' : `${p.kind}:${p.name}`;
}
