/**
 * What a check costs on AWS, per 1,000 checks, beside Amazon Rekognition's published prices.
 *
 * Each kind of check (passive liveness on a 5 s 720p selfie video, a 5 s 720p head turn,
 * biometry of two photos, a 1:N search in a collection) runs on the local runtime the way a client
 * does it: one upload with a webhook (resolution_endpoint), one POST of the analysis, one GET of
 * the result once the webhook arrived. Every AWS SDK request the functions make is counted
 * (count-requests.cjs, in this process for the HTTP functions and preloaded into the worker
 * processes); SQS receives and deletes are those of the event source mapping (one each per
 * message, as batchSize 1 polls them), which the local poller makes in this process and which are
 * therefore counted from the messages sent, not from the poller's own idle polling.
 *
 * Lambda GB-seconds: the worker's measured time per analysis (time_task_received to
 * time_task_finished of the analysis record) and each HTTP call's measured time as the client saw
 * it (an upper bound of the function's duration), times the memory the synthesized stack gives the
 * function serving it. Step Functions: the state transitions of one successful webhook delivery,
 * walked on the synthesized state machine's definition. Not included: CloudWatch Logs, data
 * transfer, KMS, the webhook function's duration (one 256 MB invocation posting one request) and
 * cold starts (see the cold-start figures).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { ENTRY_METADATA_KEY } from '../../infra/stack';
import { synthTemplate, type CfnTemplate } from '../../infra/local/synth';
import { ROUTES } from '../../functions/api/route-table';
import { startReceiver } from '../support/receiver';
import { ADMIN, OzClient, startRuntime } from '../support/local';

/** AWS list prices, us-east-1, x86, on demand, beyond the free tiers. */
export const AWS_PRICES = {
  asOf: 'AWS pricing pages as of 2025-06 (us-east-1); check them before relying on the totals',
  lambdaGbSecond: 0.0000166667,
  lambdaRequest: 0.2 / 1e6,
  httpApiRequest: 1.0 / 1e6,
  sqsRequest: 0.4 / 1e6,
  dynamoWriteUnit: 0.625 / 1e6,
  dynamoReadUnit: 0.125 / 1e6,
  s3Write: 0.005 / 1e3,
  s3Read: 0.0004 / 1e3,
  sfnTransition: 0.025 / 1e3,
};

/** Amazon Rekognition's published per-check prices (first pricing tier, us-east-1). */
export const REKOGNITION_PRICES = {
  asOf: 'Amazon Rekognition pricing page as of 2025-06 (us-east-1, first tier)',
  /** Face Liveness, per check (Rekognition has no gesture check: its one liveness check is the comparison) */
  faceLiveness: 0.015,
  /** CompareFaces, Group 1 API: one image processed per comparison */
  compareFaces: 0.001,
  /** SearchFacesByImage, Group 1 API, per image (plus face metadata storage, $0.00001 per face a month) */
  searchFacesByImage: 0.001,
};

type Fn = 'api' | 'media' | 'worker';
const ENTRIES: Record<Fn, string> = {
  api: 'functions/api/handler.ts#handler',
  media: 'functions/api/media-handler.ts#handler',
  worker: 'functions/worker/handler.ts#handler',
};

/** MemorySize (MB) of each function, read from the synthesized template by its entry tag. */
export function functionMemory(template: CfnTemplate = synthTemplate()): Record<Fn, number> {
  const out = {} as Record<Fn, number>;
  for (const [fn, entry] of Object.entries(ENTRIES) as Array<[Fn, string]>) {
    const r = Object.values(template.Resources).find((x) => x.Type === 'AWS::Lambda::Function' && x.Metadata?.[ENTRY_METADATA_KEY] === entry);
    const mb = Number(r?.Properties?.['MemorySize']);
    if (!Number.isFinite(mb) || mb <= 0) throw new Error(`no MemorySize for ${entry} in the synthesized template`);
    out[fn] = mb;
  }
  return out;
}

