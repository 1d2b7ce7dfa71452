// The ReportStore port on the main table. Templates: "RT#<id>" with their attachments in the same
// partition, listed per company through the "list" index (and "all" for global roles). Reports live
// in their folder's partition ("REPORT#<id>" sort keys, which the folder reader ignores), so PI
// clearing reads them strongly consistent; a pointer finds a report by id alone.
import { TransactionCanceledException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Report, ReportStore } from '../core/reports/ports';
import type { ReportTemplate, ReportTemplateAttachment } from '../core/reports/template';
import { folderPk, keyConditionFits, keyFits, timeKey } from './dynamo-store';

const templatePk = (templateId: string) => `RT#${templateId}`;
const reportPointerPk = (reportId: string) => `REPORT#${reportId}`;

export class DynamoReportStore implements ReportStore {
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly table: string,
  ) {
    this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  private async query(input: Omit<QueryCommandInput, 'TableName'>): Promise<Record<string, unknown>[]> {
    // An id longer than any key (a 2 KB id from a client) matches nothing: not found, not a 500.
    if (!keyConditionFits(input)) return [];
    const items: Record<string, unknown>[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const out = await this.doc.send(new QueryCommand({ TableName: this.table, ...input, ExclusiveStartKey }));
      items.push(...(out.Items ?? []));
      ExclusiveStartKey = out.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return items;
  }

  private async get<T>(pk: string, sk: string): Promise<T | null> {
    if (!keyFits(pk, sk)) return null;
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: { pk, sk }, ConsistentRead: true }));
    return (out.Item?.['data'] as T | undefined) ?? null;
  }

  // Templates -------------------------------------------------------------------------------------
  async putTemplate(template: ReportTemplate): Promise<void> {
    const key = timeKey(template.time_created, template.report_template_id);
    await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: { pk: templatePk(template.report_template_id), sk: 'RT', lpk: `${template.company_id}#RT`, lsk: key, gpk: 'RT', gsk: key, data: template },
      }),
    );
  }

  getTemplate(templateId: string): Promise<ReportTemplate | null> {
    return this.get<ReportTemplate>(templatePk(templateId), 'RT');
  }

  async listTemplates(companyId: string | null): Promise<ReportTemplate[]> {
    const [IndexName, name, value] = companyId === null ? ['all', 'gpk', 'RT'] : ['list', 'lpk', `${companyId}#RT`];
    const items = await this.query({ IndexName, KeyConditionExpression: `${name} = :p`, ExpressionAttributeValues: { ':p': value } });
    return items.map((i) => i['data'] as ReportTemplate);
  }

  async deleteTemplate(template: Pick<ReportTemplate, 'report_template_id'>): Promise<ReportTemplateAttachment[]> {
    const items = await this.query({ KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': templatePk(template.report_template_id) }, ConsistentRead: true });
    // Attachments first: a run cut short leaves the template, and the next DELETE finishes.
    const ordered = [...items.filter((i) => i['sk'] !== 'RT'), ...items.filter((i) => i['sk'] === 'RT')];
    for (const item of ordered) await this.doc.send(new DeleteCommand({ TableName: this.table, Key: { pk: item['pk'], sk: item['sk'] } }));
    return items.filter((i) => String(i['sk']).startsWith('A#')).map((i) => i['data'] as ReportTemplateAttachment);
  }

  // Attachments -----------------------------------------------------------------------------------
  async putAttachment(attachment: ReportTemplateAttachment): Promise<boolean> {
    const pk = templatePk(attachment.report_template_id);
    try {
      await this.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            { ConditionCheck: { TableName: this.table, Key: { pk, sk: 'RT' }, ConditionExpression: 'attribute_exists(pk)' } },
            { Put: { TableName: this.table, Item: { pk, sk: `A#${attachment.attachment_id}`, data: attachment } } },
          ],
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof TransactionCanceledException && (err.CancellationReasons ?? []).some((r) => r.Code === 'ConditionalCheckFailed')) return false;
      throw err;
    }
  }

  async listAttachments(templateId: string): Promise<ReportTemplateAttachment[]> {
    const items = await this.query({
      KeyConditionExpression: 'pk = :p AND begins_with(sk, :a)',
      ExpressionAttributeValues: { ':p': templatePk(templateId), ':a': 'A#' },
      ConsistentRead: true,
    });
    return items.map((i) => i['data'] as ReportTemplateAttachment).sort((a, b) => a.time_created - b.time_created);
  }

  async deleteAttachment(templateId: string, attachmentId: string): Promise<ReportTemplateAttachment | null> {
    if (!keyFits(templatePk(templateId), `A#${attachmentId}`)) return null;
    const out = await this.doc.send(new DeleteCommand({ TableName: this.table, Key: { pk: templatePk(templateId), sk: `A#${attachmentId}` }, ReturnValues: 'ALL_OLD' }));
    return (out.Attributes?.['data'] as ReportTemplateAttachment | undefined) ?? null;
  }

  // Reports ---------------------------------------------------------------------------------------
  async putReport(report: Report): Promise<void> {
    await this.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: this.table, Item: { pk: folderPk(report.company_id, report.folder_id), sk: `REPORT#${report.report_id}`, data: report } } },
          { Put: { TableName: this.table, Item: { pk: reportPointerPk(report.report_id), sk: 'POINTER', company_id: report.company_id, folder_id: report.folder_id } } },
        ],
      }),
    );
  }

  async getReport(reportId: string): Promise<Report | null> {
    if (!keyFits(reportPointerPk(reportId), 'POINTER')) return null;
    const pointer = await this.doc.send(new GetCommand({ TableName: this.table, Key: { pk: reportPointerPk(reportId), sk: 'POINTER' }, ConsistentRead: true }));
    if (!pointer.Item) return null;
    return this.get<Report>(folderPk(String(pointer.Item['company_id']), String(pointer.Item['folder_id'])), `REPORT#${reportId}`);
  }

  async listFolderReports(companyId: string, folderId: string): Promise<Report[]> {
    const items = await this.query({
      KeyConditionExpression: 'pk = :p AND begins_with(sk, :r)',
      ExpressionAttributeValues: { ':p': folderPk(companyId, folderId), ':r': 'REPORT#' },
      ConsistentRead: true,
    });
    return items.map((i) => i['data'] as Report).sort((a, b) => a.time_created - b.time_created);
  }

  async deleteReport(report: Pick<Report, 'report_id' | 'company_id' | 'folder_id'>): Promise<void> {
    await this.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          { Delete: { TableName: this.table, Key: { pk: folderPk(report.company_id, report.folder_id), sk: `REPORT#${report.report_id}` } } },
          { Delete: { TableName: this.table, Key: { pk: reportPointerPk(report.report_id), sk: 'POINTER' } } },
        ],
      }),
    );
  }
}
