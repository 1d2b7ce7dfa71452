// AuditLog in memory: newest first, by company, object or both.
import type { AuditEntry } from '../../core/entities';
import type { AuditLog, AuditQuery } from '../../core/ports/audit';
import { timeKey } from '../../core/ports/common';
import { copy, descending, window, type MemoryTables } from './tables';

export class MemoryAuditLog implements AuditLog {
  constructor(private readonly t: MemoryTables) {}

  async putAuditEntry(entry: AuditEntry): Promise<void> {
    this.t.audit.push(copy(entry));
  }

  async listAuditEntries(query: AuditQuery): Promise<{ items: AuditEntry[]; has_more: boolean }> {
    const matches = this.t.audit
      .filter(
        (e) =>
          (query.company_id === null || e.company_id === query.company_id) &&
          (!query.object_type || e.object_type === query.object_type) &&
          (!query.object_type || !query.object_id || e.object_id === query.object_id),
      )
      .sort(descending((e) => timeKey(e.time_created, e.audit_id)));
    return { items: copy(window(matches, query.offset, query.limit)), has_more: matches.length > query.offset + query.limit };
  }
}
