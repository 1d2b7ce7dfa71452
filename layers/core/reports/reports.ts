// Report templates, their attachments, and folder reports (PDF) under the access matrix's
// REPORT_TEMPLATE, REPORT_TEMPLATE_ATTACHMENT and REPORT rows. Reports are files of the folder:
// PI clearing and retention delete them with its media (clearFolderReports).
import { createHash } from 'node:crypto';
import type { Caller } from '../auth';
import type { CoreDeps } from '../deps';
import { SYSTEM_COMPANY_ID, type Media } from '../entities';
import { ApiError, ErrorCode, badStructure, badType, badValue, forbidden, notFound } from '../errors';
import { folderTarget, loadFolder, type UploadedPart } from '../folders';
import { check, listScope } from '../permissions';
import { BlobNotFoundError, MediaRejectedError, type MediaInspector } from '../ports';
import { recordAudit } from '../audit';
import type { FolderAggregate } from '../ports/folders';
import { buildReportDocument, formatTime, MAX_REPORT_IMAGES, type ReportImages } from './document';
import type { Report, ReportRenderer } from '../ports/reports';
import {
  ATTACHMENT_KINDS,
  BUILTIN_TEMPLATES,
  DEFAULT_TEMPLATE_ID,
  ReportTemplateContent,
  ReportTemplatePatch,
  builtinTemplate,
  type AttachmentKind,
  type ReportTemplate,
  type ReportTemplateAttachment,
} from './template';

export const MAX_ATTACHMENT_BYTES = 2 * 1024 * 1024;
export const MAX_ATTACHMENT_SIDE = 4096;
export const MAX_ATTACHMENTS_PER_TEMPLATE = 10;
const ATTACHMENT_MIMES = new Set(['image/jpeg', 'image/png', 'image/webp']);

const reportsKey = (companyId: string, folderId: string, reportId: string, fileName: string) => `${companyId}/${folderId}/reports/${reportId}/${fileName}`;
const attachmentKey = (companyId: string, templateId: string, attachmentId: string) => `${companyId}/report-templates/${templateId}/${attachmentId}`;
const presign = (deps: Pick<CoreDeps, 'blobs' | 'config'>, key: string) => deps.blobs.presignGet(key, deps.config.presignTtlSeconds);
/** "report_<folder_id>_<UTC time>.pdf" (changelog 4.0.8: the name contains folder_id). */
export const reportFileName = (folderId: string, at: number) =>
  `report_${folderId}_${new Date(at * 1000).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}.pdf`;

// ---- templates -------------------------------------------------------------------------------

const templateView = (t: ReportTemplate) => t;

async function loadTemplate(deps: Pick<CoreDeps, 'reports'>, caller: Caller, templateId: string): Promise<ReportTemplate> {
  const builtin = builtinTemplate(templateId);
  if (builtin) return builtin;
  const template = await deps.reports.getTemplate(templateId);
  if (!template) throw notFound('Report template');
  check(caller.user, 'REPORT_TEMPLATE', 'read', { company_id: template.company_id }, 'Report template');
  return template;
}

/** Built-in templates are shared by every company and never change: copy one to adapt it. */
function refuseBuiltin(template: ReportTemplate, action: string) {
  if (template.is_builtin) throw forbidden(`Built-in report templates are read-only: ${action} a copy instead (POST /api/report_templates with its fields)`);
}

function parseContent<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } } }, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
  throw badValue(`Invalid report template: ${issues.map((i) => `${i.path || '(body)'}: ${i.message}`).join('; ')}`, issues);
}

/** The attachments a template points at must be its own, of the right kind. */
async function checkAttachmentRefs(deps: Pick<CoreDeps, 'reports'>, template: Pick<ReportTemplate, 'report_template_id' | 'logo_attachment_id' | 'header_attachment_id'>) {
  const wanted = (['logo', 'header'] as const).filter((k) => template[`${k}_attachment_id`] !== null);
  if (!wanted.length) return;
  const attachments = await deps.reports.listAttachments(template.report_template_id);
  for (const kind of wanted) {
    const id = template[`${kind}_attachment_id`];
    if (!attachments.some((a) => a.attachment_id === id && a.kind === kind)) {
      throw badValue(`${kind}_attachment_id ${id} is not a ${kind} attachment of this template: upload it first (POST .../attachments)`);
    }
  }
}

