// Companies, users and sessions: who may call, and on whose behalf (layers/core/admin.ts, auth.ts).
import type { Company, Session, StoredUser } from '../entities';
import type { Page } from './common';

export interface IdentityStore {
  putCompany(company: Company): Promise<void>;
  getCompany(companyId: string): Promise<Company | null>;
  /** Companies by name (case-insensitive), optionally those whose name contains search_text. */
  listCompanies(query: { search_text?: string; offset: number; limit: number }): Promise<Page<Company>>;

  /** Creates the user; throws ConflictError when the email is taken (case-insensitive). */
  createUser(user: StoredUser): Promise<void>;
  getUser(userId: string): Promise<StoredUser | null>;
  getUserByEmail(email: string): Promise<StoredUser | null>;
  /** Oldest first; company_id null = every company. */
  listUsers(query: { company_id: string | null; offset: number; limit: number }): Promise<Page<StoredUser>>;
  /** Replaces a stored user and moves its email entry when the email changed; ConflictError when it is taken, false when the user is gone. */
  updateUser(user: StoredUser, previousEmail: string): Promise<boolean>;
  /** Deletes the user and its email entry (its sessions are ended separately). */
  deleteUser(user: Pick<StoredUser, 'user_id' | 'email'>): Promise<void>;

  putSession(session: Session): Promise<void>;
  getSessionByAccessHash(accessHash: string): Promise<Session | null>;
  getSessionByExpireHash(expireHash: string): Promise<Session | null>;
  /** Moves the session's expiry; nothing when the session was retired meanwhile. */
  extendSession(session: Session, expireDate: number): Promise<void>;
  deleteSession(session: Pick<Session, 'access_hash'>): Promise<void>;
  /** The sessions of a company, or of one of its users, newest first (expired ones until the table's TTL removes them). */
  listSessions(query: { company_id: string; user_id?: string }): Promise<Session[]>;
}
