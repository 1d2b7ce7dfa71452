// The audit log (layers/core/audit.ts): who changed what, newest first.
import type { AuditEntry } from '../entities';

export interface AuditQuery {
  company_id: string | null;
  object_type?: AuditEntry['object_type'];
  /** Only with object_type. */
  object_id?: string;
  offset: number;
  limit: number;
}

export interface AuditLog {
  putAuditEntry(entry: AuditEntry): Promise<void>;
  /** Newest first; company_id null = every company. Reads only offset + limit (+1) entries. */
  listAuditEntries(query: AuditQuery): Promise<{ items: AuditEntry[]; has_more: boolean }>;
}
