// Companies and users: create, read, update, delete, passwords. Every permission comes from the access matrix.
import { endSessions, type Caller } from './auth';
import { recordAudit } from './audit';
import type { CoreDeps } from './deps';
import { SYSTEM_COMPANY_ID, USER_TYPES, type Company, type Json, type JsonObject, type StoredUser, type User, type UserType } from './entities';
import { badStructure, badValue, forbidden, notFound } from './errors';
import { mergeMetaData } from './metadata';
import { metaDataOf } from './limits';
import { hashPassword, passwordPolicy, passwordProblem, verifyPassword } from './passwords';
import { can, check, GLOBAL_ROLES, listScope } from './permissions';
import { ConflictError } from './ports/common';
import { companyView, publicUser } from './views';


/** POST /api/companies as the route's schema passes it: the name trimmed, 1 to 200 characters. */
export interface CompanyCreateInput {
  name: string;
  meta_data?: JsonObject;
}

export async function createCompany(deps: Pick<CoreDeps, 'identity' | 'audit' | 'clock' | 'ids'>, caller: Caller, input: CompanyCreateInput) {
  if (!can(caller.user, 'COMPANY', 'create', { company_id: '' })) throw forbidden('Only ADMIN can create companies');
  const now = deps.clock.now();
  const meta_data = mergeMetaData({}, input.meta_data ?? {});
  const company: Company = { company_id: deps.ids.uuid(), name: input.name, in_deletion: false, meta_data, technical_meta_data: {}, time_created: now, time_updated: now };
  await deps.identity.putCompany(company);
  await recordAudit(deps, caller.user, { object_type: 'COMPANY', object_id: company.company_id, company_id: company.company_id, action: 'create', changes: { name: company.name, meta_data } });
  return companyView(company);
}

export async function listCompanies(deps: Pick<CoreDeps, 'identity'>, caller: Caller, query: { search_text?: string; offset: number; limit: number }) {
  const scope = listScope(caller.user, 'COMPANY');
  if (!scope) throw forbidden();
  if (scope.company_id !== null) {
    const own = await deps.identity.getCompany(caller.user.company_id);
    const match = own && (!query.search_text || own.name.toLowerCase().includes(query.search_text.toLowerCase()));
    return { total: match ? 1 : 0, items: match && query.offset === 0 ? [companyView(own)] : [] };
  }
  const page = await deps.identity.listCompanies(query);
  return { total: page.total, items: page.items.map(companyView) };
}

export async function getCompany(deps: Pick<CoreDeps, 'identity'>, caller: Caller, companyId: string) {
  check(caller.user, 'COMPANY', 'read', { company_id: companyId }, 'Company');
  const company = await deps.identity.getCompany(companyId);
  if (!company) throw notFound('Company');
  return companyView(company);
}

export const FLAG_NAMES = ['biometry', 'quality', 'collection', 'documents'] as const;
export type FlagName = (typeof FLAG_NAMES)[number];
const FLAG_FIELDS = FLAG_NAMES.map((n) => `can_start_analysis_${n}` as const);
/** The can_start_analysis_* flags under their stored names (the route schemas fold in the old spellings). */
export type FlagsInput = Partial<Record<`can_start_analysis_${FlagName}`, boolean>>;

/** user_type as clients write it: any case, spaces for underscores ("client admin"); null when it names no role. */
export function userTypeOf(text: string): UserType | null {
  const normalised = text.trim().toUpperCase().replace(/\s+/g, '_');
  return (USER_TYPES as readonly string[]).includes(normalised) ? (normalised as UserType) : null;
}

/** API 5 had no CLIENT_ADMIN or CLIENT_SERVICE: a CLIENT with is_admin or is_service is one. */
export function withApi5Flags(type: UserType, flags: { is_admin?: boolean; is_service?: boolean }): UserType {
  if (type === 'CLIENT' && flags.is_admin === true) return 'CLIENT_ADMIN';
  if (type === 'CLIENT' && flags.is_service === true) return 'CLIENT_SERVICE';
  return type;
}

/** The password policy (passwords.ts): a 400 naming the broken rule in details.rule. */
export function checkPassword(password: string, email?: string, minLength = 8): string {
  const problem = passwordProblem(password, passwordPolicy(minLength), email);
  if (problem) throw badValue(problem.message, { rule: problem.rule, password_policy: passwordPolicy(minLength) });
  return password;
}