export async function createReportTemplate(deps: Pick<CoreDeps, 'identity' | 'reports' | 'clock' | 'ids'>, caller: Caller, body: unknown): Promise<ReportTemplate> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw badStructure('The body must be a report template object');
  const { company_id: companyIn, ...rest } = body as Record<string, unknown>;
  if (companyIn !== undefined && typeof companyIn !== 'string') throw badType('company_id must be a string');
  const companyId = (companyIn as string | undefined) ?? caller.user.company_id;
  check(caller.user, 'REPORT_TEMPLATE', 'create', { company_id: companyId }, 'Company');
  if (companyId !== SYSTEM_COMPANY_ID && !(await deps.identity.getCompany(companyId))) throw notFound('Company');
  // A new template has no attachments yet: they are uploaded to it, then chosen by PATCH (or by the upload itself).
  const content = parseContent(ReportTemplateContent, { ...rest, logo_attachment_id: null, header_attachment_id: null });
  const now = deps.clock.now();
  const template: ReportTemplate = {
    ...content,
    report_template_id: deps.ids.uuid(),
    company_id: companyId,
    user_id: caller.user.user_id,
    is_builtin: false,
    time_created: now,
    time_updated: now,
  };
  await deps.reports.putTemplate(template);
  return templateView(template);
}

export async function listReportTemplates(deps: Pick<CoreDeps, 'reports'>, caller: Caller): Promise<ReportTemplate[]> {
  const scope = listScope(caller.user, 'REPORT_TEMPLATE');
  if (!scope) return [];
  return [...BUILTIN_TEMPLATES, ...(await deps.reports.listTemplates(scope.company_id))].map(templateView);
}

export async function getReportTemplate(deps: Pick<CoreDeps, 'reports'>, caller: Caller, templateId: string) {
  return templateView(await loadTemplate(deps, caller, templateId));
}

export async function patchReportTemplate(deps: Pick<CoreDeps, 'reports' | 'clock'>, caller: Caller, templateId: string, body: unknown): Promise<ReportTemplate> {
  const template = await loadTemplate(deps, caller, templateId);
  refuseBuiltin(template, 'change');
  check(caller.user, 'REPORT_TEMPLATE', 'update', { company_id: template.company_id }, 'Report template');
  const patch = parseContent(ReportTemplatePatch, body);
  const { report_template_id, company_id, user_id, is_builtin, time_created, time_updated: _t, ...content } = template;
  const merged = parseContent(ReportTemplateContent, { ...content, ...patch });
  await checkAttachmentRefs(deps, { report_template_id, ...merged });
  const updated: ReportTemplate = { ...merged, report_template_id, company_id, user_id, is_builtin, time_created, time_updated: deps.clock.now() };
  await deps.reports.putTemplate(updated);
  return templateView(updated);
}

export async function deleteReportTemplate(deps: Pick<CoreDeps, 'reports' | 'blobs'>, caller: Caller, templateId: string): Promise<void> {
  const template = await loadTemplate(deps, caller, templateId);
  refuseBuiltin(template, 'delete');
  check(caller.user, 'REPORT_TEMPLATE', 'delete', { company_id: template.company_id }, 'Report template');
  const attachments = await deps.reports.deleteTemplate(template);
  await Promise.all(attachments.map((a) => deps.blobs.delete(a.blob_key)));
}

// ---- attachments -----------------------------------------------------------------------------

async function attachmentView(deps: Pick<CoreDeps, 'blobs' | 'config'>, a: ReportTemplateAttachment) {
  const { blob_key, ...rest } = a;
  return { ...rest, url: await presign(deps, blob_key) };
}

/**
 * One image per request (a logo or a header picture): JPEG, PNG or WebP, at most 2 MB and 4096 px a
 * side. Its kind comes from payload {"kind"} or from the part's field name ("logo", "header"). A
 * template without an image of that kind starts using it at once.
 */
