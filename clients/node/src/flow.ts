// The documented flow in one call: create a folder with its media, start analyses, wait for them
// (polling with backoff, or the folder's webhook), and answer the finished analyses.
import { createHmac, timingSafeEqual } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { OzTimeoutError } from './errors';
import type { MediaInput, OzClient } from './client';
import type { Analysis, AnalysisRequest, AnalysisResolutionStatus, AnalysisState, Folder, JsonObject, Media, SystemResolution } from './types';

export type FlowEvent =
  | { type: 'upload'; loaded: number; total: number }
  | { type: 'upload-complete'; folder_id: string; media: Media[]; bytes: number }
  | { type: 'analysis-started'; analyses: Analysis[] }
  | { type: 'state'; analysis_id: string; analysis_type: Analysis['type']; state: AnalysisState; resolution_status: AnalysisResolutionStatus }
  | { type: 'done'; result: FlowResult };

/** Stored analyses always have an id; only the Instant API's (never polled) answer null. */
function analysisId(a: Analysis): string {
  if (!a.analysis_id) throw new Error('an analysis without an id cannot be followed (Instant API answers are final)');
  return a.analysis_id;
}

export interface PollOptions {
  /** First wait between polls, ms (default 250); it grows by `factor` up to `maxIntervalMs`. */
  intervalMs?: number;
  factor?: number;
  maxIntervalMs?: number;
}

export interface FolderFlowOptions {
  media: MediaInput[];
  analyses: AnalysisRequest[];
  /** 'poll' (the default) or a webhook receiver made by createWebhookReceiver(). */
  wait?: 'poll' | { poll: PollOptions } | { webhook: WebhookReceiver };
  /** Give up waiting after this long (default 120 s); the analyses go on on the server. */
  timeoutMs?: number;
  meta_data?: JsonObject;
  onProgress?: (event: FlowEvent) => void;
}