/** The fields of a user's profile as the route schemas pass them (names trimmed, flags under their stored names). */
export interface UserFieldsInput extends FlagsInput {
  first_name?: string;
  last_name?: string;
  middle_name?: string;
  is_active?: boolean;
  /** null: none, as if absent */
  meta_data?: JsonObject | null;
  technical_meta_data?: JsonObject | null;
}

/** POST /api/users as the route's schema passes it: the email trimmed, user_type known (default CLIENT; API 5 flags applied). */
export interface UserCreateInput {
  credentials: { email: string; password: string };
  profile: UserFieldsInput & { company_id?: string; user_type: UserType };
}

export interface NewUserInput {
  email: string;
  password: string;
  company_id: string;
  user_type: UserType;
  first_name?: string;
  last_name?: string;
  middle_name?: string;
  flags?: FlagsInput;
  is_active?: boolean;
  meta_data?: JsonObject;
  technical_meta_data?: JsonObject;
}

export async function newUser(deps: Pick<CoreDeps, 'identity' | 'clock' | 'ids'>, input: NewUserInput): Promise<StoredUser> {
  const now = deps.clock.now();
  const flag = (name: FlagName) => input.flags?.[`can_start_analysis_${name}`] ?? true;
  const user: StoredUser = {
    user_id: deps.ids.uuid(),
    company_id: input.company_id,
    user_type: input.user_type,
    email: input.email.trim(),
    first_name: input.first_name ?? '',
    last_name: input.last_name ?? '',
    middle_name: input.middle_name ?? '',
    is_active: input.is_active ?? true,
    can_start_analysis_biometry: flag('biometry'),
    can_start_analysis_quality: flag('quality'),
    can_start_analysis_collection: flag('collection'),
    can_start_analysis_documents: flag('documents'),
    meta_data: input.meta_data ?? {},
    technical_meta_data: input.technical_meta_data ?? {},
    time_created: now,
    time_updated: now,
    password_hash: await hashPassword(input.password),
  };
  try {
    await deps.identity.createUser(user);
  } catch (err) {
    if (err instanceof ConflictError) throw badValue(`A user with email ${user.email} already exists`);
    throw err;
  }
  return user;
}

/** POST /api/users/: {credentials:{email,password}, profile:{company_id,user_type,...}} */
export async function createUser(deps: Pick<CoreDeps, 'identity' | 'audit' | 'clock' | 'ids' | 'config'>, caller: Caller, input: UserCreateInput) {
  const { credentials, profile } = input;
  const password = checkPassword(credentials.password, credentials.email, deps.config.passwordMinLength);
  const userType = profile.user_type;
  const companyId = profile.company_id ?? caller.user.company_id;
  const global = GLOBAL_ROLES.has(userType);
  check(caller.user, 'USER', 'create', { company_id: global ? SYSTEM_COMPANY_ID : companyId }, 'Company');
  if (global && caller.user.user_type !== 'ADMIN') throw forbidden(`Only ADMIN can create ${userType} users`);
  if (!global && !(await liveCompany(deps, companyId))) throw badValue(`Company ${companyId} does not exist`);
  const flags: FlagsInput = {};
  for (const name of FLAG_FIELDS) if (profile[name] !== undefined) flags[name] = profile[name];
  const user = await newUser(deps, {
    email: credentials.email,
    password,
    company_id: global ? SYSTEM_COMPANY_ID : companyId,
    user_type: userType,
    first_name: profile.first_name,
    last_name: profile.last_name,
    middle_name: profile.middle_name,
    flags,
    is_active: profile.is_active ?? true,
    meta_data: profile.meta_data ? metaDataOf(profile.meta_data, 'profile.meta_data') : undefined,
    technical_meta_data: profile.technical_meta_data ? metaDataOf(profile.technical_meta_data, 'profile.technical_meta_data') : undefined,
  });
  const { password_hash: _hidden, ...created } = user;
  await recordAudit(deps, caller.user, { object_type: 'USER', object_id: user.user_id, company_id: user.company_id, action: 'create', changes: created as unknown as JsonObject });
  return publicUser(user);
}

export async function getUser(deps: Pick<CoreDeps, 'identity'>, caller: Caller, userId: string) {
  const user = await deps.identity.getUser(userId);
  if (!user) throw notFound('User');
  check(caller.user, 'USER', 'read', { company_id: user.company_id, owner_id: user.user_id }, 'User');
  return publicUser(user);
}