export async function addReportTemplateAttachment(deps: Pick<CoreDeps, 'reports' | 'blobs' | 'clock' | 'ids' | 'config'>, inspector: MediaInspector, caller: Caller, templateId: string, parts: UploadedPart[], payload: unknown) {
  const template = await loadTemplate(deps, caller, templateId);
  refuseBuiltin(template, 'attach images to');
  check(caller.user, 'REPORT_TEMPLATE_ATTACHMENT', 'create', { company_id: template.company_id }, 'Report template');
  if (parts.length !== 1) throw badStructure(`Send exactly one image file per request (got ${parts.length})`);
  const part = parts[0]!;
  const kindIn = (payload as { kind?: unknown } | null)?.kind ?? part.field;
  if (!ATTACHMENT_KINDS.includes(kindIn as AttachmentKind)) throw badValue(`The attachment's kind must be one of ${ATTACHMENT_KINDS.join(', ')} (payload {"kind": ...} or the file's field name)`);
  const kind = kindIn as AttachmentKind;
  if (part.bytes.length > MAX_ATTACHMENT_BYTES) {
    throw new ApiError(413, ErrorCode.INVALID_VALUE, `The attachment is ${part.bytes.length} bytes: at most ${MAX_ATTACHMENT_BYTES / 1024 / 1024} MB`, { max_size: MAX_ATTACHMENT_BYTES });
  }
  let inspected;
  try {
    inspected = await inspector.inspect(part.bytes);
  } catch (err) {
    if (err instanceof MediaRejectedError) throw badType(`The attachment must be a JPEG, PNG or WebP image: ${err.message}`, { reason: err.reason });
    throw err;
  }
  if (inspected.kind !== 'image' || !ATTACHMENT_MIMES.has(inspected.mime)) throw badType(`The attachment must be a JPEG, PNG or WebP image, not ${inspected.mime}`);
  if ((inspected.width ?? 0) > MAX_ATTACHMENT_SIDE || (inspected.height ?? 0) > MAX_ATTACHMENT_SIDE) {
    throw badValue(`The attachment is ${inspected.width}x${inspected.height}: at most ${MAX_ATTACHMENT_SIDE} px a side`);
  }
  const existing = await deps.reports.listAttachments(templateId);
  if (existing.length >= MAX_ATTACHMENTS_PER_TEMPLATE) throw badValue(`A template holds at most ${MAX_ATTACHMENTS_PER_TEMPLATE} attachments: delete one first`);

  const attachment_id = deps.ids.uuid();
  const attachment: ReportTemplateAttachment = {
    attachment_id,
    report_template_id: templateId,
    company_id: template.company_id,
    kind,
    original_name: (part.filename ?? part.field).slice(0, 255),
    content_type: inspected.mime,
    size: part.bytes.length,
    width: inspected.width ?? 0,
    height: inspected.height ?? 0,
    time_created: deps.clock.now(),
    blob_key: attachmentKey(template.company_id, templateId, attachment_id),
  };
  await deps.blobs.put(attachment.blob_key, part.bytes, inspected.mime);
  if (!(await deps.reports.putAttachment(attachment))) {
    await deps.blobs.delete(attachment.blob_key);
    throw notFound('Report template');
  }
  if (template[`${kind}_attachment_id`] === null) {
    await deps.reports.putTemplate({ ...template, [`${kind}_attachment_id`]: attachment_id, time_updated: deps.clock.now() });
  }
  return attachmentView(deps, attachment);
}

export async function listReportTemplateAttachments(deps: Pick<CoreDeps, 'reports' | 'blobs' | 'config'>, caller: Caller, templateId: string) {
  const template = await loadTemplate(deps, caller, templateId);
  if (template.is_builtin) return [];
  check(caller.user, 'REPORT_TEMPLATE_ATTACHMENT', 'read', { company_id: template.company_id }, 'Report template');
  return Promise.all((await deps.reports.listAttachments(templateId)).map((a) => attachmentView(deps, a)));
}

