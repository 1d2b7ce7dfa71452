// PDF report rendering: a folder of 10 analyses (liveness with best shots, biometry, collection
// matches with the persons' photos, an operator decision) built and rendered as the media
// function does it, timed over repeated runs. The baseline in the same run is the same document
// without pictures, so the figure shows what the images cost.
import * as fs from 'node:fs';
import * as os from 'node:os';
import sharp from 'sharp';
import { buildReportDocument, type ReportImages } from '../../layers/core/reports/document';
import { BUILTIN_TEMPLATES } from '../../layers/core/reports/template';
import { defaultConfig } from '../../layers/core/deps';
import type { Analysis, Folder, Media } from '../../layers/core/entities';
import type { FolderAggregate } from '../../layers/core/ports/folders';
import { PdfReportRenderer } from '../../layers/report/pdf';
import { sharedFile } from '../support/local';

const TARGET_MS = 2000;
const RUNS = 7;

/** A 1280x720 JPEG: a photo of ../shared/data when present, else a generated gradient of the same size. */
async function photo(seed: number): Promise<Buffer> {
  const file = sharedFile(seed % 2 ? 'faces/face_recognition/examples/obama.jpg' : 'faces/face_recognition/examples/biden.jpg');
  const input = file ? sharp(file) : sharp({ create: { width: 1280, height: 720, channels: 3, background: { r: 40 + seed * 20, g: 90, b: 140 } } });
  return input.resize(1280, 720, { fit: 'cover' }).jpeg({ quality: 90 }).toBuffer();
}

/** A folder like a busy real one: 2 selfies, 10 analyses of every kind with their outputs. */
export async function reportBenchFolder(): Promise<{ agg: FolderAggregate; images: ReportImages }> {
  const t = Date.now() / 1000 - 600;
  const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
  const folder: Folder = {
    folder_id: id(1), company_id: id(2), user_id: id(3), time_created: t, time_updated: t, resolution_endpoint: null, resolution_comment: '[]',
    resolution_time: null, resolution_author_id: null, resolution_state_hash: null, operator_comment: 'Checked against the passport photo', operator_status: 'reviewed',
    is_cleared: null, meta_data: { transaction_id: 'tx-2026-0042', channel: 'mobile', person: { iin: '900101300123', name: 'J. Doe' } }, technical_meta_data: {},
  };
  const media = (n: number, type: Media['media_type'], tags: string[], source?: string): Media => ({
    media_id: id(100 + n), folder_id: folder.folder_id, company_id: folder.company_id, folder_time_created: t, media_type: type, original_name: `m${n}.jpg`, tags,
    info: { thumb: null, original: { md5: 'x', width: 1280, height: 720, size: 1, 'mime-type': 'image/jpeg' } }, meta_data: {}, technical_meta_data: {},
    time_created: t, time_updated: t, blob_key: `k${n}`, ...(source ? { media_association_id: source } : {}),
  });
  const sources = [media(1, 'IMAGE_FOLDER', ['photo_selfie']), media(2, 'IMAGE_FOLDER', ['photo_id_front'])];
  const outputs: Media[] = [];
  const analyses: Analysis[] = [];
  const base = (n: number, type: Analysis['type']): Analysis => ({
    analysis_id: id(200 + n), group_id: id(300 + (n % 3)), folder_id: folder.folder_id, company_id: folder.company_id, folder_time_created: t, type, state: 'FINISHED',
    resolution: 'SUCCESS', resolution_operator: null, source_media: sources.map((m) => m.media_id), params: {}, results_data: null, results_media: [], meta_data: {},
    technical_meta_data: {}, error_code: null, error_message: null, time_created: t + n, time_updated: t + n + 1, time_task_send_to_broker: t + n, time_task_received: t + n,
    time_task_finished: t + n + 0.4, attempts: 1,
  });
  for (let n = 0; n < 10; n++) {
    const kind = n < 4 ? 'QUALITY' : n < 8 ? 'BIOMETRY' : 'COLLECTION';
    const a = base(n, kind);
    if (kind === 'QUALITY') {
      const shot = media(10 + n, 'IMAGE_RESULT_ANALYSIS_SINGLE', ['best_shot'], sources[0]!.media_id);
      outputs.push(shot);
      a.results_media = [{ source_media_id: sources[0]!.media_id, media_association_id: sources[0]!.media_id, results_data: { confidence_spoofing: 0.02 + n / 10 }, output_images: [shot.media_id], collection_persons: [] }];
      if (n === 3) a.resolution = 'DECLINED';
    } else if (kind === 'BIOMETRY') {
      a.results_data = { min_confidence: 0.8 + n / 100, max_confidence: 0.97 };
      if (n === 5) {
        a.resolution = 'OPERATOR_REQUIRED';
        a.resolution_operator = { resolution_status: 'SUCCESS', comment: 'Same person: scar matches the document', email: 'operator@bank.test', time: t + 300 };
      }
    } else {
      a.results_data = { max_confidence: 0.93 };
      a.results_media = [{ source_media_id: sources[0]!.media_id, media_association_id: sources[0]!.media_id, results_data: { max_confidence: 0.93 }, output_images: [], collection_persons: [{ person_id: id(400 + n), collection_id: id(500), media_id: id(600 + n), confidence: 0.93 }] }];
    }
    analyses.push(a);
  }
  const images: ReportImages = { media: new Map(), persons: new Map(), logo: null, header: null };
  for (const [i, m] of [...sources, ...outputs].entries()) images.media.set(m.media_id, await photo(i));
  for (const n of [8, 9]) images.persons.set(`${id(400 + n)}#${id(600 + n)}`, await photo(n));
  images.logo = await sharp({ create: { width: 400, height: 120, channels: 3, background: { r: 20, g: 60, b: 120 } } }).png().toBuffer();
  return { agg: { folder, media: [...sources, ...outputs], analyses }, images };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function runReportBench(opts: { log: (line: string) => void; outFile?: string }) {
  const { log } = opts;
  const { agg, images } = await reportBenchFolder();
  const renderer = new PdfReportRenderer();
  const template = BUILTIN_TEMPLATES[0]!;
  const once = async (withImages: boolean) => {
    const started = performance.now();
    const document = buildReportDocument({
      report_id: 'bench', generated_at: Date.now() / 1000, agg, template, config: defaultConfig,
      images: withImages ? images : { media: new Map(), persons: new Map(), logo: null, header: null },
    });
    const pdf = await renderer.render(document);
    return { ms: performance.now() - started, pdf };
  };
  await once(true); // fonts loaded, code warmed
  const full: number[] = [];
  const text: number[] = [];
  let pdf: Buffer = Buffer.alloc(0);
  for (let i = 0; i < RUNS; i++) {
    const r = await once(true);
    full.push(r.ms);
    pdf = r.pdf;
    text.push((await once(false)).ms);
  }
  if (opts.outFile) fs.writeFileSync(opts.outFile, pdf);
  const [load1] = os.loadavg();
  log(`PDF report of a 10-analysis folder (14 pictures of 1280x720, default template), ${RUNS} runs, load average ${load1!.toFixed(2)} on ${os.cpus().length} cores:`);
  log(`  with pictures: median ${median(full).toFixed(0)} ms, worst ${Math.max(...full).toFixed(0)} ms, ${(pdf.length / 1024).toFixed(0)} KB, ${(median(full) / TARGET_MS).toFixed(2)}x the 2 s target`);
  log(`  baseline without pictures, same run: median ${median(text).toFixed(0)} ms (pictures cost ${(median(full) / median(text)).toFixed(1)}x)`);
  return { medianMs: median(full), baselineMs: median(text), bytes: pdf.length };
}