export async function listUsers(deps: Pick<CoreDeps, 'identity'>, caller: Caller, query: { offset: number; limit: number }) {
  const scope = listScope(caller.user, 'USER');
  if (!scope) throw forbidden();
  if (scope.user_id !== null) return { total: 1, items: query.offset === 0 ? [publicUser(caller.user)] : [] };
  const page = await deps.identity.listUsers({ company_id: scope.company_id, ...query });
  return { total: page.total, items: page.items.map(publicUser) };
}

/** A company that exists and is not being deleted. */
async function liveCompany(deps: Pick<CoreDeps, 'identity'>, companyId: string): Promise<Company | null> {
  const company = await deps.identity.getCompany(companyId);
  return company && !company.in_deletion ? company : null;
}

/** Field-level changes for the audit log: {field: {from, to}} for what actually changed. */
function diff<T extends object>(before: T, after: T, keys: (keyof T)[]): JsonObject {
  const out: JsonObject = {};
  for (const key of keys) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) out[key as string] = { from: (before[key] ?? null) as Json, to: (after[key] ?? null) as Json };
  }
  return out;
}

/** Fields a client may send back unchanged (it often PATCHes the object it read) but never change. */
function unchanged(current: object, key: string, value: unknown, what: string) {
  const stored = (current as Record<string, unknown>)[key];
  if (JSON.stringify(stored) !== JSON.stringify(value)) throw badValue(`${key} of a ${what} cannot be changed here`);
}

// Companies: PATCH and DELETE ---------------------------------------------------------------------

async function loadCompany(deps: Pick<CoreDeps, 'identity'>, caller: Caller, companyId: string, action: 'update' | 'delete'): Promise<Company> {
  check(caller.user, 'COMPANY', action, { company_id: companyId }, 'Company');
  const company = await deps.identity.getCompany(companyId);
  if (!company) throw notFound('Company');
  return company;
}

const COMPANY_FIXED = ['company_id', 'in_deletion', 'technical_meta_data', 'time_created', 'time_updated'];

/** PATCH /api/companies/{id} as the route's schema passes it (unknown fields kept: judged here, once the company is found). */
export interface CompanyPatchInput {
  name?: string;
  meta_data?: JsonObject;
  [field: string]: unknown;
}

/** PATCH /api/companies/{id}: name and meta_data (merged; null removes a key). technical_meta_data is reserved. */
export async function patchCompany(deps: Pick<CoreDeps, 'identity' | 'audit' | 'clock' | 'ids'>, caller: Caller, companyId: string, input: CompanyPatchInput) {
  const company = await loadCompany(deps, caller, companyId, 'update');
  if (company.in_deletion) throw badValue('This company is being deleted and cannot be changed');
  const next: Company = { ...company, meta_data: company.meta_data ?? {} };
  if (input.name !== undefined) next.name = input.name;
  if (input.meta_data !== undefined) next.meta_data = mergeMetaData(next.meta_data ?? {}, input.meta_data);
  for (const [key, value] of Object.entries(input)) {
    if (key === 'name' || key === 'meta_data') continue;
    if (COMPANY_FIXED.includes(key)) unchanged(company, key, value, 'company');
    else throw badStructure(`Unknown company field "${key}": PATCH takes name and meta_data`);
  }
  const changes = diff(company, next, ['name', 'meta_data']);
  if (Object.keys(changes).length === 0) return companyView(company);
  next.time_updated = deps.clock.now();
  await deps.identity.putCompany(next);
  await recordAudit(deps, caller.user, { object_type: 'COMPANY', object_id: companyId, company_id: companyId, action: 'update', changes });
  return companyView(next);
}

/**
 * DELETE /api/companies/{id}: one write marks the company in_deletion, which blocks its users'
 * logins and tokens at once (401/1401) and stops new users in it; repeating it changes nothing.
 * Its folders, media, analyses and collections are kept as they are, reachable by ADMIN and
 * OPERATOR only: nothing is half-deleted.
 */
export async function deleteCompany(deps: Pick<CoreDeps, 'identity' | 'audit' | 'clock' | 'ids'>, caller: Caller, companyId: string): Promise<void> {
  const company = await loadCompany(deps, caller, companyId, 'delete');
  if (company.in_deletion) return;
  await deps.identity.putCompany({ ...company, in_deletion: true, time_updated: deps.clock.now() });
  await recordAudit(deps, caller.user, { object_type: 'COMPANY', object_id: companyId, company_id: companyId, action: 'delete', changes: { name: company.name } });
  // Sessions are kept: each use answers 401/1401 (why, not just "invalid") until it expires.
}

