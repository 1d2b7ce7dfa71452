// The console's only way to the API: the documented endpoints, typed from openapi/openapi.json
// (the types the client package generates with `npm run openapi`; test/unit/openapi.test.ts checks they are current).
// Holds the session, renews it before it runs out and reports when it has expired.
import type { components, paths } from '../../clients/node/src/api-types';

export type Schema<K extends keyof components['schemas']> = components['schemas'][K];
export type User = Schema<'User'>;
export type Folder = Schema<'Folder'>;
export type Analysis = Schema<'Analysis'>;
export type Media = Schema<'Media'>;
export type ApiPath = keyof paths;

/** What the API answers on any error (the Oz error shape). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number | null,
    message: string,
    readonly details: unknown = null,
  ) {
    super(message);
  }
}

export interface Session {
  access_token: string;
  expire_token: string;
  expire_date: number;
  /** An integer under OZ_INTEGER_TIMESTAMPS=true (the Android SDK 2.0.2 option). */
  session_id: string | number;
  user: User;
}

/** Where the session is kept between reloads (localStorage in the browser, a Map in tests). */
export interface SessionStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export const SESSION_KEY = 'oz-console-session';
/** Renew when less than this is left of the session. */
export const RENEW_MARGIN_S = 120;

type Query = Record<string, string | number | boolean | undefined | null>;

export function queryString(query: Query | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') params.append(k, String(v));
  const s = params.toString();
  return s ? `?${s}` : '';
}

export interface ClientOptions {
  baseUrl?: string;
  storage?: SessionStorage;
  fetch?: typeof fetch;
  now?: () => number;
}

export class ApiClient {
  session: Session | null = null;
  private readonly baseUrl: string;
  private readonly storage: SessionStorage | undefined;
  private readonly fetchImpl: typeof fetch;
  private readonly now: () => number;
  private renewing: Promise<void> | null = null;
  private listeners = new Set<(reason: 'signed-in' | 'signed-out' | 'expired' | 'renewed') => void>();

  constructor(options: ClientOptions = {}) {
    this.baseUrl = options.baseUrl ?? '';
    this.storage = options.storage;
    this.fetchImpl = options.fetch ?? ((...args) => fetch(...args));
    this.now = options.now ?? (() => Date.now() / 1000);
    const saved = this.storage?.getItem(SESSION_KEY);
    if (saved) {
      try {
        const s = JSON.parse(saved) as Session;
        if (s.expire_date > this.now()) this.session = s;
        else this.storage?.removeItem(SESSION_KEY);
      } catch {
        this.storage?.removeItem(SESSION_KEY);
      }
    }
  }

  onChange(fn: (reason: 'signed-in' | 'signed-out' | 'expired' | 'renewed') => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
  private emit(reason: 'signed-in' | 'signed-out' | 'expired' | 'renewed') {
    for (const fn of this.listeners) fn(reason);
  }
  private save(session: Session | null) {
    this.session = session;
    if (session) this.storage?.setItem(SESSION_KEY, JSON.stringify(session));
    else this.storage?.removeItem(SESSION_KEY);
  }

  get user(): User | null {
    return this.session?.user ?? null;
  }

  async signIn(email: string, password: string): Promise<User> {
    const answer = await this.send<Schema<'Authorization'>>('POST', '/api/authorize/auth', { json: { credentials: { email, password } }, anonymous: true });
    const { user, ...tokens } = answer;
    this.save({ ...tokens, user });
    this.emit('signed-in');
    return user;
  }

  async signOut(): Promise<void> {
    if (this.session) await this.send('POST', '/api/authorize/logout', { json: {} }).catch(() => undefined);
    this.save(null);
    this.emit('signed-out');
  }

  /** Replaces the token pair (POST /api/authorize/refresh); the user stays. */
  async renew(): Promise<void> {
    if (!this.session) return;
    this.renewing ??= (async () => {
      try {
        const tokens = await this.send<Schema<'Tokens'>>('POST', '/api/authorize/refresh', { json: { expire_token: this.session!.expire_token }, noRenew: true });
        this.save({ ...tokens, user: this.session!.user });
        this.emit('renewed');
      } finally {
        this.renewing = null;
      }
    })();
    return this.renewing;
  }

  /** Seconds left of the session, or 0. */
  secondsLeft(): number {
    return this.session ? Math.max(0, this.session.expire_date - this.now()) : 0;
  }

  /** Keeps the stored user current after they change their own profile. */
  setUser(user: User) {
    if (this.session && this.session.user.user_id === user.user_id) this.save({ ...this.session, user });
  }

  async send<T = unknown>(
    method: string,
    path: string,
    init: { json?: unknown; form?: FormData; query?: Query; anonymous?: boolean; noRenew?: boolean; onUploadProgress?: (fraction: number) => void } = {},
  ): Promise<T> {
    if (!init.anonymous && !init.noRenew && this.session && this.secondsLeft() < RENEW_MARGIN_S) await this.renew().catch(() => undefined);
    const headers: Record<string, string> = {};
    if (!init.anonymous && this.session) headers['X-Forensic-Access-Token'] = this.session.access_token;
    let body: string | FormData | undefined;
    if (init.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(init.json);
    } else if (init.form) body = init.form;
    const res = await this.fetchImpl(this.baseUrl + path + queryString(init.query), { method, headers, body });
    const text = await res.text();
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = text;
    }
    if (!res.ok) {
      const e = (parsed && typeof parsed === 'object' ? parsed : {}) as { error_code?: number; error_message?: string; message?: string; details?: unknown };
      const error = new ApiError(res.status, e.error_code ?? null, e.error_message ?? e.message ?? `HTTP ${res.status}`, e.details ?? null);
      // A 401 on a signed-in request: the session ended (expired, ended elsewhere, user blocked).
      if (res.status === 401 && !init.anonymous && this.session) {
        this.save(null);
        this.emit('expired');
      }
      throw error;
    }
    return parsed as T;
  }

  get<T>(path: string, query?: Query) {
    return this.send<T>('GET', path, { query });
  }
  post<T>(path: string, json?: unknown) {
    return this.send<T>('POST', path, { json: json ?? {} });
  }
  patch<T>(path: string, json: unknown) {
    return this.send<T>('PATCH', path, { json });
  }
  put<T>(path: string, json: unknown) {
    return this.send<T>('PUT', path, { json });
  }
  del<T>(path: string) {
    return this.send<T>('DELETE', path);
  }
  upload<T>(path: string, form: FormData) {
    return this.send<T>('POST', path, { form });
  }
}
