// Starting the real local runtime for tests, and a tiny client for the Oz API over HTTP.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { startLocalRuntime, type LocalRuntime } from '../../infra/local/runtime';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../infra/local/emulators/net';
import { REPO_ROOT } from '../../infra/stack';
import { checkContract } from './contract';
import { resetAppConfig } from '../../functions/config';

export const ADMIN = { email: 'admin@e2e.test', password: 'e2e-admin-password' };
export const SHARED_DATA = path.resolve(REPO_ROOT, '..', 'shared', 'data');

/** A file of ../shared/data, or null (tests then skip with a message naming it). */
export function sharedFile(relative: string): string | null {
  const file = path.join(SHARED_DATA, relative);
  return fs.existsSync(file) ? file : null;
}

export async function startRuntime(extra: Partial<Parameters<typeof startLocalRuntime>[0]> = {}): Promise<LocalRuntime> {
  return startLocalRuntime({ port: 0, adminEmail: ADMIN.email, adminPassword: ADMIN.password, workerConcurrency: 2, visibilityTimeoutSeconds: 30, ...extra });
}

/** Waits until the runtime's queue whose logical id starts with `prefix` holds no message, visible or in flight. */
export async function queueDrained(runtime: LocalRuntime, prefix: string, timeoutMs = 30_000): Promise<boolean> {
  const sqs = new SQSClient({ region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, endpoint: process.env.OZ_SQS_ENDPOINT });
  const url = Object.entries(runtime.resources.queues).find(([id]) => id.startsWith(prefix))![1].url;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const out = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
    if (Number(out.Attributes?.ApproximateNumberOfMessages ?? 0) + Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0) === 0) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * Creates a user through `by` (an ADMIN or a CLIENT ADMIN) and returns them logged in; fails the
 * calling test if either step is refused.
 */
export async function createLoggedInUser(
  baseUrl: string,
  by: OzClient,
  credentials: { email: string; password: string },
  profile: Record<string, unknown>,
): Promise<{ client: OzClient; id: string; email: string }> {
  const made = await by.request('POST', '/api/users', { json: { credentials, profile } });
  if (made.status !== 201) throw new Error(`creating ${credentials.email} answered ${made.status}: ${made.text}`);
  const client = new OzClient(baseUrl);
  const login = await client.login(credentials.email, credentials.password);
  if (login.status !== 200) throw new Error(`logging in ${credentials.email} answered ${login.status}: ${login.text}`);
  return { client, id: made.body.user_id, email: credentials.email };
}

export interface Answer<T = any> {
  status: number;
  body: T;
  text: string;
}

export class OzClient {
  token: string | null = null;
  constructor(readonly baseUrl: string) {}

  async request<T = any>(method: string, urlPath: string, init: { json?: unknown; body?: FormData | string | Uint8Array; headers?: Record<string, string>; token?: string | null } = {}): Promise<Answer<T>> {
    const headers: Record<string, string> = { ...init.headers };
    const token = init.token === undefined ? this.token : init.token;
    if (token) headers['X-Forensic-Access-Token'] = token;
    let body: FormData | string | Uint8Array | undefined = init.body;
    if (init.json !== undefined) {
      body = JSON.stringify(init.json);
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(this.baseUrl + urlPath, { method, headers, body, redirect: 'manual' });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON
    }
    // Every answer must match the OpenAPI document (test/support/contract.ts).
    checkContract(method, urlPath, res.status, res.headers.get('content-type'), text, parsed);
    return { status: res.status, body: parsed as T, text };
  }

  async login(email: string, password: string): Promise<Answer> {
    const res = await this.request('POST', '/api/authorize/auth', { json: { credentials: { email, password } }, token: null });
    if (res.status === 200) this.token = res.body.access_token;
    return res;
  }

  upload(urlPath: string, files: { field: string; name: string; bytes: Buffer; type?: string }[], payload?: unknown): Promise<Answer> {
    const form = new FormData();
    for (const f of files) form.append(f.field, new Blob([f.bytes], { type: f.type ?? 'application/octet-stream' }), f.name);
    if (payload !== undefined) form.append('payload', JSON.stringify(payload));
    return this.request('POST', urlPath, { body: form });
  }

  /** Polls an analysis until it leaves PROCESSING (the documented polling loop). */
  async waitForAnalysis(analysisId: string, timeoutMs = 60_000, pollMs = 250): Promise<any> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const res = await this.request('GET', `/api/analyses/${analysisId}`);
      if (res.status !== 200) throw new Error(`GET analysis answered ${res.status}: ${res.text}`);
      if (res.body.state !== 'PROCESSING') return res.body;
      if (Date.now() > deadline) throw new Error(`analysis ${analysisId} still PROCESSING after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, pollMs));
    }
  }
}

/**
 * Changes a function variable while the runtime runs: one the template does not set, which every
 * function sees through this process's environment (infra/local/function-env.ts). The functions
 * parse their configuration once, at cold start (functions/config.ts): the in-process ones read it
 * again, as a new container would.
 */
export function setFunctionEnv(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
  resetAppConfig();
}