// Users: PATCH, DELETE, change-password -------------------------------------------------------------

const userTarget = (user: Pick<User, 'company_id' | 'user_id'>) => ({ company_id: user.company_id, owner_id: user.user_id });

async function loadUser(deps: Pick<CoreDeps, 'identity'>, caller: Caller, userId: string, action: 'update' | 'delete'): Promise<StoredUser> {
  const user = await deps.identity.getUser(userId);
  if (!user) throw notFound('User');
  check(caller.user, 'USER', action, userTarget(user), 'User');
  return user;
}

const NAME_FIELDS = ['first_name', 'last_name', 'middle_name'] as const;
const USER_FIXED = ['user_id', 'time_created', 'time_updated'];
const PATCHABLE = new Set<string>([...NAME_FIELDS, 'email', 'user_type', 'is_active', 'company_id', 'meta_data', 'technical_meta_data', ...FLAG_FIELDS]);

/**
 * PATCH /api/users/{id} as the route's schema passes it: names and email trimmed, user_type known
 * (API 5 flags applied), flags under their stored names. Unknown fields are kept: judged here, once
 * the user is found.
 */
export interface UserPatchInput extends UserFieldsInput {
  email?: string;
  user_type?: UserType;
  company_id?: string;
  meta_data?: JsonObject;
  technical_meta_data?: JsonObject;
  [field: string]: unknown;
}

async function saveUser(deps: Pick<CoreDeps, 'identity'>, next: StoredUser, previousEmail: string) {
  try {
    if (!(await deps.identity.updateUser(next, previousEmail))) throw notFound('User');
  } catch (err) {
    if (err instanceof ConflictError) throw badValue(`A user with email ${next.email} already exists`);
    throw err;
  }
}

/**
 * PATCH /api/users/{id}: names, email, user_type, is_active, company_id, meta_data (merged) and the
 * can_start_analysis_* flags. Users edit their own profile but not their own role,
 * activity, company or flags; only a caller who reaches the target company (ADMIN) moves users or
 * grants ADMIN and OPERATOR, whose users live in the system company. Passwords: change-password.
 */
export async function patchUser(deps: Pick<CoreDeps, 'identity' | 'audit' | 'clock' | 'ids'>, caller: Caller, userId: string, input: UserPatchInput) {
  const user = await loadUser(deps, caller, userId, 'update');
  if ('password' in input || 'credentials' in input) throw badStructure('Passwords are changed with POST /api/users/{user_id}/change-password');
  // Your own company is not yours to change, even where the role would put it back (ADMIN, OPERATOR).
  if (caller.user.user_id === user.user_id && input.company_id !== undefined && input.company_id !== user.company_id) {
    throw forbidden('You cannot change your own company_id');
  }
  for (const [key, value] of Object.entries(input)) {
    if (PATCHABLE.has(key)) continue;
    if (USER_FIXED.includes(key)) unchanged(user, key, value, 'user');
    else throw badStructure(`Unknown user field "${key}": PATCH takes ${[...PATCHABLE].join(', ')}`);
  }
  const next: StoredUser = { ...user };
  for (const key of [...NAME_FIELDS, 'email', 'company_id'] as const) if (input[key] !== undefined) next[key] = input[key];
  for (const key of FLAG_FIELDS) if (input[key] !== undefined) next[key] = input[key];
  if (input.is_active !== undefined) next.is_active = input.is_active;
  if (input.user_type !== undefined) next.user_type = input.user_type;
  if (input.meta_data !== undefined) next.meta_data = mergeMetaData(user.meta_data, input.meta_data);
  if (input.technical_meta_data !== undefined) next.technical_meta_data = mergeMetaData(user.technical_meta_data ?? {}, input.technical_meta_data);
  // ADMIN and OPERATOR belong to the system company; a company role needs a real company.
  if (GLOBAL_ROLES.has(next.user_type)) next.company_id = SYSTEM_COMPANY_ID;
  else if (next.company_id === SYSTEM_COMPANY_ID) throw badValue(`A ${next.user_type} user needs the company_id of their company`);

  const guarded = diff(user, next, ['user_type', 'is_active', 'company_id', ...FLAG_FIELDS]);
  if (caller.user.user_id === user.user_id && Object.keys(guarded).length > 0) {
    throw forbidden(`You cannot change your own ${Object.keys(guarded).join(', ')}`);
  }
  if (next.company_id !== user.company_id) {
    if (!can(caller.user, 'USER', 'update', userTarget(next))) {
      throw forbidden(GLOBAL_ROLES.has(next.user_type) ? `You cannot grant the ${next.user_type} role` : 'You cannot move users to another company');
    }
    if (!GLOBAL_ROLES.has(next.user_type) && !(await liveCompany(deps, next.company_id))) throw badValue(`Company ${next.company_id} does not exist`);
  }
  const changes = diff(user, next, [...NAME_FIELDS, 'email', 'user_type', 'is_active', 'company_id', ...FLAG_FIELDS]);
  if (JSON.stringify(user.meta_data) !== JSON.stringify(next.meta_data)) changes['meta_data'] = input.meta_data ?? null;
  if (JSON.stringify(user.technical_meta_data ?? {}) !== JSON.stringify(next.technical_meta_data ?? {})) changes['technical_meta_data'] = input.technical_meta_data ?? null;
  if (Object.keys(changes).length === 0) return publicUser(user);
  next.time_updated = deps.clock.now();
  await saveUser(deps, next, user.email);
  // Sessions carry their company: a user moved elsewhere signs in again.
  if (next.company_id !== user.company_id) await endSessions(deps, { company_id: user.company_id, user_id: user.user_id });
  await recordAudit(deps, caller.user, { object_type: 'USER', object_id: user.user_id, company_id: next.company_id, action: 'update', changes });
  return publicUser(next);
}

