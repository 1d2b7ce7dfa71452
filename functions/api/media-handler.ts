// The container-image Lambda behind the upload endpoints: it can decode what it receives
// (sharp, ffprobe) so media types and info come from the bytes.
import { authenticate } from '../../layers/core/auth';
import { deleteAnalysis, parseAnalysesRequest } from '../../layers/core/analyses';
import { runGroupNow, runInstant } from '../../layers/core/synchronous';
import { reserveAnalyses } from '../../layers/core/metering';
import { uploadedParts } from '../../layers/core/uploads';
import { analyzers } from '../analyzers';
import { addMedia, createFolder, getFolder } from '../../layers/core/folders';
import { coreDeps, webhookStarter } from '../wiring';
import { mediaInspector, mediaSnapshotter, templateExtractor } from '../../layers/adapters/vision';
import { createMediaSnapshot, readMediaSnapshot } from '../../layers/core/snapshots';
import { addPersonImages, createPerson, deleteCollection, deletePerson, deletePersonImage } from '../../layers/core/collections';
import { deleteFolderPersonalInfo } from '../../layers/core/privacy';
import { addReportTemplateAttachment, deleteReport, deleteReportTemplate, deleteReportTemplateAttachment, generateReport } from '../../layers/core/reports/reports';
import { PdfReportRenderer } from '../../layers/report/pdf';
import { deleteFolder, deleteMedia } from '../../layers/core/deletion';
import { json, jsonBody, uploadBody, type Request } from './http';
import { createRouter, type Operation } from './router';
import type { RouteKey } from './route-table';
import { invocationDeadline, withInvocationDeadline } from '../invocation';

/**
 * OZ_SYNC_MARGIN_MS: a single request stops starting (or waiting for) analyses this long before the
 * function's timeout, hands the rest to the queue, and answers with them PROCESSING.
 */
const syncMarginMs = () => Number(process.env.OZ_SYNC_MARGIN_MS ?? '5000');
const syncDeadline = () => {
  const end = invocationDeadline();
  return end === undefined ? undefined : end - syncMarginMs();
};

const caller = (req: Request) => authenticate(coreDeps(), req.headers['x-forensic-access-token']);

