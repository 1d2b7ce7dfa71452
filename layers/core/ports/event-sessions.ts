// The store of SDK event sessions (layers/core/event-sessions.ts): one record per session under the
// SDK's own id, its events appended in place, read back per company in a time window.
import type { JsonObject } from '../entities';

export interface SdkEvent {
  /** What happened, in the SDK's words (e.g. "liveness_started", "video_recorded"). */
  event: string;
  /** Epoch seconds when it happened (the SDK's clock), or when it arrived. */
  time: number;
  data: JsonObject;
}

export interface EventSession {
  session_id: string;
  company_id: string;
  /** Who sent its first events. */
  user_id: string;
  time_created: number;
  time_updated: number;
  meta_data: JsonObject;
  events: SdkEvent[];
}

/** One time-ordered read of a company's sessions through the store's index on `by`. */
export interface EventSessionQuery {
  company_id: string;
  by: 'time_created' | 'time_updated';
  /** Inclusive bounds in epoch seconds. */
  min?: number;
  max?: number;
  newestFirst: boolean;
  /** Stop after this many; absent: every session in the window. */
  limit?: number;
}

export interface EventSessionStore {
  getEventSession(companyId: string, sessionId: string): Promise<EventSession | null>;
  /**
   * Creates the session (user_id, meta_data and time_created from `session`) or appends to it, and
   * sets time_updated to `now`. 'full' when the session would hold more than maxEvents (and then
   * nothing is stored).
   */
  appendEvents(session: Pick<EventSession, 'session_id' | 'company_id' | 'user_id' | 'meta_data'>, events: SdkEvent[], now: number, maxEvents: number): Promise<EventSession | 'full'>;
  /** Ordered by `by` then session_id (newestFirst reverses both). */
  queryEventSessions(query: EventSessionQuery): Promise<EventSession[]>;
  /** Removes the session with its events (retention); a session that is not there is no error. */
  deleteEventSession(companyId: string, sessionId: string): Promise<void>;
}
