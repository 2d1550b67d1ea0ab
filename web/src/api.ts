import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from '../../client/schema.ts';

// One typed client for the whole app, generated from the API contract (client/schema.ts). The
// browser authenticates with the session cookie (POST /app/session); the CSRF token lives in
// memory only and is re-read from GET /app/session after a reload. The API key is never stored.

type Schemas = components['schemas'];
export type Order = Schemas['Order'];
export type Quote = Schemas['Quote'];
export type Problem = Schemas['Problem'] & Record<string, unknown>;

export type Role = 'admin' | 'planner' | 'sales' | 'erp' | 'floor';

export interface Session {
  role: Role;
  name: string;
  principal: string;
  plantIds: string[] | null;
  csrfToken: string;
  expiresAt: string;
}

let csrfToken: string | null = null;
let onUnauthorized: () => void = () => undefined;

/** Called when any request answers 401: the session ended (expired, signed out elsewhere, key revoked). */
export function whenUnauthorized(callback: () => void): void {
  onUnauthorized = callback;
}

const unsafe = (method: string) => !['GET', 'HEAD', 'OPTIONS'].includes(method.toUpperCase());

const session: Middleware = {
  onRequest({ request }) {
    if (csrfToken && unsafe(request.method)) request.headers.set('x-csrf-token', csrfToken);
    return request;
  },
  onResponse({ response }) {
    if (response.status === 401) onUnauthorized();
    return response;
  },
};

export const api = createClient<paths>({ baseUrl: window.location.origin, credentials: 'same-origin' });
api.use(session);

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`);
  }
}

/** The answer's body, or an ApiError carrying the problem document. */
export async function ok<D>(call: Promise<{ data?: D; error?: unknown; response: Response }>): Promise<D> {
  const { data, error, response } = await call;
  if (!response.ok) {
    const problem = (error && typeof error === 'object' ? error : { title: response.statusText }) as Problem;
    throw new ApiError(response.status, problem);
  }
  return data as D;
}

async function sessionCall(method: 'GET' | 'POST' | 'DELETE', body?: unknown): Promise<Response> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (csrfToken && method === 'DELETE') headers['x-csrf-token'] = csrfToken;
  return fetch('/app/session', {
    method,
    headers,
    credentials: 'same-origin',
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
}

async function readSession(res: Response): Promise<Session> {
  if (!res.ok) {
    const problem = (await res.json().catch(() => ({ title: res.statusText }))) as Problem;
    throw new ApiError(res.status, problem);
  }
  const s = (await res.json()) as Session;
  csrfToken = s.csrfToken;
  return s;
}

/** Exchanges an API key for a session cookie; the key is not kept anywhere. */
export async function signIn(apiKey: string): Promise<Session> {
  return readSession(await sessionCall('POST', { apiKey }));
}

/** The current session after a reload (the cookie survives, the CSRF token is fetched again), or null. */
export async function resumeSession(): Promise<Session | null> {
  const res = await sessionCall('GET');
  if (res.status === 401) return null;
  return readSession(res);
}

export async function signOut(): Promise<void> {
  await sessionCall('DELETE');
  csrfToken = null;
}

export function describeError(e: unknown): string {
  if (e instanceof ApiError) {
    const p = e.problem;
    return [p.title, p.detail].filter(Boolean).join(': ') || `HTTP ${e.status}`;
  }
  return e instanceof Error ? e.message : String(e);
}

/** A fresh Idempotency-Key for a creating POST (a double click or a retry does not create twice). */
export function idempotencyKey(): string {
  // crypto.randomUUID needs a secure context; a plant's plain-http intranet address is not one.
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}
