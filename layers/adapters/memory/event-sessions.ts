// EventSessionStore in memory: sessions by company and id, their events appended in place up to the
// cap, read in the order and windows of the table's two time indexes (time then id, as timeKey sorts).
import { timeKey } from '../../core/ports/common';
import type { EventSession, EventSessionQuery, EventSessionStore, SdkEvent } from '../../core/ports/event-sessions';
import { ascending, copy, descending, type MemoryTables } from './tables';

const sessionKey = (companyId: string, sessionId: string) => `${companyId}|${sessionId}`;

export class MemoryEventSessionStore implements EventSessionStore {
  constructor(private readonly t: MemoryTables) {}

  async getEventSession(companyId: string, sessionId: string): Promise<EventSession | null> {
    return copy(this.t.eventSessions.get(sessionKey(companyId, sessionId)) ?? null);
  }

  async appendEvents(session: Pick<EventSession, 'session_id' | 'company_id' | 'user_id' | 'meta_data'>, events: SdkEvent[], now: number, maxEvents: number): Promise<EventSession | 'full'> {
    const key = sessionKey(session.company_id, session.session_id);
    const stored = this.t.eventSessions.get(key);
    if ((stored?.events.length ?? 0) + events.length > maxEvents) return 'full';
    // The first append sets who, meta_data and time_created; later ones only add events and move time_updated.
    const next: EventSession = stored
      ? { ...stored, time_updated: now, events: [...stored.events, ...copy(events)] }
      : { ...copy(session), time_created: now, time_updated: now, events: copy(events) };
    this.t.eventSessions.set(key, next);
    return copy(next);
  }

  async queryEventSessions(q: EventSessionQuery): Promise<EventSession[]> {
    const sortKey = (s: EventSession) => timeKey(s[q.by], s.session_id);
    // The same key range the table's index answers: "<min>#" up to "<max>#\uffff".
    const from = timeKey(q.min ?? 0, '');
    const to = timeKey(q.max ?? 9_999_999_999, '\uffff');
    const found = [...this.t.eventSessions.values()]
      .filter((s) => s.company_id === q.company_id && sortKey(s) >= from && sortKey(s) <= to)
      .sort(q.newestFirst ? descending(sortKey) : ascending(sortKey));
    return copy(q.limit === undefined ? found : found.slice(0, q.limit));
  }

  async deleteEventSession(companyId: string, sessionId: string): Promise<void> {
    this.t.eventSessions.delete(sessionKey(companyId, sessionId));
  }
}
