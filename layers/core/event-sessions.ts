// Event sessions (GET /api/event_sessions, changelog 5.2.0): what an SDK reports of one capture
// session, as a list of events under the SDK's own session id. The documents give the list's twelve
// parameters and nothing of how sessions arrive, so an SDK or integration sends its events with
// POST /api/event_sessions (our addition; README "Oz compatibility, item by item"). Sessions belong
// to the company and user that sent them and are read by the FOLDER row of the access matrix, the
// row of what the same SDKs upload: CLIENT sees theirs, CLIENT ADMIN their company's, ADMIN and
// OPERATOR every company's.
import type { Caller } from './auth';
import type { CoreDeps } from './deps';
import { SYSTEM_COMPANY_ID, type JsonObject } from './entities';
import { badValue, notFound } from './errors';
import { limitBytes, metaDataOf } from './limits';
import { check, listScope } from './permissions';
import type { EventSession, SdkEvent } from './ports/event-sessions';

/** Per session and per request: enough for an SDK's log of one capture, small enough for one item. */
export const EVENT_SESSION_LIMITS = { eventsPerSession: 500, eventsPerRequest: 100, eventChars: 100, eventDataBytes: 2048, sessionIdChars: 128 } as const;
/** The characters of an SDK's session id (the edge's schema refuses others). */
export const EVENT_SESSION_ID = /^[A-Za-z0-9._:-]+$/;

export const SORTINGS = ['time_created', '-time_created', 'time_updated', '-time_updated'] as const;
export type EventSessionSorting = (typeof SORTINGS)[number];

export function eventSessionView(s: EventSession) {
  return { ...s, events_count: s.events.length };
}

/** POST /api/event_sessions as the route's schema passed it: ids, names, counts and times checked there. */
export interface EventSessionInput {
  session_id?: string;
  events: { event?: string; type?: string; time?: number; data?: JsonObject }[];
  meta_data?: JsonObject;
}

/** POST /api/event_sessions: creates the session or appends the events to it (201 with the session). */
export async function recordEventSession(deps: Pick<CoreDeps, 'eventSessions' | 'clock' | 'ids'>, caller: Caller, input: EventSessionInput) {
  const { user } = caller;
  const sessionId = input.session_id ?? deps.ids.uuid();
  check(user, 'FOLDER', 'create', { company_id: user.company_id, owner_id: user.user_id }, 'Event session');
  const now = deps.clock.now();
  const events: SdkEvent[] = input.events.map((e, i) => {
    const time = e.time ?? now;
    // Milliseconds (Date.now()) are read as the other time filters read them.
    return { event: (e.event ?? e.type)!, time: time > 1e12 ? time / 1000 : time, data: limitBytes(e.data ?? {}, `events[${i}].data`, EVENT_SESSION_LIMITS.eventDataBytes) };
  });
  const existing = await deps.eventSessions.getEventSession(user.company_id, sessionId);
  // Someone else's session of the company: appended to only by who may update their uploads.
  if (existing) check(user, 'FOLDER', 'update', { company_id: existing.company_id, owner_id: existing.user_id }, 'Event session');
  const meta_data = metaDataOf(input.meta_data);
  const saved = await deps.eventSessions.appendEvents({ session_id: sessionId, company_id: user.company_id, user_id: user.user_id, meta_data }, events, now, EVENT_SESSION_LIMITS.eventsPerSession);
  if (saved === 'full') throw badValue(`Event session ${sessionId} holds the most events a session may (${EVENT_SESSION_LIMITS.eventsPerSession}): start a new session`);
  return eventSessionView(saved);
}

export interface EventSessionFilters {
  time_created?: number;
  time_created_min?: number;
  time_created_max?: number;
  time_updated?: number;
  time_updated_min?: number;
  time_updated_max?: number;
  /** Comma-separated ids: only these. */
  session_id?: string;
  /** Comma-separated ids: not these. */
  session_id_exclude?: string;
  sorting?: EventSessionSorting;
  offset: number;
  limit: number;
  total_omit: boolean;
}

/** A window from an exact second (the whole second) and .min/.max, narrowed to where they overlap. */
function window(exact: number | undefined, min: number | undefined, max: number | undefined) {
  const lo = Math.max(exact ?? -Infinity, min ?? -Infinity);
  const hi = Math.min(exact === undefined ? Infinity : Math.floor(exact) + 0.999999, max ?? Infinity);
  return { min: lo === -Infinity ? undefined : lo, max: hi === Infinity ? undefined : hi };
}

const ids = (raw: string | undefined) => (raw === undefined || raw === '' ? null : new Set(raw.split(',').map((s) => s.trim()).filter(Boolean)));
const inside = (t: number, w: { min?: number; max?: number }) => (w.min === undefined || t >= w.min) && (w.max === undefined || t <= w.max);

/** GET /api/event_sessions: `{total, items}` (no total with total_omit), by the caller's scope. */
export async function listEventSessions(deps: Pick<CoreDeps, 'eventSessions' | 'identity'>, caller: Caller, f: EventSessionFilters) {
  const scope = listScope(caller.user, 'FOLDER');
  if (!scope) throw notFound('Event sessions');
  const sorting = f.sorting ?? '-time_created';
  const by = sorting.replace('-', '') as 'time_created' | 'time_updated';
  const created = window(f.time_created, f.time_created_min, f.time_created_max);
  const updated = window(f.time_updated, f.time_updated_min, f.time_updated_max);
  const only = ids(f.session_id);
  const except = ids(f.session_id_exclude);
  const filtered = only !== null || except !== null || scope.user_id !== null || (by === 'time_created' ? updated : created).min !== undefined || (by === 'time_created' ? updated : created).max !== undefined;
  // The index of the sort field answers its own window; the other window and the id filters are checked here.
  const bounds = by === 'time_created' ? created : updated;
  const readLimit = f.total_omit && !filtered ? f.offset + f.limit : undefined;
  const companies = scope.company_id !== null ? [scope.company_id] : await everyCompany(deps);
  const read = (await Promise.all(companies.map((company_id) => deps.eventSessions.queryEventSessions({ company_id, by, ...bounds, newestFirst: sorting.startsWith('-'), limit: readLimit })))).flat();
  const sign = sorting.startsWith('-') ? -1 : 1;
  const matching = read
    .filter((s) => inside(s.time_created, created) && inside(s.time_updated, updated))
    .filter((s) => (only === null || only.has(s.session_id)) && (except === null || !except.has(s.session_id)))
    .filter((s) => scope.user_id === null || s.user_id === scope.user_id)
    .sort((a, b) => sign * (a[by] - b[by]) || a.session_id.localeCompare(b.session_id));
  const items = matching.slice(f.offset, f.offset + f.limit).map(eventSessionView);
  return f.total_omit ? { items } : { total: matching.length, items };
}

/** Global roles read every company's sessions: each company's partition of the index, not the table. */
async function everyCompany(deps: Pick<CoreDeps, 'identity'>): Promise<string[]> {
  // The system company (ADMIN's and OPERATOR's own) is not among the listed ones.
  const all: string[] = [SYSTEM_COMPANY_ID];
  for (let offset = 0; ; offset += 1000) {
    const page = await deps.identity.listCompanies({ offset, limit: 1000 });
    all.push(...page.items.map((c) => c.company_id));
    if (page.items.length < 1000) return [...new Set(all)];
  }
}
