// What the signed-in role may see and do, read from the same access matrix the API enforces
// (layers/core/permissions.ts), so the console and the server cannot disagree.
import { ACCESS_MATRIX, GLOBAL_ROLES, reachOf, canIssueServiceToken, type Action, type ObjectKind } from '../../layers/core/permissions';
import type { UserType } from '../../layers/core/entities';

export type Role = UserType;
export const ROLES = Object.keys(ACCESS_MATRIX) as Role[];

export interface Who {
  user_type: Role;
  company_id: string;
  user_id: string;
}

export const allowed = (who: Who | null, kind: ObjectKind, action: Action): boolean => !!who && reachOf({ user_type: who.user_type }, kind, action) !== null;

export type PageId = 'folders' | 'new' | 'review' | 'blacklist' | 'users' | 'companies' | 'stats' | 'settings' | 'account';

export interface PageDef {
  id: PageId;
  title: string;
  /** the hash route */
  path: string;
  may: (who: Who) => boolean;
}

/** The pages in menu order, each with the rights it needs. */
export const PAGES: PageDef[] = [
  { id: 'folders', title: 'Folders', path: '#/folders', may: (w) => allowed(w, 'FOLDER', 'read') },
  { id: 'new', title: 'New check', path: '#/new', may: (w) => allowed(w, 'FOLDER', 'create') && allowed(w, 'ANALYSIS', 'create') },
  { id: 'review', title: 'Review queue', path: '#/review', may: (w) => allowed(w, 'ANALYSIS', 'resolve') },
  { id: 'blacklist', title: 'Blacklist', path: '#/blacklist', may: (w) => allowed(w, 'COLLECTION', 'read') },
  // A CLIENT reads only themselves: their account page is enough.
  { id: 'users', title: 'Users', path: '#/users', may: (w) => reachOf(w, 'USER', 'read') !== 'own' && allowed(w, 'USER', 'read') },
  { id: 'companies', title: 'Companies', path: '#/companies', may: (w) => reachOf(w, 'COMPANY', 'read') === 'all' },
  { id: 'stats', title: 'Statistics', path: '#/stats', may: (w) => allowed(w, 'ANALYSIS', 'read') && w.user_type !== 'CLIENT' },
  { id: 'settings', title: 'Settings', path: '#/settings', may: (w) => w.user_type === 'ADMIN' || w.user_type === 'CLIENT_ADMIN' },
  { id: 'account', title: 'Account', path: '#/account', may: () => true },
];

export const pagesFor = (who: Who | null): PageDef[] => (who ? PAGES.filter((p) => p.may(who)) : []);
export const mayOpen = (who: Who | null, id: PageId): boolean => !!who && PAGES.some((p) => p.id === id && p.may(who));

/** Roles this user may hand out when creating or editing a user (only ADMIN hands out ADMIN and OPERATOR). */
export function assignableRoles(who: Who): Role[] {
  if (reachOf(who, 'USER', 'create') === null) return [];
  if (who.user_type === 'ADMIN') return ROLES;
  return ROLES.filter((r) => !GLOBAL_ROLES.has(r));
}

export const mayIssueServiceToken = (who: Who, target: Who) => canIssueServiceToken({ ...who, email: '', is_active: true } as never, target);

/** A user the caller may edit (block, change the role) other than themselves. */
export function mayManageUser(who: Who, target: Who): boolean {
  if (who.user_id === target.user_id) return false;
  const reach = reachOf(who, 'USER', 'update');
  if (reach === 'all') return true;
  if (reach !== 'company' || who.company_id !== target.company_id) return false;
  return !GLOBAL_ROLES.has(target.user_type);
}

export const roleLabel = (role: string): string => role.replace(/_/g, ' ').toLowerCase().replace(/\b\w/g, (c) => c.toUpperCase());
