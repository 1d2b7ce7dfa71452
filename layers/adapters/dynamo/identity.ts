// IdentityStore on the table: companies ("COMPANY#<id>", listed by name), users ("USER#<id>" with an
// "EMAIL#<email>" entry that keeps emails unique), sessions keyed by token hashes (expired ones are
// removed by the table's TTL; the "list" index holds them per company and user).
import type { Company, Session, StoredUser } from '../../core/entities';
import { REFRESH_WINDOW_SECONDS } from '../../core/auth';
import { ConflictError, type Page } from '../../core/ports/common';
import type { IdentityStore } from '../../core/ports/identity';
import { timeKey, userKey } from './keys';
import { isConditionFailure, type DynamoTable, type Item, type TransactItem } from './table';

const emailKey = (email: string) => ({ pk: `EMAIL#${email.toLowerCase()}`, sk: 'EMAIL' });

export class DynamoIdentityStore implements IdentityStore {
  constructor(private readonly table: DynamoTable) {}

  async putCompany(company: Company): Promise<void> {
    await this.table.putItem({ Item: { pk: `COMPANY#${company.company_id}`, sk: 'COMPANY', lpk: 'COMPANY', lsk: `${company.name.toLowerCase()}#${company.company_id}`, data: company } });
  }

  async getCompany(companyId: string): Promise<Company | null> {
    return (await this.table.get<{ data: Company }>(`COMPANY#${companyId}`, 'COMPANY'))?.data ?? null;
  }

  async listCompanies(query: { search_text?: string; offset: number; limit: number }): Promise<Page<Company>> {
    const needle = query.search_text?.toLowerCase();
    const all = (await this.table.queryAll({ IndexName: 'list', KeyConditionExpression: 'lpk = :p', ExpressionAttributeValues: { ':p': 'COMPANY' } }))
      .map((i) => i['data'] as Company)
      .filter((c) => !needle || c.name.toLowerCase().includes(needle));
    return { total: all.length, items: all.slice(query.offset, query.offset + query.limit) };
  }

  private userItem(user: StoredUser): Item {
    const key = timeKey(user.time_created, user.user_id);
    return { ...userKey(user.user_id), lpk: `${user.company_id}#USER`, lsk: key, gpk: 'USER', gsk: key, data: user };
  }

  async createUser(user: StoredUser): Promise<void> {
    try {
      await this.table.transact([this.table.put({ ...emailKey(user.email), user_id: user.user_id }, 'attribute_not_exists(pk)'), this.table.put(this.userItem(user))]);
    } catch (err) {
      if (isConditionFailure(err)) throw new ConflictError(`email taken: ${user.email}`);
      throw err;
    }
  }

  async getUser(userId: string): Promise<StoredUser | null> {
    const key = userKey(userId);
    return (await this.table.get<{ data: StoredUser }>(key.pk, key.sk))?.data ?? null;
  }

  async getUserByEmail(email: string): Promise<StoredUser | null> {
    const key = emailKey(email.trim());
    const entry = await this.table.get<{ user_id: string }>(key.pk, key.sk);
    return entry ? this.getUser(entry.user_id) : null;
  }

  async listUsers(query: { company_id: string | null; offset: number; limit: number }): Promise<Page<StoredUser>> {
    // Oldest first, read in DynamoDB's pages up to the end of the window; the total is counted.
    const range =
      query.company_id === null
        ? { IndexName: 'all', KeyConditionExpression: 'gpk = :p', ExpressionAttributeValues: { ':p': 'USER' } }
        : { IndexName: 'list', KeyConditionExpression: 'lpk = :p', ExpressionAttributeValues: { ':p': `${query.company_id}#USER` } };
    const [page, total] = await Promise.all([this.table.queryUpTo(range, query.offset + query.limit), this.table.count(range)]);
    return { total, items: page.items.slice(query.offset).map((i) => i['data'] as StoredUser) };
  }

  async updateUser(user: StoredUser, previousEmail: string): Promise<boolean> {
    const [before, after] = [emailKey(previousEmail), emailKey(user.email)];
    const moveEmail: TransactItem[] = before.pk === after.pk ? [] : [this.table.put({ ...after, user_id: user.user_id }, 'attribute_not_exists(pk)'), this.table.delete(before)];
    try {
      await this.table.transact([this.table.put(this.userItem(user), 'attribute_exists(pk)'), ...moveEmail]);
      return true;
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
      if (!(await this.getUser(user.user_id))) return false;
      throw new ConflictError(`email taken: ${user.email}`);
    }
  }

  async deleteUser(user: Pick<StoredUser, 'user_id' | 'email'>): Promise<void> {
    await this.table.deleteKeys([userKey(user.user_id), emailKey(user.email)]);
  }

  async putSession(session: Session): Promise<void> {
    const ttl = Math.ceil(session.expire_date) + REFRESH_WINDOW_SECONDS;
    const list = { lpk: `${session.company_id}#SESSION`, lsk: `${session.user_id}#${timeKey(session.time_created, session.session_id)}` };
    await this.table.transact([
      this.table.put({ pk: `SESSION#${session.access_hash}`, sk: 'SESSION', ttl, ...list, data: session }),
      this.table.put({ pk: `REFRESH#${session.expire_hash}`, sk: 'REFRESH', ttl, access_hash: session.access_hash }),
    ]);
  }

  async getSessionByAccessHash(accessHash: string): Promise<Session | null> {
    return (await this.table.get<{ data: Session }>(`SESSION#${accessHash}`, 'SESSION'))?.data ?? null;
  }

  async getSessionByExpireHash(expireHash: string): Promise<Session | null> {
    const entry = await this.table.get<{ access_hash: string }>(`REFRESH#${expireHash}`, 'REFRESH');
    return entry ? this.getSessionByAccessHash(entry.access_hash) : null;
  }

  async extendSession(session: Session, expireDate: number): Promise<void> {
    // A condition failure: the session was retired meanwhile, nothing to extend.
    await this.table.update({
      Key: { pk: `SESSION#${session.access_hash}`, sk: 'SESSION' },
      UpdateExpression: 'SET #d.expire_date = :e, #ttl = :ttl',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: { '#d': 'data', '#ttl': 'ttl' },
      ExpressionAttributeValues: { ':e': expireDate, ':ttl': Math.ceil(expireDate) + 24 * 3600 },
    }).catch((err) => {
      if (!isConditionFailure(err)) throw err;
    });
  }

  async deleteSession(session: Pick<Session, 'access_hash'>): Promise<void> {
    const stored = await this.getSessionByAccessHash(session.access_hash);
    await this.table.deleteItem({ pk: `SESSION#${session.access_hash}`, sk: 'SESSION' });
    if (stored) await this.table.deleteItem({ pk: `REFRESH#${stored.expire_hash}`, sk: 'REFRESH' });
  }

  async listSessions(query: { company_id: string; user_id?: string }): Promise<Session[]> {
    const items = await this.table.queryAll({
      IndexName: 'list',
      KeyConditionExpression: query.user_id ? 'lpk = :p AND begins_with(lsk, :u)' : 'lpk = :p',
      ExpressionAttributeValues: { ':p': `${query.company_id}#SESSION`, ...(query.user_id ? { ':u': `${query.user_id}#` } : {}) },
      ScanIndexForward: false,
    });
    return items.map((i) => i['data'] as Session);
  }
}