export async function deleteReportTemplateAttachment(deps: Pick<CoreDeps, 'reports' | 'blobs' | 'clock'>, caller: Caller, templateId: string, attachmentId: string): Promise<void> {
  const template = await loadTemplate(deps, caller, templateId);
  refuseBuiltin(template, 'change');
  check(caller.user, 'REPORT_TEMPLATE_ATTACHMENT', 'delete', { company_id: template.company_id }, 'Report template');
  const removed = await deps.reports.deleteAttachment(templateId, attachmentId);
  if (!removed) throw notFound('Attachment');
  await deps.blobs.delete(removed.blob_key);
  const slot = (['logo', 'header'] as const).find((k) => template[`${k}_attachment_id`] === attachmentId);
  if (slot) await deps.reports.putTemplate({ ...template, [`${slot}_attachment_id`]: null, time_updated: deps.clock.now() });
}

// ---- reports ---------------------------------------------------------------------------------

export async function reportView(deps: Pick<CoreDeps, 'blobs' | 'config'>, report: Report) {
  const { blob_key, ...rest } = report;
  return { ...rest, file_url: await presign(deps, blob_key), url_expires_in: deps.config.presignTtlSeconds };
}

/** Bytes of a blob, or null when it is gone (a cleared media, a deleted person photo): the report says less, it does not fail. */
async function bytesOrNull(deps: Pick<CoreDeps, 'blobs'>, key: string): Promise<Buffer | null> {
  if (!key) return null;
  try {
    return await deps.blobs.get(key);
  } catch (err) {
    if (err instanceof BlobNotFoundError) return null;
    throw err;
  }
}

/** The pictures a report of this folder may print, fetched a few at a time and bounded in number. */
async function reportImages(deps: Pick<CoreDeps, 'collections' | 'reports' | 'blobs'>, agg: FolderAggregate, template: ReportTemplate): Promise<ReportImages> {
  const pictured = (m: Media) => m.media_type === 'IMAGE_FOLDER' || m.media_type === 'IMAGE_RESULT_ANALYSIS_SINGLE';
  const wanted = agg.media.filter(pictured).slice(0, MAX_REPORT_IMAGES * 2);
  const media = new Map<string, Buffer>();
  for (let i = 0; i < wanted.length; i += 8) {
    const batch = wanted.slice(i, i + 8);
    const got = await Promise.all(batch.map((m) => bytesOrNull(deps, m.blob_key)));
    batch.forEach((m, j) => got[j] && media.set(m.media_id, got[j]!));
  }
  const persons = new Map<string, Buffer>();
  if (template.sections.includes('collection_matches')) {
    const matches = agg.analyses.flatMap((a) => a.results_media.flatMap((r) => r.collection_persons)).slice(0, MAX_REPORT_IMAGES);
    for (const p of matches) {
      const [collectionId, personId, mediaId] = [p['collection_id'], p['person_id'], p['media_id']].map(String) as [string, string, string];
      const photo = (await deps.collections.listPersonImages(agg.folder.company_id, collectionId, personId)).find((i) => i.media_id === mediaId);
      const bytes = photo ? await bytesOrNull(deps, photo.blob_key) : null;
      if (bytes) persons.set(`${personId}#${mediaId}`, bytes);
    }
  }
  const attachment = async (id: string | null) => {
    if (!id || template.is_builtin) return null;
    const a = (await deps.reports.listAttachments(template.report_template_id)).find((x) => x.attachment_id === id);
    return a ? bytesOrNull(deps, a.blob_key) : null;
  };
  return { media, persons, logo: await attachment(template.logo_attachment_id), header: await attachment(template.header_attachment_id) };
}

/**
 * POST /api/folders/{folder_id}/reports {"report_template_id"?}: renders the folder as it is now
 * into a PDF, stores it beside the folder's files and answers the report with a short-lived URL.
 * The template must be readable by the caller (changelog 4.0.2) and belong to the folder's company
 * (or be built in).
 */
