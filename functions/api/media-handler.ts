// The container-image Lambda behind the upload endpoints: it can decode what it receives
// (sharp, ffprobe) so media types and info come from the bytes.
import { analysisRequests, deleteAnalysis } from '../../layers/core/analyses';
import { runGroupNow, runInstant } from '../../layers/core/synchronous';
import { reserveAnalyses } from '../../layers/core/metering';
import { uploadedParts } from '../../layers/core/uploads';
import { analyzers } from '../analyzers';
import { addMedia, createFolder, getFolder } from '../../layers/core/folders';
import { webhookStarter } from '../wiring';
import { mediaInspector, mediaSnapshotter, templateExtractor } from '../../layers/adapters/vision';
import { createMediaSnapshot, readMediaSnapshot } from '../../layers/core/snapshots';
import { portLog } from '../observability';
import { addPersonImages, createPerson, deleteCollection, deletePerson, deletePersonImage } from '../../layers/core/collections';
import { deleteFolderPersonalInfo } from '../../layers/core/privacy';
import { addReportTemplateAttachment, deleteReport, deleteReportTemplate, deleteReportTemplateAttachment, generateReport } from '../../layers/core/reports/reports';
import { PdfReportRenderer } from '../../layers/report/pdf';
import { deleteFolder, deleteMedia } from '../../layers/core/deletion';
import { json, uploadBody } from './http';
import { httpHandler, type Operations } from './pipeline';
import { parseUploadPayload } from './schemas/validate';
import { invocationDeadline } from '../invocation';
import { appConfig } from '../config';
import { authenticate } from '../../layers/core/auth';

/**
 * OZ_SYNC_MARGIN_MS: a single request stops starting (or waiting for) analyses this long before the
 * function's timeout, hands the rest to the queue, and answers with them PROCESSING.
 */
const syncDeadline = () => {
  const end = invocationDeadline();
  return end === undefined ? undefined : end - appConfig().OZ_SYNC_MARGIN_MS;
};


