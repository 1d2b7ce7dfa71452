// End-to-end liveness throughput on the local runtime: N folders with one selfie video each, all
// analyses started at once, timed until every one has left PROCESSING (upload excluded).
import { ADMIN, OzClient, startRuntime } from '../support/local';

export interface ThroughputResult {
  workers: number;
  analyses: number;
  finished: number;
  failed: number;
  seconds: number;
  perMinute: number;
  latencyMedianS: number;
  latencyP95S: number;
}

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
};

/** A CLIENT of a fresh company on a freshly started runtime. */
async function benchClient(url: string): Promise<OzClient> {
  const admin = new OzClient(url);
  await admin.login(ADMIN.email, ADMIN.password);
  const company = (await admin.request('POST', '/api/companies', { json: { name: 'Bench' } })).body.company_id;
  await admin.request('POST', '/api/users', { json: { credentials: { email: 'bench@bench.test', password: 'bench-password-1' }, profile: { company_id: company, user_type: 'CLIENT' } } });
  const client = new OzClient(url);
  await client.login('bench@bench.test', 'bench-password-1');
  return client;
}

export async function measureThroughput(video: Buffer, workers: number, analyses: number, log: (line: string) => void): Promise<ThroughputResult> {
  const runtime = await startRuntime({ workerConcurrency: workers });
  try {
    const client = await benchClient(runtime.url);
    const folders: string[] = [];
    for (let i = 0; i < analyses; i++) {
      const res = await client.upload('/api/folders', [{ field: 'video1', name: 'selfie.mp4', bytes: video }], { 'media:tags': { video1: ['video_selfie', 'video_selfie_blank'] } });
      if (res.status !== 201) throw new Error(`upload failed: ${res.text}`);
      folders.push(res.body.folder_id);
    }
    // Warm every worker process first (module load, model sessions), as a deployed worker is after its first call.
    const warm = await Promise.all(
      Array.from({ length: workers }, async () => {
        const res = await client.upload('/api/folders', [{ field: 'video1', name: 'warm.mp4', bytes: video }], { 'media:tags': { video1: ['video_selfie'] } });
        return (await client.request('POST', `/api/folders/${res.body.folder_id}/analyses`, { json: { analyses: [{ type: 'quality' }] } })).body[0].analysis_id as string;
      }),
    );
    await Promise.all(warm.map((id) => client.waitForAnalysis(id, 120_000)));
    log(`  ${workers} worker(s): ${analyses} folders uploaded, workers warm, starting the analyses`);
    const started = Date.now();
    const ids = await Promise.all(
      folders.map(async (f) => {
        const res = await client.request('POST', `/api/folders/${f}/analyses`, { json: { analyses: [{ type: 'quality' }] } });
        return res.body[0].analysis_id as string;
      }),
    );
    const latencies: number[] = [];
    const outcomes = await Promise.all(
      ids.map(async (id) => {
        // Clients poll about once a second; faster polling would measure the poll load, not the pipeline.
        const done = await client.waitForAnalysis(id, 600_000, 1000);
        latencies.push(done.time_updated - done.time_created);
        return done.state as string;
      }),
    );
    const seconds = (Date.now() - started) / 1000;
    return {
      workers,
      analyses,
      finished: outcomes.filter((s) => s === 'FINISHED').length,
      failed: outcomes.filter((s) => s === 'FAILED').length,
      seconds,
      perMinute: (analyses / seconds) * 60,
      latencyMedianS: quantile(latencies, 0.5),
      latencyP95S: quantile(latencies, 0.95),
    };
  } finally {
    await runtime.stop();
  }
}

/** Upload to webhook received, one folder at a time (a client's view of a single verification). */
export async function measureWebhookLatency(video: Buffer, count: number): Promise<{ medianS: number; p95S: number; count: number }> {
  const { startReceiver } = await import('../support/receiver');
  const received = new Map<string, number>();
  const receiver = await startReceiver({ '/hook': () => ({ status: 200 }) });
  const previous = process.env.OZ_WEBHOOK_ALLOW_PRIVATE;
  process.env.OZ_WEBHOOK_ALLOW_PRIVATE = 'true'; // the receiver is on loopback
  const runtime = await startRuntime({ workerConcurrency: 2 });
  try {
    const client = await benchClient(runtime.url);
    const latencies: number[] = [];
    for (let i = 0; i < count; i++) {
      const t0 = Date.now();
      const folder = await client.upload('/api/folders', [{ field: 'video1', name: 'selfie.mp4', bytes: video }], { 'media:tags': { video1: ['video_selfie', 'video_selfie_blank'] }, resolution_endpoint: `${receiver.base}/hook` });
      const folderId = folder.body.folder_id as string;
      await client.request('POST', `/api/folders/${folderId}/analyses`, { json: { analyses: [{ type: 'quality' }] } });
      for (;;) {
        const hit = receiver.received.find((r) => r.body.includes(folderId));
        if (hit) {
          received.set(folderId, hit.at);
          latencies.push((hit.at - t0) / 1000);
          break;
        }
        await new Promise((r) => setTimeout(r, 10));
      }
    }
    return { medianS: quantile(latencies, 0.5), p95S: quantile(latencies, 0.95), count };
  } finally {
    await runtime.stop();
    await receiver.stop();
    if (previous === undefined) delete process.env.OZ_WEBHOOK_ALLOW_PRIVATE;
    else process.env.OZ_WEBHOOK_ALLOW_PRIVATE = previous;
  }
}

/** Synchronous inference (Instant API, one 5 s video and a quality analysis per request) at 1, 2 and 4 concurrent clients. */
export async function measureSynchronous(video: Buffer, perClient: number, log: (line: string) => void): Promise<{ clients: number; perMinute: number; medianS: number }[]> {
  const runtime = await startRuntime({ workerConcurrency: 1 });
  try {
    const client = await benchClient(runtime.url);
    const payload = { 'media:tags': { video1: ['video_selfie', 'video_selfie_blank'] }, analyses: [{ type: 'quality' }] };
    const once = async () => {
      const t = Date.now();
      const res = await client.upload('/api/instant/folders', [{ field: 'video1', name: 'selfie.mp4', bytes: video }], payload);
      if (res.status !== 200) throw new Error(`instant answered ${res.status}: ${res.text.slice(0, 200)}`);
      return (Date.now() - t) / 1000;
    };
    await once(); // warm the models
    const results = [];
    for (const clients of [1, 2, 4]) {
      const started = Date.now();
      const latencies = (await Promise.all(Array.from({ length: clients }, async () => {
        const own: number[] = [];
        for (let i = 0; i < perClient; i++) own.push(await once());
        return own;
      }))).flat();
      const perMinute = (latencies.length / ((Date.now() - started) / 1000)) * 60;
      results.push({ clients, perMinute, medianS: quantile(latencies, 0.5) });
      log(`  Instant API, ${clients} concurrent client(s): ${perMinute.toFixed(0)} requests/min, median ${quantile(latencies, 0.5).toFixed(2)} s per request`);
    }
    return results;
  } finally {
    await runtime.stop();
  }
}
