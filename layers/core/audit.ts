// The audit log ("Added the audit log for Folder, User, Company"): who changed what, and when.
import type { Caller } from './auth';
import type { CoreDeps } from './deps';
import type { AuditEntry, Json, JsonObject, User } from './entities';
import { badValue, forbidden } from './errors';
import { reachOf } from './permissions';

export const AUDIT_OBJECT_TYPES = ['FOLDER', 'USER', 'COMPANY'] as const;

export interface AuditInput {
  object_type: AuditEntry['object_type'];
  object_id: string;
  company_id: string;
  action: string;
  changes?: JsonObject;
}

/** Keys never written to the log, however deep: secrets stay out of it even if a caller passes them. */
const SECRET_KEY = /password|token|secret|hash/i;

function scrub(value: Json): Json {
  if (Array.isArray(value)) return value.map(scrub);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([k]) => !SECRET_KEY.test(k)).map(([k, v]) => [k, scrub(v)]));
  }
  return value;
}

/**
 * Records one change. It runs after the change itself succeeded: a failed audit write is logged
 * and does not turn that success into an error (the client would retry a change already made).
 */
export async function recordAudit(deps: Pick<CoreDeps, 'audit' | 'clock' | 'ids' | 'log'>, actor: User | null, entry: AuditInput): Promise<void> {
  const record: AuditEntry = {
    audit_id: deps.ids.uuid(),
    company_id: entry.company_id,
    object_type: entry.object_type,
    object_id: entry.object_id,
    action: entry.action,
    user_id: actor?.user_id ?? null,
    email: actor?.email ?? null,
    user_type: actor?.user_type ?? null,
    changes: scrub(entry.changes ?? {}) as JsonObject,
    time_created: deps.clock.now(),
  };
  try {
    await deps.audit.putAuditEntry(record);
  } catch (err) {
    deps.log?.error('audit write failed', { object_type: record.object_type, object_id: record.object_id, action: record.action, error: String(err) });
  }
}

/**
 * GET /api/audit: read by whoever manages companies (the matrix's COMPANY update right: ADMIN
 * everywhere, CLIENT ADMIN in their company); everyone else 403.
 */
export async function listAudit(deps: Pick<CoreDeps, 'audit'>, caller: Caller, query: { object_type?: string; object_id?: string; offset: number; limit: number }) {
  const reach = reachOf(caller.user, 'COMPANY', 'update');
  if (reach !== 'all' && reach !== 'company') throw forbidden('Only ADMIN and CLIENT ADMIN can read the audit log');
  const type = query.object_type?.trim().toUpperCase() || undefined;
  if (type && !(AUDIT_OBJECT_TYPES as readonly string[]).includes(type)) throw badValue(`object_type must be one of ${AUDIT_OBJECT_TYPES.join(', ')}`);
  const objectId = query.object_id?.trim() || undefined;
  if (objectId && !type) throw badValue('object_id needs object_type (FOLDER, USER or COMPANY)');
  const page = await deps.audit.listAuditEntries({
    company_id: reach === 'all' ? null : caller.user.company_id,
    object_type: type as AuditEntry['object_type'] | undefined,
    object_id: objectId,
    offset: query.offset,
    limit: query.limit,
  });
  return { offset: query.offset, limit: query.limit, has_more: page.has_more, items: page.items };
}