/** DELETE /api/users/{id}: the user, their email and their sessions. Their folders stay with the company. */
export async function deleteUser(deps: Pick<CoreDeps, 'identity' | 'audit' | 'clock' | 'ids'>, caller: Caller, userId: string): Promise<void> {
  const user = await loadUser(deps, caller, userId, 'delete');
  if (user.user_id === caller.user.user_id) throw forbidden('You cannot delete your own account');
  await removeUser(deps, user, caller.user);
}

/**
 * Deletes a user with their email entry and sessions, and logs it (actor null: the command line,
 * `npm run delete-user`, changelog 4.0.8). No permission check: callers do that.
 */
export async function removeUser(deps: Pick<CoreDeps, 'identity' | 'audit' | 'clock' | 'ids'>, user: StoredUser, actor: User | null): Promise<void> {
  await deps.identity.deleteUser(user);
  await endSessions(deps, { company_id: user.company_id, user_id: user.user_id });
  await recordAudit(deps, actor, { object_type: 'USER', object_id: user.user_id, company_id: user.company_id, action: 'delete', changes: { email: user.email, user_type: user.user_type, by: actor ? 'request' : 'cli' } });
}

/**
 * POST /api/users/{id}/change-password as the route's schema passes it: the fields from inside
 * "credentials" or the top level, new_password also under the name "password".
 */
export interface PasswordChangeInput {
  old_password?: string;
  new_password: string;
}

/**
 * POST /api/users/{id}/change-password: for yourself the old password is required; ADMIN and CLIENT
 * ADMIN set the password of users they may update. Every other session of that user ends.
 */
export async function changePassword(deps: Pick<CoreDeps, 'identity' | 'audit' | 'clock' | 'ids' | 'config'>, caller: Caller, userId: string, input: PasswordChangeInput) {
  const user = await loadUser(deps, caller, userId, 'update');
  const fresh = input.new_password;
  const self = user.user_id === caller.user.user_id;
  if (self) {
    if (input.old_password === undefined) throw badStructure('old_password is required to change your own password');
    if (!(await verifyPassword(input.old_password, user.password_hash))) throw badValue('old_password is not your current password');
  }
  checkPassword(fresh, user.email, deps.config.passwordMinLength);
  await saveUser(deps, { ...user, password_hash: await hashPassword(fresh), time_updated: deps.clock.now() }, user.email);
  const ended = await endSessions(deps, { company_id: user.company_id, user_id: user.user_id }, self ? caller.session.session_id : undefined);
  await recordAudit(deps, caller.user, { object_type: 'USER', object_id: user.user_id, company_id: user.company_id, action: 'change-password', changes: { by_self: self, sessions_ended: ended } });
  return { user_id: user.user_id, sessions_ended: ended };
}
