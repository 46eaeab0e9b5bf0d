/**
 * The page's only way to the server: the public /api/v1, with the signed-in user's JWT. Request
 * and response types come from the routes' schemas (src/service/schemas/, types only).
 */
import type { LoginBody, LoginResponse } from '../../src/service/schemas/auth.js';
import type { ErrorBody } from '../../src/service/schemas/errors.js';
import type { Accepted } from '../../src/service/schemas/tasks.js';

const TOKEN_KEY = 'sonoteca.token';

export interface Session {
  readonly token: string;
  readonly username: string;
  readonly role: LoginResponse['role'];
}

/** An error body as far as it could be read (a proxy's error page has none). */
type ErrorReply = { error?: Partial<ErrorBody['error']> };

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function decodeClaims(token: string): { name?: string; role?: string; exp?: number } {
  const part = token.split('.')[1] ?? '';
  return JSON.parse(atob(part.replace(/-/g, '+').replace(/_/g, '/'))) as {
    name?: string;
    role?: string;
    exp?: number;
  };
}

export function currentSession(): Session | null {
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token === null) return null;
  try {
    const c = decodeClaims(token);
    if (c.exp !== undefined && c.exp * 1000 < Date.now()) return null;
    return { token, username: c.name ?? '?', role: (c.role ?? 'viewer') as Session['role'] };
  } catch {
    return null;
  }
}

export function canEdit(s: Session | null): boolean {
  return s !== null && (s.role === 'archivist' || s.role === 'admin');
}

export function signOut(): void {
  sessionStorage.removeItem(TOKEN_KEY);
}

async function errorOf(res: Response): Promise<ApiError> {
  try {
    const b = (await res.json()) as ErrorReply;
    return new ApiError(res.status, b.error?.code ?? 'HTTP', b.error?.message ?? res.statusText);
  } catch {
    return new ApiError(res.status, 'HTTP', res.statusText);
  }
}

export async function signIn(username: string, password: string): Promise<Session> {
  const res = await fetch('/api/v1/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password } satisfies LoginBody),
  });
  if (!res.ok) throw await errorOf(res);
  const b = (await res.json()) as LoginResponse;
  sessionStorage.setItem(TOKEN_KEY, b.access_token);
  return currentSession()!;
}

function authHeaders(): Record<string, string> {
  const s = currentSession();
  return s === null ? {} : { authorization: `Bearer ${s.token}` };
}

export async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(path, {
    ...init,
    headers: {
      ...authHeaders(),
      ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(init.headers as Record<string, string> | undefined),
    },
  });
  if (res.status === 401) {
    signOut();
    location.hash = '#/sign-in';
  }
  if (!res.ok) throw await errorOf(res);
  const type = res.headers.get('content-type') ?? '';
  return (type.includes('json') ? await res.json() : await res.text()) as T;
}

/** Fetches a protected file (export, audio) as a blob URL the page can link or play. */
export async function blobUrl(path: string): Promise<string> {
  const res = await fetch(path, { headers: authHeaders() });
  if (!res.ok) throw await errorOf(res);
  return URL.createObjectURL(await res.blob());
}

/** One file upload with progress (fetch has no upload progress events; XHR does). */
export function uploadFile(file: File, onProgress: (fraction: number) => void): Promise<Accepted> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/v1/process');
    for (const [k, v] of Object.entries(authHeaders())) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onload = () => {
      let body: Partial<Accepted> & ErrorReply = {};
      try {
        body = JSON.parse(xhr.responseText) as typeof body;
      } catch {
        /* non-JSON error page */
      }
      if (xhr.status === 202 && body.task_id) resolve(body as Accepted);
      else
        reject(
          new ApiError(
            xhr.status,
            body.error?.code ?? 'HTTP',
            body.error?.message ?? xhr.statusText,
          ),
        );
    };
    xhr.onerror = () => reject(new ApiError(0, 'NETWORK', 'network error'));
    const form = new FormData();
    form.append('audio_file', file, file.name);
    xhr.send(form);
  });
}
