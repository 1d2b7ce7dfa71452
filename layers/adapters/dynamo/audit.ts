// AuditLog on the table: each entry twice, in one transaction: in its company's feed
// ("C#<company>#AUDIT", and the sharded "all" index for ADMIN) and in its object's history
// ("C#<company>#AUDIT#<type>#<id>", and "AUDIT#<type>#<id>" in the "all" index for ADMIN).
// Sort keys are times: newest first.
import type { AuditEntry } from '../../core/entities';
import type { AuditLog, AuditQuery } from '../../core/ports/audit';
import { allIndexPartitions, allIndexPk, timeKey } from './keys';
import type { DynamoTable, Item } from './table';

export class DynamoAuditLog implements AuditLog {
  constructor(private readonly table: DynamoTable) {}

  async putAuditEntry(entry: AuditEntry): Promise<void> {
    const key = timeKey(entry.time_created, entry.audit_id);
    const object = `${entry.object_type}#${entry.object_id}`;
    await this.table.transact([
      this.table.put({ pk: `C#${entry.company_id}#AUDIT`, sk: key, gpk: allIndexPk('AUDIT', entry.audit_id), gsk: key, data: entry }),
      this.table.put({ pk: `C#${entry.company_id}#AUDIT#${object}`, sk: key, gpk: `AUDIT#${object}`, gsk: key, data: entry }),
    ]);
  }

  async listAuditEntries(query: AuditQuery): Promise<{ items: AuditEntry[]; has_more: boolean }> {
    const object = query.object_type && query.object_id ? `${query.object_type}#${query.object_id}` : null;
    const typeOnly = !object && query.object_type;
    // An object id longer than any key was never logged (a 2 KB id from a client): nothing to list.
    if (object && Buffer.byteLength(object) > 1000) return { items: [], has_more: false };
    const filter = typeOnly ? { FilterExpression: '#d.object_type = :t', ExpressionAttributeNames: { '#d': 'data' }, ExpressionAttributeValues: { ':t': query.object_type } } : {};
    const want = query.offset + query.limit;
    let page: { items: Item[]; more: boolean };
    if (query.company_id === null) {
      // Every company: one object's history is its own partition; the whole feed is sharded.
      page = await this.table.allIndexNewestFirst(object ? [`AUDIT#${object}`] : allIndexPartitions('AUDIT'), filter, want);
    } else {
      const pk = object ? `C#${query.company_id}#AUDIT#${object}` : `C#${query.company_id}#AUDIT`;
      page = await this.table.queryUpTo({ ...filter, KeyConditionExpression: 'pk = :k', ExpressionAttributeValues: { ...filter.ExpressionAttributeValues, ':k': pk }, ScanIndexForward: false }, want);
    }
    return { items: page.items.slice(query.offset).map((i) => i['data'] as AuditEntry), has_more: page.more };
  }
}
