// ReportStore on the table. Templates: "RT#<id>" with their attachments in the same partition,
// listed per company through the "list" index (and "all" for global roles). Reports live in their
// folder's partition ("REPORT#<id>" sort keys, which the folder reader ignores), so PI clearing
// reads them strongly consistent; a pointer finds a report by id alone.
import type { Report, ReportStore } from '../../core/ports/reports';
import type { ReportTemplate, ReportTemplateAttachment } from '../../core/reports/template';
import { folderPk, timeKey } from './keys';
import { conditionally, keyFits, type DynamoTable } from './table';

const templatePk = (templateId: string) => `RT#${templateId}`;
const reportPointerPk = (reportId: string) => `REPORT#${reportId}`;
const reportKey = (r: Pick<Report, 'report_id' | 'company_id' | 'folder_id'>) => ({ pk: folderPk(r.company_id, r.folder_id), sk: `REPORT#${r.report_id}` });

export class DynamoReportStore implements ReportStore {
  constructor(private readonly table: DynamoTable) {}

  private async data<T>(pk: string, sk: string): Promise<T | null> {
    return (await this.table.get<{ data: T }>(pk, sk))?.data ?? null;
  }

  // Templates -------------------------------------------------------------------------------------
  async putTemplate(template: ReportTemplate): Promise<void> {
    const key = timeKey(template.time_created, template.report_template_id);
    await this.table.putItem({ Item: { pk: templatePk(template.report_template_id), sk: 'RT', lpk: `${template.company_id}#RT`, lsk: key, gpk: 'RT', gsk: key, data: template } });
  }

  getTemplate(templateId: string): Promise<ReportTemplate | null> {
    return this.data<ReportTemplate>(templatePk(templateId), 'RT');
  }

  async listTemplates(companyId: string | null): Promise<ReportTemplate[]> {
    const [IndexName, name, value] = companyId === null ? ['all', 'gpk', 'RT'] : ['list', 'lpk', `${companyId}#RT`];
    const items = await this.table.queryAll({ IndexName, KeyConditionExpression: `${name} = :p`, ExpressionAttributeValues: { ':p': value } });
    return items.map((i) => i['data'] as ReportTemplate);
  }

  async deleteTemplate(template: Pick<ReportTemplate, 'report_template_id'>): Promise<ReportTemplateAttachment[]> {
    const items = await this.table.queryAll({ KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': templatePk(template.report_template_id) }, ConsistentRead: true });
    // Attachments first: a run cut short leaves the template, and the next DELETE finishes.
    const ordered = [...items.filter((i) => i.sk !== 'RT'), ...items.filter((i) => i.sk === 'RT')];
    for (const item of ordered) await this.table.deleteItem({ pk: item.pk, sk: item.sk });
    return items.filter((i) => i.sk.startsWith('A#')).map((i) => i['data'] as ReportTemplateAttachment);
  }

  // Attachments -----------------------------------------------------------------------------------
  putAttachment(attachment: ReportTemplateAttachment): Promise<boolean> {
    const pk = templatePk(attachment.report_template_id);
    return conditionally(() =>
      this.table.transact([
        { ConditionCheck: { TableName: this.table.name, Key: { pk, sk: 'RT' }, ConditionExpression: 'attribute_exists(pk)' } },
        this.table.put({ pk, sk: `A#${attachment.attachment_id}`, data: attachment }),
      ]),
    );
  }

  async listAttachments(templateId: string): Promise<ReportTemplateAttachment[]> {
    const items = await this.table.queryAll({ KeyConditionExpression: 'pk = :p AND begins_with(sk, :a)', ExpressionAttributeValues: { ':p': templatePk(templateId), ':a': 'A#' }, ConsistentRead: true });
    return items.map((i) => i['data'] as ReportTemplateAttachment).sort((a, b) => a.time_created - b.time_created);
  }

  async deleteAttachment(templateId: string, attachmentId: string): Promise<ReportTemplateAttachment | null> {
    if (!keyFits(templatePk(templateId), `A#${attachmentId}`)) return null;
    const old = await this.table.deleteItem({ pk: templatePk(templateId), sk: `A#${attachmentId}` }, true);
    return (old?.['data'] as ReportTemplateAttachment | undefined) ?? null;
  }

  // Reports ---------------------------------------------------------------------------------------
  async putReport(report: Report): Promise<void> {
    await this.table.transact([
      this.table.put({ ...reportKey(report), data: report }),
      this.table.put({ pk: reportPointerPk(report.report_id), sk: 'POINTER', company_id: report.company_id, folder_id: report.folder_id }),
    ]);
  }

  async getReport(reportId: string): Promise<Report | null> {
    const pointer = await this.table.get<{ company_id: string; folder_id: string }>(reportPointerPk(reportId), 'POINTER');
    if (!pointer) return null;
    const key = reportKey({ report_id: reportId, company_id: String(pointer.company_id), folder_id: String(pointer.folder_id) });
    return this.data<Report>(key.pk, key.sk);
  }

  async listFolderReports(companyId: string, folderId: string): Promise<Report[]> {
    const items = await this.table.queryAll({ KeyConditionExpression: 'pk = :p AND begins_with(sk, :r)', ExpressionAttributeValues: { ':p': folderPk(companyId, folderId), ':r': 'REPORT#' }, ConsistentRead: true });
    return items.map((i) => i['data'] as Report).sort((a, b) => a.time_created - b.time_created);
  }

  async deleteReport(report: Pick<Report, 'report_id' | 'company_id' | 'folder_id'>): Promise<void> {
    await this.table.transact([this.table.delete(reportKey(report)), this.table.delete({ pk: reportPointerPk(report.report_id), sk: 'POINTER' })]);
  }
}
