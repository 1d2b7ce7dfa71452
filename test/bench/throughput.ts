// End-to-end liveness throughput on the local runtime: N folders with one selfie video each, all
// analyses started at once, timed until every one has left PROCESSING (upload excluded).
import { OzClient, startRuntime } from '../support/local';

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

export async function measureThroughput(video: Buffer, workers: number, analyses: number, log: (line: string) => void): Promise<ThroughputResult> {
  const runtime = await startRuntime({ workerConcurrency: workers });
  try {
    const admin = new OzClient(runtime.url);
    await admin.login('admin@e2e.test', 'e2e-admin-password');
    const company = (await admin.request('POST', '/api/companies', { json: { name: 'Bench' } })).body.company_id;
    await admin.request('POST', '/api/users', { json: { credentials: { email: 'bench@bench.test', password: 'bench-password' }, profile: { company_id: company, user_type: 'CLIENT' } } });
    const client = new OzClient(runtime.url);
    await client.login('bench@bench.test', 'bench-password');
    const folders: string[] = [];
    for (let i = 0; i < analyses; i++) {
      const res = await client.upload('/api/folders', [{ field: 'video1', name: 'selfie.mp4', bytes: video }], { 'media:tags': { video1: ['video_selfie', 'video_selfie_blank'] } });
      if (res.status !== 201) throw new Error(`upload failed: ${res.text}`);
      folders.push(res.body.folder_id);
    }
    log(`  ${workers} worker(s): ${analyses} folders uploaded, starting the analyses`);
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