export async function generateReport(deps: Pick<CoreDeps, 'audit' | 'folders' | 'collections' | 'reports' | 'blobs' | 'clock' | 'ids' | 'config'>, renderer: ReportRenderer, caller: Caller, folderId: string, body: unknown) {
  const agg = await loadFolder(deps, caller, folderId, 'read');
  check(caller.user, 'REPORT', 'create', folderTarget(agg.folder), 'Folder');
  const requested = (body as { report_template_id?: unknown } | null)?.report_template_id;
  if (requested !== undefined && requested !== null && typeof requested !== 'string') throw badType('report_template_id must be a string');
  const template = await loadTemplate(deps, caller, (requested as string | null | undefined) ?? DEFAULT_TEMPLATE_ID);
  if (!template.is_builtin && template.company_id !== agg.folder.company_id) {
    throw badValue("This report template belongs to another company than the folder: use one of the folder's company or a built-in one");
  }
  const report_id = deps.ids.uuid();
  const generated_at = deps.clock.now();
  const document = buildReportDocument({ report_id, generated_at, agg, template, images: await reportImages(deps, agg, template), config: deps.config });
  const pdf = await renderer.render(document);
  const file_name = reportFileName(folderId, generated_at);
  const report: Report = {
    report_id,
    folder_id: folderId,
    company_id: agg.folder.company_id,
    user_id: caller.user.user_id,
    report_template_id: template.report_template_id,
    file_name,
    size: pdf.length,
    file_sha256: createHash('sha256').update(pdf).digest('hex'),
    content_sha256: document.footer.rows.at(-1)![1],
    time_created: generated_at,
    blob_key: reportsKey(agg.folder.company_id, folderId, report_id, file_name),
  };
  await deps.blobs.put(report.blob_key, pdf, 'application/pdf');
  await deps.reports.putReport(report);
  await recordAudit(deps, caller.user, {
    object_type: 'FOLDER',
    object_id: folderId,
    company_id: agg.folder.company_id,
    action: 'report_generated',
    changes: { report_id, report_template_id: template.report_template_id, generated: formatTime(generated_at) },
  });
  return reportView(deps, report);
}

export async function listFolderReports(deps: Pick<CoreDeps, 'folders' | 'reports' | 'blobs' | 'config'>, caller: Caller, folderId: string) {
  const agg = await loadFolder(deps, caller, folderId, 'read');
  check(caller.user, 'REPORT', 'read', folderTarget(agg.folder), 'Folder');
  const reports = await deps.reports.listFolderReports(agg.folder.company_id, folderId);
  return Promise.all(reports.map((r) => reportView(deps, r)));
}

/** A report the caller may read (through its folder); anything else is "not found". */
async function loadReport(deps: Pick<CoreDeps, 'folders' | 'reports'>, caller: Caller, reportId: string) {
  const report = await deps.reports.getReport(reportId);
  if (!report) throw notFound('Report');
  const agg = await loadFolder(deps, caller, report.folder_id, 'read').catch(() => {
    throw notFound('Report');
  });
  check(caller.user, 'REPORT', 'read', folderTarget(agg.folder), 'Report');
  return { report, agg };
}

export async function getReport(deps: Pick<CoreDeps, 'folders' | 'reports' | 'blobs' | 'config'>, caller: Caller, reportId: string) {
  return reportView(deps, (await loadReport(deps, caller, reportId)).report);
}

export async function deleteReport(deps: Pick<CoreDeps, 'audit' | 'folders' | 'reports' | 'blobs' | 'clock' | 'ids'>, caller: Caller, reportId: string): Promise<void> {
  const { report, agg } = await loadReport(deps, caller, reportId);
  check(caller.user, 'REPORT', 'delete', folderTarget(agg.folder), 'Report');
  await deps.blobs.delete(report.blob_key);
  await deps.reports.deleteReport(report);
  await recordAudit(deps, caller.user, { object_type: 'FOLDER', object_id: report.folder_id, company_id: report.company_id, action: 'report_deleted', changes: { report_id: reportId } });
}

/** PI clearing and retention: a folder's reports show its personal data, so they go with its files. */
export async function clearFolderReports(deps: Pick<CoreDeps, 'reports' | 'blobs'>, companyId: string, folderId: string): Promise<number> {
  const reports = await deps.reports.listFolderReports(companyId, folderId);
  for (const r of reports) {
    await deps.blobs.delete(r.blob_key);
    await deps.reports.deleteReport(r);
  }
  return reports.length;
}
