// Posting to customer URLs without becoming a way into our network: only http(s), every address
// the host resolves to must be public (checked after DNS resolution and again on every redirect),
// and the connection goes to the address that was checked, so DNS rebinding cannot swap it.
import * as dns from 'node:dns/promises';
import * as http from 'node:http';
import * as https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { addressVerdict, urlVerdict } from '../../layers/core/webhook-urls';

// The address rules live in the core: a resolution_endpoint is judged by them when it is given too.
export { addressVerdict };

export class WebhookRefusedError extends Error {
  override name = 'WebhookRefusedError';
}
export class WebhookRetryableError extends Error {
  override name = 'WebhookRetryableError';
}

async function resolveChecked(url: URL, allowPrivate: boolean): Promise<{ address: string; family: number }> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new WebhookRefusedError(`only http and https URLs are called, not ${url.protocol}`);
  if (url.username || url.password) throw new WebhookRefusedError('URLs with credentials are not called');
  const early = urlVerdict(url.toString(), allowPrivate);
  if (early) throw new WebhookRefusedError(`refused ${url.hostname}: ${early}`);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: { address: string; family: number }[];
  if (isIP(host)) addresses = [{ address: host, family: isIP(host) }];
  else {
    try {
      addresses = await dns.lookup(host, { all: true, verbatim: true });
    } catch (err) {
      throw new WebhookRetryableError(`cannot resolve ${host}: ${(err as Error).message}`);
    }
  }
  if (addresses.length === 0) throw new WebhookRetryableError(`${host} resolves to no address`);
  for (const a of addresses) {
    const why = addressVerdict(a.address, allowPrivate);
    if (why) throw new WebhookRefusedError(`refused ${host}: ${why}`);
  }
  return addresses[0]!;
}

export interface PostResult {
  status: number;
  excerpt: string;
  url: string;
}

export interface PostOptions {
  timeoutMs: number;
  allowPrivate: boolean;
  maxRedirects?: number;
  excerptBytes?: number;
}

function postOnce(url: URL, pinned: { address: string; family: number }, body: string, headers: Record<string, string>, opts: PostOptions): Promise<{ status: number; excerpt: string; location?: string }> {
  const lookup: LookupFunction = (_hostname, options, callback) => {
    if ((options as { all?: boolean }).all) (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [pinned]);
    else callback(null, pinned.address, pinned.family);
  };
  const client = url.protocol === 'https:' ? https : http;
  const limit = opts.excerptBytes ?? 512;
  return new Promise((resolve, reject) => {
    const req = client.request(
      url,
      { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, lookup, timeout: opts.timeoutMs, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          if (size < limit) chunks.push(chunk.subarray(0, limit - size));
          size += chunk.length;
          if (size >= limit) res.destroy(); // the excerpt is all we keep
        });
        const done = () => resolve({ status: res.statusCode ?? 0, excerpt: Buffer.concat(chunks).toString('utf8'), location: res.headers.location });
        res.on('end', done);
        res.on('close', done);
        res.on('error', done);
      },
    );
    const timer = setTimeout(() => req.destroy(new WebhookRetryableError(`no answer within ${opts.timeoutMs} ms`)), opts.timeoutMs);
    req.on('timeout', () => req.destroy(new WebhookRetryableError(`no answer within ${opts.timeoutMs} ms`)));
    req.on('error', (err) => reject(err instanceof WebhookRetryableError ? err : new WebhookRetryableError(`${url.host}: ${err.message}`)));
    req.on('close', () => clearTimeout(timer));
    req.end(body);
  });
}

/** POSTs `body`; follows up to `maxRedirects` redirects, checking every hop. Throws the typed errors above. */
export async function safePost(rawUrl: string, body: string, headers: Record<string, string>, opts: PostOptions): Promise<PostResult> {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new WebhookRefusedError(`not a URL: ${rawUrl.slice(0, 200)}`);
  }
  for (let hop = 0; ; hop++) {
    const pinned = await resolveChecked(url, opts.allowPrivate);
    const res = await postOnce(url, pinned, body, headers, opts);
    if (res.status >= 300 && res.status < 400 && res.location) {
      if (hop >= (opts.maxRedirects ?? 3)) throw new WebhookRetryableError(`too many redirects (last to ${res.location.slice(0, 200)})`);
      url = new URL(res.location, url);
      continue;
    }
    return { status: res.status, excerpt: res.excerpt, url: url.toString() };
  }
}
