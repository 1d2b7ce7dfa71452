// Who may do what. One table the checks read (issue: roles), scoped by company and ownership.
import type { AnalysisType, Folder, User, UserType } from './entities';

/** Roles that see every company's objects. */
export const GLOBAL_ROLES: ReadonlySet<UserType> = new Set(['ADMIN', 'OPERATOR']);

export const isGlobal = (user: Pick<User, 'user_type'>) => GLOBAL_ROLES.has(user.user_type);

/** The company scope of a caller's queries: null means every company. */
export const companyScope = (user: User): string | null => (isGlobal(user) ? null : user.company_id);

export function canSeeCompany(user: User, companyId: string): boolean {
  return isGlobal(user) || user.company_id === companyId;
}

/** CLIENT sees only their own folders; the other company roles see their company's. */
export function canReadFolder(user: User, folder: Pick<Folder, 'company_id' | 'user_id'>): boolean {
  if (isGlobal(user)) return true;
  if (user.company_id !== folder.company_id) return false;
  return user.user_type !== 'CLIENT' || folder.user_id === user.user_id;
}

/** Adding media or analyses to a folder: whoever may read it, except the read-only OPERATOR. */
export function canWriteFolder(user: User, folder: Pick<Folder, 'company_id' | 'user_id'>): boolean {
  return user.user_type !== 'OPERATOR' && canReadFolder(user, folder);
}

export function canStartAnalysis(user: User, type: AnalysisType): boolean {
  if (user.user_type === 'ADMIN') return true;
  if (user.user_type === 'OPERATOR') return false;
  switch (type) {
    case 'QUALITY':
      return user.can_start_analysis_quality;
    case 'BIOMETRY':
      return user.can_start_analysis_biometry;
    case 'COLLECTION':
      return user.can_start_analysis_collection;
    case 'DOCUMENTS':
      return user.can_start_analysis_documents;
  }
}

export const canCreateCompany = (user: User) => user.user_type === 'ADMIN';
export const canListCompanies = (user: User) => user.user_type !== 'CLIENT_SERVICE';

/** ADMIN creates users anywhere; CLIENT ADMIN creates company roles in their own company. */
export function canCreateUser(user: User, companyId: string, userType: UserType): boolean {
  if (user.user_type === 'ADMIN') return true;
  if (user.user_type === 'CLIENT_ADMIN') return companyId === user.company_id && !GLOBAL_ROLES.has(userType);
  return false;
}

export function canReadUser(user: User, target: Pick<User, 'user_id' | 'company_id'>): boolean {
  if (isGlobal(user)) return true;
  if (user.user_id === target.user_id) return true;
  return user.user_type !== 'CLIENT' && user.company_id === target.company_id;
}

/** Service tokens: issued by ADMIN, or by CLIENT ADMIN within their company, for service accounts. */
export function canIssueServiceToken(user: User, target: Pick<User, 'company_id' | 'user_type'>): boolean {
  const eligible = target.user_type === 'CLIENT_SERVICE' || target.user_type === 'OPERATOR';
  if (!eligible) return false;
  return user.user_type === 'ADMIN' || (user.user_type === 'CLIENT_ADMIN' && user.company_id === target.company_id);
}