/** State transitions of one successful webhook delivery: the states from StartAt along Next to the end. */
export function deliveryTransitions(template: CfnTemplate): number {
  const sm = Object.values(template.Resources).find((r) => r.Type === 'AWS::StepFunctions::StateMachine');
  const def = sm?.Properties?.['DefinitionString'];
  // the definition is a Fn::Join of strings and tokens; the tokens (ARNs) do not matter here
  const text = typeof def === 'string' ? def : JSON.stringify(def).replace(/\{"Fn::GetAtt":[^}]*\}|\{"Ref":"[^"]*"\}/g, '"x"');
  const joined = typeof def === 'string' ? text : (JSON.parse(text) as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1].map(String).join('');
  const asl = JSON.parse(joined) as { StartAt: string; States: Record<string, { Type: string; Next?: string; End?: boolean; Default?: string }> };
  let n = 0;
  for (let s: string | undefined = asl.StartAt; s && n < 100; ) {
    const st: { Type: string; Next?: string; End?: boolean; Default?: string } | undefined = asl.States[s];
    if (!st) break;
    n++;
    if (st.End || st.Type === 'Succeed' || st.Type === 'Fail') break;
    s = st.Next ?? st.Default;
  }
  return n;
}

function routeFn(method: string, url: string): Fn {
  const p = url.split('?')[0]!;
  const r = ROUTES.find((x) => x.method === method && new RegExp(`^${x.path.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(p));
  return r?.fn === 'media' ? 'media' : 'api';
}

interface CheckMeasure {
  name: string;
  calls: Array<{ fn: Fn; ms: number }>;
  workerMs: number;
  requests: Record<string, number>;
  webhooks: number;
}

/** Counts the lines of the request log by service and kind. */
function tally(lines: string[]): Record<string, number> {
  const t: Record<string, number> = { dynamoRead: 0, dynamoWrite: 0, s3Read: 0, s3Write: 0, sqsSend: 0, sqsOther: 0, sfnStart: 0, other: 0 };
  for (const line of lines) {
    const [client, command, itemsText] = line.split(' ');
    const items = Number(itemsText) || 1;
    const cmd = (command ?? '').replace(/Command$/, '');
    if (/DynamoDB/.test(client ?? '')) {
      if (/^(Get|BatchGet|Query|Scan|TransactGet)/.test(cmd)) t.dynamoRead! += items;
      else t.dynamoWrite! += items;
    } else if (/^S3/.test(client ?? '')) {
      if (/^(Get|Head|List)/.test(cmd)) t.s3Read! += 1;
      else t.s3Write! += 1;
    } else if (/^SQS/.test(client ?? '')) {
      if (/^SendMessage/.test(cmd)) t.sqsSend! += items;
      else if (!/^(ReceiveMessage|DeleteMessage|GetQueueAttributes)/.test(cmd)) t.sqsOther! += 1; // the poller's and the bench's own
    } else if (/^SFN/.test(client ?? '')) {
      if (/^StartExecution/.test(cmd)) t.sfnStart! += 1;
    } else t.other! += 1;
  }
  return t;
}

export interface CostBench {
  memoryMb: Record<Fn, number>;
  transitionsPerDelivery: number;
  checks: Array<CheckMeasure & { usdPer1000: number; lambdaUsdPer1000: number; rekognitionUsdPer1000: number }>;
}

export async function runCostBench(opts: { video: Buffer; gestureVideo: Buffer | null; photo: Buffer; photo2: Buffer; log: (s: string) => void }): Promise<CostBench> {
  const { log } = opts;
  const template = synthTemplate();
  const memoryMb = functionMemory(template);
  const transitions = deliveryTransitions(template);
  const logFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'oz-cost-')), 'requests.log');
  process.env.OZ_BENCH_REQUEST_LOG = logFile;
  // the HTTP functions run in this process
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('./count-requests.cjs');
  process.env.OZ_WEBHOOK_ALLOW_PRIVATE = 'true'; // the receiver is on loopback
  // The function processes (worker, ...) get their template's environment: the counter is preloaded
  // through each function's NODE_OPTIONS there (the template sets it: --enable-source-maps).
  const preload = `--require ${path.join(__dirname, 'count-requests.cjs')}`;
  const runtime = await startRuntime({
    workerConcurrency: 1,
    editTemplate: (t) => {
      for (const r of Object.values(t.Resources)) {
        const vars = (r.Properties?.['Environment'] as { Variables?: Record<string, unknown> } | undefined)?.Variables;
        if (r.Type === 'AWS::Lambda::Function' && vars) vars['NODE_OPTIONS'] = `${typeof vars['NODE_OPTIONS'] === 'string' ? vars['NODE_OPTIONS'] : ''} ${preload}`.trim();
      }
    },
  });
  const receiver = await startReceiver({ '/hook': () => ({ status: 200 }) });
  const received = receiver.received;
  try {
    const admin = new OzClient(runtime.url);
    await admin.login(ADMIN.email, ADMIN.password);
    const company = (await admin.request('POST', '/api/companies', { json: { name: 'Cost bench' } })).body.company_id as string;
    await admin.request('POST', '/api/users', { json: { credentials: { email: 'cost@bench.test', password: 'cost-bench-password-1' }, profile: { company_id: company, user_type: 'CLIENT_ADMIN' } } });
    const client = new OzClient(runtime.url);
    await client.login('cost@bench.test', 'cost-bench-password-1');
    const collection = (await client.request('POST', '/api/collections', { json: { alias: 'cost-bench', company_id: company } })).body.collection_id as string;
    for (const bytes of [opts.photo2, opts.photo]) {
      const res = await client.upload(`/api/collections/${collection}/persons`, [{ field: 'photo', name: 'person.jpg', bytes }]);
      if (res.status !== 201 && res.status !== 200) throw new Error(`adding a person failed: ${res.text}`);
    }

    const hook = `${receiver.base}/hook`;
    type Plan = { name: string; files: Array<{ field: string; name: string; bytes: Buffer; tags: string[] }>; analysis: Record<string, unknown> };
    const plans: Plan[] = [
      { name: 'passive liveness (5 s 720p video, best shot)', files: [{ field: 'v', name: 'selfie.mp4', bytes: opts.video, tags: ['video_selfie', 'video_selfie_blank'] }], analysis: { type: 'quality' } },
      {
        name: opts.gestureVideo ? 'gesture liveness (5 s 720p head turn, video_selfie_left)' : 'gesture liveness (the same video, video_selfie_left, not made)',
        files: [{ field: 'v', name: 'selfie.mp4', bytes: opts.gestureVideo ?? opts.video, tags: ['video_selfie', 'video_selfie_left'] }],
        analysis: { type: 'quality' },
      },
      {
        name: 'biometry (two 1280x720 photos)',
        files: [
          { field: 'a', name: 'a.jpg', bytes: opts.photo, tags: ['photo_selfie'] },
          { field: 'b', name: 'b.jpg', bytes: opts.photo2, tags: ['photo_id_front'] },
        ],
        analysis: { type: 'biometry' },
      },
      { name: '1:N search (one photo, a collection)', files: [{ field: 'a', name: 'a.jpg', bytes: opts.photo, tags: ['photo_selfie'] }], analysis: { type: 'collection', params: { collection_id: collection } } },
    ];

    const checks: CostBench['checks'] = [];
    for (const plan of plans) {
      const once = async (): Promise<CheckMeasure> => {
        const calls: CheckMeasure['calls'] = [];
        const timed = async <T>(method: string, url: string, fn: () => Promise<T>): Promise<T> => {
          const t = performance.now();
          const r = await fn();
          calls.push({ fn: routeFn(method, url), ms: performance.now() - t });
          return r;
        };
        fs.writeFileSync(logFile, '');
        const hooksBefore = received.length;
        const tags = Object.fromEntries(plan.files.map((f) => [f.field, f.tags]));
        const folder = await timed('POST', '/api/folders', () => client.upload('/api/folders', plan.files, { 'media:tags': tags, resolution_endpoint: hook }));
        if (folder.status !== 201) throw new Error(`upload failed: ${folder.text}`);
        const url = `/api/folders/${folder.body.folder_id as string}/analyses`;
        const started = await timed('POST', url, () => client.request('POST', url, { json: { analyses: [plan.analysis] } }));
        const id = started.body[0].analysis_id as string;
        const deadline = Date.now() + 120_000;
        while (received.length === hooksBefore && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
        const result = await timed('GET', `/api/analyses/${id}`, () => client.request('GET', `/api/analyses/${id}`));
        if (result.body.state === 'PROCESSING') throw new Error(`${plan.name}: no result within 120 s`);
        const a = result.body as { time_task_received: number | null; time_task_finished: number | null };
        const lines = fs.readFileSync(logFile, 'utf8').split('\n').filter(Boolean);
        return {
          name: plan.name,
          calls,
          workerMs: a.time_task_finished && a.time_task_received ? (a.time_task_finished - a.time_task_received) * 1000 : NaN,
          requests: tally(lines),
          webhooks: received.length - hooksBefore,
        };
      };
      await once(); // warm: the worker process, its model sessions, the API's caches
      const m = await once();
      const gbs = (ms: number, fn: Fn) => (Math.ceil(ms) / 1000) * (memoryMb[fn] / 1024);
      const lambdaUsd = (m.calls.reduce((s, c) => s + gbs(c.ms, c.fn), 0) + gbs(m.workerMs, 'worker')) * AWS_PRICES.lambdaGbSecond + (m.calls.length + 1) * AWS_PRICES.lambdaRequest;
      const r = m.requests;
      const messages = r.sqsSend!;
      const usd =
        lambdaUsd +
        m.calls.length * AWS_PRICES.httpApiRequest +
        (messages + 2 * messages + r.sqsOther!) * AWS_PRICES.sqsRequest +
        r.dynamoWrite! * AWS_PRICES.dynamoWriteUnit +
        r.dynamoRead! * AWS_PRICES.dynamoReadUnit +
        r.s3Write! * AWS_PRICES.s3Write +
        r.s3Read! * AWS_PRICES.s3Read +
        r.sfnStart! * transitions * AWS_PRICES.sfnTransition;
      const rekognition = plan.analysis.type === 'quality' ? REKOGNITION_PRICES.faceLiveness : plan.analysis.type === 'biometry' ? REKOGNITION_PRICES.compareFaces : REKOGNITION_PRICES.searchFacesByImage;
      checks.push({ ...m, usdPer1000: usd * 1000, lambdaUsdPer1000: lambdaUsd * 1000, rekognitionUsdPer1000: rekognition * 1000 });
    }

    log(`estimated AWS cost per 1,000 checks (${AWS_PRICES.asOf}), from one measured check of each kind on the local runtime (load ${os.loadavg()[0]!.toFixed(2)}):`);
    log(`  memory from the synthesized stack: worker ${memoryMb.worker} MB, media (uploads) ${memoryMb.media} MB, API ${memoryMb.api} MB; a webhook delivery = ${transitions} Step Functions transitions`);
    log(`  prices: Lambda $${AWS_PRICES.lambdaGbSecond} per GB-s + $0.20 per million requests, HTTP API $1.00 per million, SQS $0.40 per million requests, DynamoDB on demand $0.625 per million writes / $0.125 per million reads, S3 $0.005 per 1,000 writes / $0.0004 per 1,000 reads, Step Functions $0.025 per 1,000 transitions`);
    log('  | check | worker s | HTTP calls (s) | DynamoDB writes/reads | S3 writes/reads | SQS requests | SFN starts | Lambda $ | total $ per 1,000 | Rekognition $ per 1,000 | ratio |');
    for (const c of checks) {
      const r = c.requests;
      const callS = c.calls.reduce((s, x) => s + x.ms, 0) / 1000;
      log(
        `  | ${c.name} | ${(c.workerMs / 1000).toFixed(2)} | ${c.calls.length} (${callS.toFixed(2)}) | ${r.dynamoWrite}/${r.dynamoRead} | ${r.s3Write}/${r.s3Read} | ${3 * r.sqsSend! + r.sqsOther!} | ${r.sfnStart} | ${c.lambdaUsdPer1000.toFixed(4)} | ${c.usdPer1000.toFixed(4)} | ${c.rekognitionUsdPer1000.toFixed(2)} | ${(c.usdPer1000 / c.rekognitionUsdPer1000).toFixed(3)}x |`,
      );
    }
    log(`  Rekognition (${REKOGNITION_PRICES.asOf}): Face Liveness $${REKOGNITION_PRICES.faceLiveness} a check (also the comparison for gestures: it has no gesture check), CompareFaces $${REKOGNITION_PRICES.compareFaces} a comparison, SearchFacesByImage $${REKOGNITION_PRICES.searchFacesByImage} an image`);
    return { memoryMb, transitionsPerDelivery: transitions, checks };
  } finally {
    await receiver.stop();
    await runtime.stop();
    fs.rmSync(path.dirname(logFile), { recursive: true, force: true });
  }
}