export interface FlowResult {
  folder: Folder;
  analyses: Analysis[];
  /** The folder's system_resolution once these analyses are done. */
  resolution: SystemResolution;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runFolderFlow(client: OzClient, options: FolderFlowOptions): Promise<FlowResult> {
  const emit = options.onProgress ?? (() => {});
  const timeoutMs = options.timeoutMs ?? 120_000;
  const receiver = typeof options.wait === 'object' && 'webhook' in options.wait ? options.wait.webhook : null;
  const bytes = { total: 0 };
  const folder = await client.createFolder(options.media, {
    meta_data: options.meta_data,
    resolution_endpoint: receiver?.url,
    onProgress: (loaded, total) => {
      bytes.total = total;
      emit({ type: 'upload', loaded, total });
    },
  });
  emit({ type: 'upload-complete', folder_id: folder.folder_id, media: folder.media, bytes: bytes.total });
  const started = await client.startAnalyses(folder.folder_id, options.analyses);
  emit({ type: 'analysis-started', analyses: started });
  const ids = started.map(analysisId);
  const deadline = Date.now() + timeoutMs;

  let finished: Analysis[];
  if (receiver) {
    const delivered = await receiver.waitFor(folder.folder_id, ids, timeoutMs);
    finished = ids.map((id) => delivered.analyses!.find((a) => a.analysis_id === id)!);
    for (const a of finished) emit({ type: 'state', analysis_id: analysisId(a), analysis_type: a.type, state: a.state, resolution_status: a.resolution_status });
  } else {
    const poll = typeof options.wait === 'object' && 'poll' in options.wait ? options.wait.poll : {};
    finished = await pollAnalyses(client, started, deadline, poll, emit);
  }
  const after = await client.getFolder(folder.folder_id, true);
  const result: FlowResult = { folder: after, analyses: finished, resolution: after.system_resolution };
  emit({ type: 'done', result });
  return result;
}

/** Polls each analysis until it leaves PROCESSING, backing off, reporting every state change. */
export async function pollAnalyses(client: OzClient, analyses: Analysis[], deadline: number, poll: PollOptions, emit: (e: FlowEvent) => void): Promise<Analysis[]> {
  const latest = new Map(analyses.map((a) => [a.analysis_id, a]));
  const seen = new Map(analyses.map((a) => [a.analysis_id, `${a.state}/${a.resolution_status}`]));
  let interval = poll.intervalMs ?? 250;
  for (;;) {
    const pending = [...latest.values()].filter((a) => a.state === 'PROCESSING');
    if (!pending.length) return analyses.map((a) => latest.get(a.analysis_id)!);
    if (Date.now() >= deadline) throw new OzTimeoutError(`${pending.length} analysis(es) still PROCESSING at the timeout`, pending.map(analysisId));
    await sleep(Math.min(interval, Math.max(0, deadline - Date.now())));
    interval = Math.min(interval * (poll.factor ?? 1.5), poll.maxIntervalMs ?? 3000);
    for (const a of await Promise.all(pending.map((p) => client.getAnalysis(analysisId(p))))) {
      latest.set(a.analysis_id, a);
      const key = `${a.state}/${a.resolution_status}`;
      if (seen.get(a.analysis_id) !== key) {
        seen.set(a.analysis_id, key);
        emit({ type: 'state', analysis_id: analysisId(a), analysis_type: a.type, state: a.state, resolution_status: a.resolution_status });
      }
    }
  }
}

export interface WebhookReceiver {
  /** The URL to give the folder as resolution_endpoint. */
  readonly url: string;
  /** Resolves with the delivered folder once every named analysis has left PROCESSING in it. */
  waitFor(folderId: string, analysisIds: string[], timeoutMs: number): Promise<Folder>;
  close(): Promise<void>;
}

export interface WebhookReceiverOptions {
  port?: number;
  host?: string;
  /** The address the API can reach this receiver at, when it is not http://host:port/ (a tunnel, say). */
  publicUrl?: string;
  /** The company's webhook secret: deliveries whose X-Oz-Signature does not verify are refused. */
  secret?: string;
  /** Oldest X-Oz-Timestamp accepted, in seconds (default 300). */
  toleranceSeconds?: number;
}

/** Checks `v1=` + HMAC-SHA256 of `<timestamp>.<raw body>`, as the README's webhook section says. */
export function verifyWebhookSignature(secret: string, timestamp: string, rawBody: string, signature: string): boolean {
  const expected = Buffer.from('v1=' + createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex'));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** A small HTTP server receiving the folder webhooks of runFolderFlow. */
export async function createWebhookReceiver(options: WebhookReceiverOptions = {}): Promise<WebhookReceiver> {
  const folders = new Map<string, Folder[]>();
  const waiters = new Set<() => void>();
  const tolerance = options.toleranceSeconds ?? 300;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      if (options.secret) {
        const ts = String(req.headers['x-oz-timestamp'] ?? '');
        const sig = String(req.headers['x-oz-signature'] ?? '');
        if (!verifyWebhookSignature(options.secret, ts, raw, sig) || Math.abs(Date.now() / 1000 - Number(ts)) > tolerance) {
          res.writeHead(401).end('bad signature');
          return;
        }
      }
      let folder: Folder;
      try {
        folder = JSON.parse(raw) as Folder;
      } catch {
        res.writeHead(400).end('not JSON');
        return;
      }
      folders.set(folder.folder_id, [...(folders.get(folder.folder_id) ?? []), folder]);
      res.writeHead(204).end();
      for (const w of waiters) w();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const url = options.publicUrl ?? `http://${address.address.includes(':') ? `[${address.address}]` : address.address}:${address.port}/oz-webhook`;
  return {
    url,
    waitFor(folderId, analysisIds, timeoutMs) {
      const complete = () =>
        (folders.get(folderId) ?? []).find((f) =>
          analysisIds.every((id) => f.analyses?.some((a) => a.analysis_id === id && a.state !== 'PROCESSING')),
        );
      return new Promise<Folder>((resolve, reject) => {
        const check = () => {
          const found = complete();
          if (!found) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new OzTimeoutError(`No webhook for folder ${folderId} reported every analysis done within ${timeoutMs} ms`, analysisIds));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
