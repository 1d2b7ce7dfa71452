// The ports the report use cases need: their own narrow store, and a renderer that turns a
// ReportDocument into a PDF (layers/report does it with pdf-lib).
import type { ReportTemplate, ReportTemplateAttachment } from '../reports/template';
import type { ReportDocument } from '../reports/document';

export interface Report {
  report_id: string;
  folder_id: string;
  company_id: string;
  /** Who generated it. */
  user_id: string;
  report_template_id: string;
  file_name: string;
  size: number;
  /** SHA-256 of the PDF file as stored. */
  file_sha256: string;
  /** SHA-256 of the report's content (printed in its footer; see layers/core/reports/document.ts). */
  content_sha256: string;
  time_created: number;
  blob_key: string;
}

export interface ReportStore {
  putTemplate(template: ReportTemplate): Promise<void>;
  getTemplate(templateId: string): Promise<ReportTemplate | null>;
  /** A company's templates, or (null) every company's, oldest first. */
  listTemplates(companyId: string | null): Promise<ReportTemplate[]>;
  /** Deletes the template and its attachment records (returned, so their files can go too). */
  deleteTemplate(template: Pick<ReportTemplate, 'report_template_id' | 'company_id'>): Promise<ReportTemplateAttachment[]>;

  /** Adds an attachment; false when the template is gone (nothing written). */
  putAttachment(attachment: ReportTemplateAttachment): Promise<boolean>;
  listAttachments(templateId: string): Promise<ReportTemplateAttachment[]>;
  deleteAttachment(templateId: string, attachmentId: string): Promise<ReportTemplateAttachment | null>;

  putReport(report: Report): Promise<void>;
  getReport(reportId: string): Promise<Report | null>;
  /** A folder's reports, oldest first (strongly consistent: PI clearing must see every one). */
  listFolderReports(companyId: string, folderId: string): Promise<Report[]>;
  deleteReport(report: Pick<Report, 'report_id' | 'company_id' | 'folder_id'>): Promise<void>;
}

export interface ReportRenderer {
  /** The PDF of a document. Images it cannot decode are left out with their caption, never fatal. */
  render(document: ReportDocument): Promise<Buffer>;
}
