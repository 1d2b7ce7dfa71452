// IdentityStore in memory: emails unique case-insensitively, sessions found by either token hash.
import type { Company, Session, StoredUser } from '../../core/entities';
import { ConflictError, timeKey, type Page } from '../../core/ports/common';
import type { IdentityStore } from '../../core/ports/identity';
import { ascending, copy, descending, window, type MemoryTables } from './tables';

export class MemoryIdentityStore implements IdentityStore {
  constructor(private readonly t: MemoryTables) {}

  async putCompany(company: Company): Promise<void> {
    this.t.companies.set(company.company_id, copy(company));
  }

  async getCompany(companyId: string): Promise<Company | null> {
    return copy(this.t.companies.get(companyId) ?? null);
  }

  async listCompanies(query: { search_text?: string; offset: number; limit: number }): Promise<Page<Company>> {
    const needle = query.search_text?.toLowerCase();
    const all = [...this.t.companies.values()].filter((c) => !needle || c.name.toLowerCase().includes(needle)).sort(ascending((c) => `${c.name.toLowerCase()}#${c.company_id}`));
    return { total: all.length, items: copy(window(all, query.offset, query.limit)) };
  }

  async createUser(user: StoredUser): Promise<void> {
    const email = user.email.toLowerCase();
    if (this.t.emails.has(email)) throw new ConflictError(`email taken: ${user.email}`);
    this.t.emails.set(email, user.user_id);
    this.t.users.set(user.user_id, copy(user));
  }

  async getUser(userId: string): Promise<StoredUser | null> {
    return copy(this.t.users.get(userId) ?? null);
  }

  async getUserByEmail(email: string): Promise<StoredUser | null> {
    const userId = this.t.emails.get(email.trim().toLowerCase());
    return userId ? this.getUser(userId) : null;
  }

  async listUsers(query: { company_id: string | null; offset: number; limit: number }): Promise<Page<StoredUser>> {
    const all = [...this.t.users.values()].filter((u) => query.company_id === null || u.company_id === query.company_id).sort(ascending((u) => timeKey(u.time_created, u.user_id)));
    return { total: all.length, items: copy(window(all, query.offset, query.limit)) };
  }

  async updateUser(user: StoredUser, previousEmail: string): Promise<boolean> {
    if (!this.t.users.has(user.user_id)) return false;
    const [before, after] = [previousEmail.toLowerCase(), user.email.toLowerCase()];
    if (before !== after) {
      if (this.t.emails.has(after)) throw new ConflictError(`email taken: ${user.email}`);
      this.t.emails.set(after, user.user_id);
      this.t.emails.delete(before);
    }
    this.t.users.set(user.user_id, copy(user));
    return true;
  }

  async deleteUser(user: Pick<StoredUser, 'user_id' | 'email'>): Promise<void> {
    this.t.users.delete(user.user_id);
    this.t.emails.delete(user.email.toLowerCase());
  }

  async putSession(session: Session): Promise<void> {
    this.t.sessions.set(session.access_hash, copy(session));
    this.t.refreshes.set(session.expire_hash, session.access_hash);
  }

  async getSessionByAccessHash(accessHash: string): Promise<Session | null> {
    return copy(this.t.sessions.get(accessHash) ?? null);
  }

  async getSessionByExpireHash(expireHash: string): Promise<Session | null> {
    const accessHash = this.t.refreshes.get(expireHash);
    return accessHash ? this.getSessionByAccessHash(accessHash) : null;
  }

  async extendSession(session: Session, expireDate: number): Promise<void> {
    const stored = this.t.sessions.get(session.access_hash);
    if (stored) stored.expire_date = expireDate; // retired meanwhile: nothing to extend
  }

  async deleteSession(session: Pick<Session, 'access_hash'>): Promise<void> {
    const stored = this.t.sessions.get(session.access_hash);
    this.t.sessions.delete(session.access_hash);
    if (stored) this.t.refreshes.delete(stored.expire_hash);
  }

  async listSessions(query: { company_id: string; user_id?: string }): Promise<Session[]> {
    const sessions = [...this.t.sessions.values()].filter((s) => s.company_id === query.company_id && (!query.user_id || s.user_id === query.user_id));
    return copy(sessions.sort(descending((s) => `${s.user_id}#${timeKey(s.time_created, s.session_id)}`)));
  }
}
