// Who may do what: the access matrix of "User Roles" as one table. Every check in the core reads
// it, and the generated role tests (test/e2e/access-matrix.test.ts) read the same table, so the
// rules and their tests cannot drift apart.
import { notFound, forbidden } from './errors';
import type { AnalysisType, User, UserType } from './entities';

export const OBJECT_KINDS = [
  'COMPANY',
  'FOLDER',
  'REPORT_TEMPLATE',
  'REPORT_TEMPLATE_ATTACHMENT',
  'REPORT',
  'ANALYSIS',
  'COLLECTION',
  'PERSON',
  'PERSON_IMAGE',
  'USER',
] as const;
export type ObjectKind = (typeof OBJECT_KINDS)[number];

/**
 * create/read/update/delete are the matrix's columns. "resolve" is the operator's decision: on an
 * ANALYSIS the final resolution of an OPERATOR_REQUIRED result (OPERATOR, CLIENT OPERATOR, CLIENT
 * ADMIN; "ADMIN ... can't change the analyses' statuses"), on a FOLDER its operator_status and
 * operator_comment ("can be edited only by Admin, Operator, Client Service, Client Operator, and
 * Client Admin").
 */
export const ACTIONS = ['create', 'read', 'update', 'delete', 'resolve'] as const;
export type Action = (typeof ACTIONS)[number];

/** How far a role reaches: every company, its own company, or only what it owns (its folders, itself). */
export type Reach = 'all' | 'company' | 'own';
type Row = Partial<Record<Action, Reach>>;

const everything: Row = { create: 'all', read: 'all', update: 'all', delete: 'all' };
const inCompany = (...actions: Action[]): Row => Object.fromEntries(actions.map((a) => [a, 'company'])) as Row;
const anywhere = (...actions: Action[]): Row => Object.fromEntries(actions.map((a) => [a, 'all'])) as Row;

/**
 * The matrix as the documents give it. Where the captured page is ambiguous the changelog decides:
 * CLIENT reads only their own profile (3.8.1), only ADMIN and CLIENT ADMIN delete folders, media and
 * analyses (5.x), CLIENT SERVICE creates collection persons (3.8.0). Reports and report templates
 * have no endpoints in this product; their rows are kept so the table stays the documented one.
 */
export const ACCESS_MATRIX: Record<UserType, Record<ObjectKind, Row>> = {
  ADMIN: {
    COMPANY: everything,
    FOLDER: { ...everything, resolve: 'all' },
    REPORT_TEMPLATE: everything,
    REPORT_TEMPLATE_ATTACHMENT: anywhere('create', 'read', 'delete'),
    REPORT: anywhere('create', 'read', 'delete'),
    ANALYSIS: everything,
    COLLECTION: everything,
    PERSON: anywhere('create', 'read', 'delete'),
    PERSON_IMAGE: anywhere('create', 'read', 'delete'),
    USER: everything,
  },
  OPERATOR: {
    COMPANY: anywhere('read'),
    FOLDER: anywhere('create', 'read', 'update', 'resolve'),
    REPORT_TEMPLATE: anywhere('create', 'read', 'update'),
    REPORT_TEMPLATE_ATTACHMENT: anywhere('create', 'read'),
    REPORT: anywhere('create', 'read'),
    ANALYSIS: anywhere('create', 'read', 'update', 'resolve'),
    COLLECTION: anywhere('read'),
    PERSON: anywhere('read'),
    PERSON_IMAGE: anywhere('read'),
    // The USER table: OPERATOR reads every user and updates "their data" (own profile, password, sessions).
    USER: { read: 'all', update: 'own' },
  },
  CLIENT: {
    COMPANY: inCompany('read'),
    FOLDER: { create: 'own', read: 'own', update: 'own' },
    REPORT_TEMPLATE: inCompany('read'),
    REPORT_TEMPLATE_ATTACHMENT: inCompany('read'),
    REPORT: { create: 'own', read: 'own' },
    ANALYSIS: { create: 'own', read: 'own' },
    COLLECTION: inCompany('read'),
    PERSON: inCompany('read'),
    PERSON_IMAGE: inCompany('read'),
    USER: { read: 'own', update: 'own' },
  },
  CLIENT_SERVICE: {
    COMPANY: inCompany('read'),
    FOLDER: inCompany('create', 'read', 'update', 'resolve'),
    REPORT_TEMPLATE: inCompany('read'),
    REPORT_TEMPLATE_ATTACHMENT: inCompany('read'),
    REPORT: inCompany('create', 'read'),
    ANALYSIS: inCompany('create', 'read', 'update'),
    COLLECTION: inCompany('create', 'read'),
    PERSON: inCompany('create', 'read'),
    PERSON_IMAGE: inCompany('read'),
    USER: { read: 'company', update: 'own' },
  },
  CLIENT_OPERATOR: {
    COMPANY: inCompany('read'),
    FOLDER: inCompany('create', 'read', 'update', 'resolve'),
    REPORT_TEMPLATE: inCompany('create', 'read', 'update'),
    REPORT_TEMPLATE_ATTACHMENT: inCompany('create', 'read'),
    REPORT: inCompany('create', 'read'),
    ANALYSIS: inCompany('create', 'read', 'update', 'resolve'),
    COLLECTION: inCompany('read'),
    PERSON: inCompany('read'),
    PERSON_IMAGE: inCompany('read'),
    USER: { read: 'company', update: 'own' },
  },
  CLIENT_ADMIN: {
    COMPANY: inCompany('read', 'update', 'delete'),
    FOLDER: inCompany('create', 'read', 'update', 'delete', 'resolve'),
    REPORT_TEMPLATE: inCompany('create', 'read', 'update', 'delete'),
    REPORT_TEMPLATE_ATTACHMENT: inCompany('create', 'read', 'delete'),
    REPORT: inCompany('create', 'read', 'delete'),
    ANALYSIS: inCompany('create', 'read', 'update', 'delete', 'resolve'),
    COLLECTION: inCompany('create', 'read', 'update', 'delete'),
    PERSON: inCompany('create', 'read', 'delete'),
    PERSON_IMAGE: inCompany('create', 'read', 'delete'),
    USER: inCompany('create', 'read', 'update', 'delete'),
  },
};

