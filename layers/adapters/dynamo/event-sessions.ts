// The EventSessionStore port on the main table. One item per session ("C#<company>#EVS#<id>"),
// its events a list appended to in place. The two time windows of GET /api/event_sessions are
// answered by the two GSIs, both per company: "list" ordered by time_created (lsk), "all" by
// time_updated (gsk, rewritten at each append). A window is a key range, never a scan.
import type { JsonObject } from '../../core/entities';
import type { EventSession, EventSessionQuery, EventSessionStore, SdkEvent } from '../../core/ports/event-sessions';
import { timeKey } from './keys';
import { isConditionFailure, type DynamoTable } from './table';

const sessionPk = (companyId: string, sessionId: string) => `C#${companyId}#EVS#${sessionId}`;
const createdPartition = (companyId: string) => `${companyId}#EVS`;
const updatedPartition = (companyId: string) => `EVS_UPDATED#${companyId}`;

function sessionOf(item: Record<string, unknown>): EventSession {
  return {
    session_id: item['session_id'] as string,
    company_id: item['company_id'] as string,
    user_id: item['user_id'] as string,
    time_created: item['time_created'] as number,
    time_updated: item['time_updated'] as number,
    meta_data: (item['meta_data'] as JsonObject | undefined) ?? {},
    events: (item['events'] as SdkEvent[] | undefined) ?? [],
  };
}

export class DynamoEventSessionStore implements EventSessionStore {
  constructor(private readonly table: DynamoTable) {}

  async getEventSession(companyId: string, sessionId: string): Promise<EventSession | null> {
    const item = await this.table.get<Record<string, unknown>>(sessionPk(companyId, sessionId), 'EVS');
    return item ? sessionOf(item) : null;
  }

  async appendEvents(session: Pick<EventSession, 'session_id' | 'company_id' | 'user_id' | 'meta_data'>, events: SdkEvent[], now: number, maxEvents: number): Promise<EventSession | 'full'> {
    try {
      const saved = await this.table.update({
        Key: { pk: sessionPk(session.company_id, session.session_id), sk: 'EVS' },
        UpdateExpression:
          'SET session_id = :sid, company_id = :c, user_id = if_not_exists(user_id, :u), meta_data = if_not_exists(meta_data, :m), ' +
          'time_created = if_not_exists(time_created, :now), lpk = :lpk, lsk = if_not_exists(lsk, :lsk), ' +
          'time_updated = :now, gpk = :gpk, gsk = :gsk, events = list_append(if_not_exists(events, :none), :ev)',
        ConditionExpression: 'attribute_not_exists(events) OR size(events) <= :room',
        ExpressionAttributeValues: {
          ':sid': session.session_id,
          ':c': session.company_id,
          ':u': session.user_id,
          ':m': session.meta_data,
          ':now': now,
          ':lpk': createdPartition(session.company_id),
          ':lsk': timeKey(now, session.session_id),
          ':gpk': updatedPartition(session.company_id),
          ':gsk': timeKey(now, session.session_id),
          ':none': [],
          ':ev': events,
          ':room': maxEvents - events.length,
        },
        ReturnValues: 'ALL_NEW',
      });
      return sessionOf(saved ?? {});
    } catch (err) {
      if (isConditionFailure(err)) return 'full';
      throw err;
    }
  }

  async queryEventSessions(q: EventSessionQuery): Promise<EventSession[]> {
    const [IndexName, pkName, skName, partition] =
      q.by === 'time_created' ? ['list', 'lpk', 'lsk', createdPartition(q.company_id)] : ['all', 'gpk', 'gsk', updatedPartition(q.company_id)];
    // timeKey orders by time then id: "<time>#" is below every key of that time, "<time>#\uffff" above.
    const input = {
      IndexName,
      KeyConditionExpression: `${pkName} = :p AND ${skName} BETWEEN :from AND :to`,
      ExpressionAttributeValues: { ':p': partition, ':from': timeKey(q.min ?? 0, ''), ':to': timeKey(q.max ?? 9_999_999_999, '\uffff') },
      ScanIndexForward: !q.newestFirst,
    };
    const items = q.limit === undefined ? await this.table.queryAll(input) : (await this.table.queryUpTo(input, q.limit)).items;
    return items.map(sessionOf);
  }

  async deleteEventSession(companyId: string, sessionId: string): Promise<void> {
    // one item: its index entries go with it
    await this.table.deleteItem({ pk: sessionPk(companyId, sessionId), sk: 'EVS' });
  }
}
