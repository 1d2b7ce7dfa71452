// ReportStore in memory: templates with their attachments; reports kept in their folder (deleted with it).
import { timeKey } from '../../core/ports/common';
import type { Report, ReportStore } from '../../core/ports/reports';
import type { ReportTemplate, ReportTemplateAttachment } from '../../core/reports/template';
import { ascending, copy, type MemoryTables } from './tables';

export class MemoryReportStore implements ReportStore {
  constructor(private readonly t: MemoryTables) {}

  async putTemplate(template: ReportTemplate): Promise<void> {
    this.t.reportTemplates.set(template.report_template_id, copy(template));
  }

  async getTemplate(templateId: string): Promise<ReportTemplate | null> {
    return copy(this.t.reportTemplates.get(templateId) ?? null);
  }

  async listTemplates(companyId: string | null): Promise<ReportTemplate[]> {
    const templates = [...this.t.reportTemplates.values()].filter((t) => companyId === null || t.company_id === companyId);
    return copy(templates.sort(ascending((t) => timeKey(t.time_created, t.report_template_id))));
  }

  async deleteTemplate(template: Pick<ReportTemplate, 'report_template_id'>): Promise<ReportTemplateAttachment[]> {
    const attachments = [...(this.t.attachments.get(template.report_template_id)?.values() ?? [])];
    this.t.attachments.delete(template.report_template_id);
    this.t.reportTemplates.delete(template.report_template_id);
    return copy(attachments.sort(ascending((a) => a.attachment_id)));
  }

  async putAttachment(attachment: ReportTemplateAttachment): Promise<boolean> {
    if (!this.t.reportTemplates.has(attachment.report_template_id)) return false;
    const attachments = this.t.attachments.get(attachment.report_template_id) ?? new Map<string, ReportTemplateAttachment>();
    attachments.set(attachment.attachment_id, copy(attachment));
    this.t.attachments.set(attachment.report_template_id, attachments);
    return true;
  }

  async listAttachments(templateId: string): Promise<ReportTemplateAttachment[]> {
    return copy([...(this.t.attachments.get(templateId)?.values() ?? [])].sort((a, b) => a.time_created - b.time_created));
  }

  async deleteAttachment(templateId: string, attachmentId: string): Promise<ReportTemplateAttachment | null> {
    const attachments = this.t.attachments.get(templateId);
    const existing = attachments?.get(attachmentId) ?? null;
    attachments?.delete(attachmentId);
    return existing;
  }

  async putReport(report: Report): Promise<void> {
    this.t.folderPartition(report.company_id, report.folder_id).reports.set(report.report_id, copy(report));
    this.t.pointers.set(`REPORT#${report.report_id}`, { company_id: report.company_id, folder_id: report.folder_id });
  }

  async getReport(reportId: string): Promise<Report | null> {
    const at = this.t.pointers.get(`REPORT#${reportId}`);
    return copy((at && this.t.folder(at.company_id, at.folder_id)?.reports.get(reportId)) ?? null);
  }

  async listFolderReports(companyId: string, folderId: string): Promise<Report[]> {
    return copy([...(this.t.folder(companyId, folderId)?.reports.values() ?? [])].sort((a, b) => a.time_created - b.time_created));
  }

  async deleteReport(report: Pick<Report, 'report_id' | 'company_id' | 'folder_id'>): Promise<void> {
    this.t.folder(report.company_id, report.folder_id)?.reports.delete(report.report_id);
    this.t.pointers.delete(`REPORT#${report.report_id}`);
  }
}