export const operations: Partial<Record<RouteKey, Operation>> = {
  'POST /api/folders': async (req) => {
    const who = await caller(req);
    const deps = coreDeps();
    const { files: direct, payload } = uploadBody(req, { allowNoFiles: true });
    const uploaded = await uploadedParts(deps, who, payload);
    const files = [...direct, ...uploaded.parts];
    // Validate analyses in the payload before anything is stored.
    const analysesIn = (payload as { analyses?: unknown } | null)?.analyses;
    const requests = analysesIn !== undefined ? parseAnalysesRequest({ analyses: analysesIn }) : null;
    // The monthly quota is checked before the folder is stored: a rejected single request stores nothing.
    const release = requests ? await reserveAnalyses(deps, who.user.company_id, requests.length) : undefined;
    const created = await createFolder(deps, mediaInspector(), who, files, payload).catch(async (err: unknown) => {
      await release?.();
      throw err;
    });
    // Single request: the analyses run here and the answer holds their results.
    await Promise.allSettled(uploaded.keys.map((k) => deps.blobs.delete(k))); // now stored as media
    if (requests) await runGroupNow(deps, analyzers(), webhookStarter(), who, created.folder.folder_id, requests, release, syncDeadline());
    return json(201, await getFolder(deps, who, created.folder.folder_id, requests !== null));
  },
  'POST /api/instant/folders': async (req) => {
    // Authorization can be switched off for the Instant API (changelog 6.2.3); it is on by default.
    const who = process.env.OZ_AUTHORIZE_DISABLED_STATELESS === 'true' ? null : await caller(req);
    const { files, payload } = uploadBody(req);
    return json(200, await runInstant(coreDeps(), mediaInspector(), analyzers(), who, files, payload));
  },
  'POST /api/folders/{folder_id}/media': async (req) => {
    const who = await caller(req);
    const deps = coreDeps();
    const { files: direct, payload } = uploadBody(req, { allowNoFiles: true });
    const uploaded = await uploadedParts(deps, who, payload);
    const added = await addMedia(deps, mediaInspector(), who, req.params['folder_id']!, [...direct, ...uploaded.parts], payload);
    await Promise.allSettled(uploaded.keys.map((k) => deps.blobs.delete(k)));
    return json(201, added);
  },
  // Deletions run here too: this function's role may delete from the bucket, the zip API's may not.
  'DELETE /api/analyses/{analysis_id}': async (req) => {
    await deleteAnalysis(coreDeps(), await caller(req), req.params['analysis_id']!);
    return json(204, null);
  },
  'DELETE /api/collections/{collection_id}': async (req) => {
    await deleteCollection(coreDeps(), await caller(req), req.params['collection_id']!);
    return json(204, null);
  },
  'DELETE /api/collections/{collection_id}/persons/{person_id}': async (req) => {
    await deletePerson(coreDeps(), await caller(req), req.params['collection_id']!, req.params['person_id']!);
    return json(204, null);
  },
  'DELETE /api/collections/{collection_id}/persons/{person_id}/images/{media_id}': async (req) => {
    await deletePersonImage(coreDeps(), await caller(req), req.params['collection_id']!, req.params['person_id']!, req.params['media_id']!);
    return json(204, null);
  },
  'DELETE /api/folders/{folder_id}': async (req) => {
    await deleteFolder(coreDeps(), await caller(req), req.params['folder_id']!);
    return json(204, null);
  },
  'DELETE /api/media/{media_id}': async (req) => {
    await deleteMedia(coreDeps(), await caller(req), req.params['media_id']!);
    return json(204, null);
  },
  // A snapshot is decoded from the media's bytes: it runs where ffmpeg and sharp are.
  'GET /api/media/{media_id}/snapshot': async (req) => {
    const jpeg = await readMediaSnapshot(coreDeps(), mediaSnapshotter(), await caller(req), req.params['media_id']!);
    return { statusCode: 200, headers: { 'content-type': 'image/jpeg', 'cache-control': 'private, no-store' }, body: jpeg.toString('base64'), isBase64Encoded: true };
  },
  'POST /api/media/{media_id}/snapshot': async (req) =>
    json(201, await createMediaSnapshot(coreDeps(), mediaSnapshotter(), await caller(req), req.params['media_id']!, jsonBody(req, { required: false }), req.query)),
  'DELETE /api/folders/{folder_id}/pi': async (req) => json(200, await deleteFolderPersonalInfo(coreDeps(), await caller(req), req.params['folder_id']!)),
  'POST /api/folders/{folder_id}/delete_pi': async (req) => json(200, await deleteFolderPersonalInfo(coreDeps(), await caller(req), req.params['folder_id']!)),
  'POST /api/collections/{collection_id}/persons': async (req) => {
    const who = await caller(req);
    const { files, payload } = uploadBody(req);
    return json(201, await createPerson(coreDeps(), mediaInspector(), templateExtractor(), who, req.params['collection_id']!, files, payload));
  },
  'POST /api/collections/{collection_id}/persons/{person_id}/images': async (req) => {
    const who = await caller(req);
    const { files, payload } = uploadBody(req);
    return json(201, await addPersonImages(coreDeps(), mediaInspector(), templateExtractor(), who, req.params['collection_id']!, req.params['person_id']!, files, payload));
  },
  'DELETE /api/report_templates/{report_template_id}': async (req) => {
    await deleteReportTemplate(coreDeps(), await caller(req), req.params['report_template_id']!);
    return json(204, null);
  },
  'POST /api/report_templates/{report_template_id}/attachments': async (req) => {
    const who = await caller(req);
    const { files, payload } = uploadBody(req);
    return json(201, await addReportTemplateAttachment(coreDeps(), mediaInspector(), who, req.params['report_template_id']!, files, payload));
  },
  'DELETE /api/report_templates/{report_template_id}/attachments/{attachment_id}': async (req) => {
    await deleteReportTemplateAttachment(coreDeps(), await caller(req), req.params['report_template_id']!, req.params['attachment_id']!);
    return json(204, null);
  },
  'POST /api/folders/{folder_id}/reports': async (req) =>
    json(201, await generateReport(coreDeps(), reportRenderer, await caller(req), req.params['folder_id']!, jsonBody(req, { required: false }))),
  'DELETE /api/reports/{report_id}': async (req) => {
    await deleteReport(coreDeps(), await caller(req), req.params['report_id']!);
    return json(204, null);
  },
};

const reportRenderer = new PdfReportRenderer();

export const handler = withInvocationDeadline(createRouter('media', operations as Record<string, Operation>));