/**
 * What a check is about: the company that holds (or will hold) the object and, for the "own"
 * reach, who owns it: a folder's (or its media's and analyses') user_id, a user's own user_id.
 */
export interface Target {
  company_id: string;
  owner_id?: string | null;
}

export function reachOf(user: Pick<User, 'user_type'>, kind: ObjectKind, action: Action): Reach | null {
  return ACCESS_MATRIX[user.user_type][kind][action] ?? null;
}

export function can(user: Pick<User, 'user_type' | 'company_id' | 'user_id'>, kind: ObjectKind, action: Action, target: Target): boolean {
  const reach = reachOf(user, kind, action);
  if (reach === 'all') return true;
  if (reach === null || user.company_id !== target.company_id) return false;
  return reach === 'company' || (target.owner_id != null && target.owner_id === user.user_id);
}

/**
 * Throws unless the caller may do `action` on the target. An object the caller may not even read
 * answers 404 (another company's objects are never revealed); a readable one answers 403.
 */
export function check(user: User, kind: ObjectKind, action: Action, target: Target, what: string): void {
  if (can(user, kind, action, target)) return;
  if (!can(user, kind, 'read', target)) throw notFound(what);
  throw forbidden(`${user.user_type.replace('_', ' ')} may not ${action} this ${what.toLowerCase()}`);
}

/** Which objects of a kind a caller's lists hold: company null = every company, user_id set = only theirs. */
export interface ListScope {
  company_id: string | null;
  user_id: string | null;
}
export function listScope(user: User, kind: ObjectKind): ListScope | null {
  switch (reachOf(user, kind, 'read')) {
    case 'all':
      return { company_id: null, user_id: null };
    case 'company':
      return { company_id: user.company_id, user_id: null };
    case 'own':
      return { company_id: user.company_id, user_id: user.user_id };
    default:
      return null;
  }
}

/** The can_start_analysis_* flags narrow the ANALYSIS create right by type (ADMIN is never narrowed). */
export function canStartAnalysis(user: User, type: AnalysisType): boolean {
  if (user.user_type === 'ADMIN') return true;
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

/** Roles only ADMIN may hand out: a CLIENT ADMIN creates and edits company roles only. */
export const GLOBAL_ROLES: ReadonlySet<UserType> = new Set(['ADMIN', 'OPERATOR']);

/** Service tokens: issued by whoever may update the account, for service accounts only. */
export function canIssueServiceToken(user: User, target: Pick<User, 'company_id' | 'user_type' | 'user_id'>): boolean {
  const eligible = target.user_type === 'CLIENT_SERVICE' || target.user_type === 'OPERATOR';
  return eligible && reachOf(user, 'USER', 'update') !== 'own' && can(user, 'USER', 'update', { company_id: target.company_id, owner_id: target.user_id });
}