export const operations: Operations<'media'> = {
  'POST /api/folders': async (input, who, deps) => {
    const { files: direct, payload: text } = uploadBody(input.request, { allowNoFiles: true });
    // Validated before anything is stored.
    const payload = parseUploadPayload(text);
    const uploaded = await uploadedParts(deps, who, payload);
    const files = [...direct, ...uploaded.parts];
    const requests = payload.analyses ? analysisRequests(payload.analyses) : null;
    // The monthly quota is checked before the folder is stored: a rejected single request stores nothing.
    const release = requests ? await reserveAnalyses(deps, who.user.company_id, requests.length) : undefined;
    const created = await createFolder(deps, mediaInspector(portLog), who, files, payload).catch(async (err: unknown) => {
      await release?.();
      throw err;
    });
    // Single request: the analyses run here and the answer holds their results.
    await Promise.allSettled(uploaded.keys.map((k) => deps.blobs.delete(k))); // now stored as media
    if (requests) await runGroupNow(deps, analyzers(), webhookStarter(), who, created.folder.folder_id, requests, release, syncDeadline());
    return json(201, await getFolder(deps, who, created.folder.folder_id, requests !== null));
  },
  // An open route in the table: authorization can be switched off for the Instant API (changelog
  // 6.2.3, OZ_AUTHORIZE_DISABLED_STATELESS); it is on by default.
  'POST /api/instant/folders': async (input, _open, deps) => {
    const who = appConfig().OZ_AUTHORIZE_DISABLED_STATELESS ? null : await authenticate(deps, input.request.headers['x-forensic-access-token']);
    const { files, payload } = uploadBody(input.request);
    return json(200, await runInstant(deps, mediaInspector(portLog), analyzers(), who, files, parseUploadPayload(payload)));
  },
  'POST /api/folders/{folder_id}/media': async (input, who, deps) => {
    const { files: direct, payload: text } = uploadBody(input.request, { allowNoFiles: true });
    const payload = parseUploadPayload(text);
    const uploaded = await uploadedParts(deps, who, payload);
    const added = await addMedia(deps, mediaInspector(portLog), who, input.params['folder_id']!, [...direct, ...uploaded.parts], payload);
    await Promise.allSettled(uploaded.keys.map((k) => deps.blobs.delete(k)));
    return json(201, added);
  },
  // Deletions run here too: this function's role may delete from the bucket, the zip API's may not.
  'DELETE /api/analyses/{analysis_id}': async (input, who, deps) => {
    await deleteAnalysis(deps, who, input.params['analysis_id']!);
    return json(204, null);
  },
  'DELETE /api/collections/{collection_id}': async (input, who, deps) => {
    await deleteCollection(deps, who, input.params['collection_id']!);
    return json(204, null);
  },
  'DELETE /api/collections/{collection_id}/persons/{person_id}': async (input, who, deps) => {
    await deletePerson(deps, who, input.params['collection_id']!, input.params['person_id']!);
    return json(204, null);
  },
  'DELETE /api/collections/{collection_id}/persons/{person_id}/images/{media_id}': async (input, who, deps) => {
    await deletePersonImage(deps, who, input.params['collection_id']!, input.params['person_id']!, input.params['media_id']!);
    return json(204, null);
  },
  'DELETE /api/folders/{folder_id}': async (input, who, deps) => {
    await deleteFolder(deps, who, input.params['folder_id']!);
    return json(204, null);
  },
  'DELETE /api/media/{media_id}': async (input, who, deps) => {
    await deleteMedia(deps, who, input.params['media_id']!);
    return json(204, null);
  },
  // A snapshot is decoded from the media's bytes: it runs where ffmpeg and sharp are.
  'GET /api/media/{media_id}/snapshot': async (input, who, deps) => {
    const jpeg = await readMediaSnapshot(deps, mediaSnapshotter(), who, input.params['media_id']!);
    return { statusCode: 200, headers: { 'content-type': 'image/jpeg', 'cache-control': 'private, no-store' }, body: jpeg.toString('base64'), isBase64Encoded: true };
  },
  'POST /api/media/{media_id}/snapshot': async (input, who, deps) =>
    // `time` in the body or, as some clients send it, the query.
    json(201, await createMediaSnapshot(deps, mediaSnapshotter(), who, input.params['media_id']!, input.body?.time ?? input.query.time)),
  'DELETE /api/folders/{folder_id}/pi': async (input, who, deps) => json(200, await deleteFolderPersonalInfo(deps, who, input.params['folder_id']!)),
  'POST /api/folders/{folder_id}/delete_pi': async (input, who, deps) => json(200, await deleteFolderPersonalInfo(deps, who, input.params['folder_id']!)),
  'POST /api/collections/{collection_id}/persons': async (input, who, deps) => {
    const { files, payload } = uploadBody(input.request);
    return json(201, await createPerson(deps, mediaInspector(portLog), templateExtractor(), who, input.params['collection_id']!, files, parseUploadPayload(payload)));
  },
  'POST /api/collections/{collection_id}/persons/{person_id}/images': async (input, who, deps) => {
    const { files, payload } = uploadBody(input.request);
    return json(201, await addPersonImages(deps, mediaInspector(portLog), templateExtractor(), who, input.params['collection_id']!, input.params['person_id']!, files, parseUploadPayload(payload)));
  },
  'DELETE /api/report_templates/{report_template_id}': async (input, who, deps) => {
    await deleteReportTemplate(deps, who, input.params['report_template_id']!);
    return json(204, null);
  },
  'POST /api/report_templates/{report_template_id}/attachments': async (input, who, deps) => {
    const { files, payload } = uploadBody(input.request);
    return json(201, await addReportTemplateAttachment(deps, mediaInspector(portLog), who, input.params['report_template_id']!, files, payload));
  },
  'DELETE /api/report_templates/{report_template_id}/attachments/{attachment_id}': async (input, who, deps) => {
    await deleteReportTemplateAttachment(deps, who, input.params['report_template_id']!, input.params['attachment_id']!);
    return json(204, null);
  },
  'POST /api/folders/{folder_id}/reports': async (input, who, deps) =>
    json(201, await generateReport(deps, reportRenderer(), who, input.params['folder_id']!, input.body)),
  'DELETE /api/reports/{report_id}': async (input, who, deps) => {
    await deleteReport(deps, who, input.params['report_id']!);
    return json(204, null);
  },
};

let renderer: PdfReportRenderer | undefined;
const reportRenderer = () => (renderer ??= new PdfReportRenderer({ ...(appConfig().OZ_REPORT_FONT_DIR ? { fontDir: appConfig().OZ_REPORT_FONT_DIR! } : {}) }));

export const handler = httpHandler('media', operations);
