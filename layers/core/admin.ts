// Companies and users: create, read, update, delete, passwords. Every permission comes from the access matrix.
import { endSessions, type Caller } from './auth';
import { recordAudit } from './audit';
import type { CoreDeps } from './deps';
import { SYSTEM_COMPANY_ID, USER_TYPES, type Company, type Json, type JsonObject, type StoredUser, type User, type UserType, isJsonObject } from './entities';
import { badStructure, badValue, forbidden, notFound } from './errors';
import { mergeMetaData } from './metadata';
import { LIMITS, limitChars } from './limits';
import { hashPassword, passwordPolicy, passwordProblem, verifyPassword } from './passwords';
import { can, check, GLOBAL_ROLES, listScope } from './permissions';
import { ConflictError } from './ports/common';
import { companyView, publicUser } from './views';


export async function createCompany(deps: Pick<CoreDeps, 'identity' | 'audit' | 'clock' | 'ids'>, caller: Caller, body: unknown) {
  if (!can(caller.user, 'COMPANY', 'create', { company_id: '' })) throw forbidden('Only ADMIN can create companies');
  if (!isJsonObject(body)) throw badStructure('The body must be a JSON object like {"name": "..."}');
  const name = body['name'];
  if (typeof name !== 'string' || name.trim() === '') throw badStructure('"name" is required');
  if (name.length > 200) throw badValue('"name" is at most 200 characters');
  const now = deps.clock.now();
  const meta_data = body['meta_data'] === undefined ? {} : mergeMetaData({}, body['meta_data']);
  const company: Company = { company_id: deps.ids.uuid(), name: name.trim(), in_deletion: false, meta_data, technical_meta_data: {}, time_created: now, time_updated: now };
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

const FLAG_NAMES = ['biometry', 'quality', 'collection', 'documents'] as const;

/** The password policy (passwords.ts): a 400 naming the broken rule in details.rule. */
export function checkPassword(password: unknown, email?: string, minLength = 8): string {
  if (typeof password !== 'string') throw badValue('The password must be a string');
  const problem = passwordProblem(password, passwordPolicy(minLength), email);
  if (problem) throw badValue(problem.message, { rule: problem.rule, password_policy: passwordPolicy(minLength) });
  return password;
}

export interface NewUserInput {
  email: string;
  password: string;
  company_id: string;
  user_type: UserType;
  first_name?: string;
  last_name?: string;
  middle_name?: string;
  flags?: Partial<Record<(typeof FLAG_NAMES)[number], boolean>>;
  is_active?: boolean;
  meta_data?: JsonObject;
  technical_meta_data?: JsonObject;
}

export async function newUser(deps: Pick<CoreDeps, 'identity' | 'clock' | 'ids'>, input: NewUserInput): Promise<StoredUser> {
  const now = deps.clock.now();
  const flag = (name: (typeof FLAG_NAMES)[number]) => input.flags?.[name] ?? true;
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

/** An optional JSON object of the profile (meta_data, technical_meta_data); anything else is refused. */
function objectField(profile: JsonObject, name: string): JsonObject | undefined {
  const value = profile[name];
  if (value === undefined || value === null) return undefined;
  if (!isJsonObject(value)) throw badValue(`profile.${name} must be a JSON object`);
  return value;
}

/** POST /api/users/: {credentials:{email,password}, profile:{company_id,user_type,...}} */
export async function createUser(deps: Pick<CoreDeps, 'identity' | 'audit' | 'clock' | 'ids' | 'config'>, caller: Caller, body: unknown) {
  if (!isJsonObject(body) || !isJsonObject(body['credentials']) || !isJsonObject(body['profile'])) {
    throw badStructure('The body must be {"credentials": {"email", "password"}, "profile": {"company_id", "user_type", ...}}');
  }
  const credentials = body['credentials'];
  const profile = body['profile'];
  const email = credentials['email'];
  if (typeof email !== 'string' || !/^[^\s@]+@[^\s@]+$/.test(email.trim())) throw badValue('credentials.email must be an email address');
  limitChars(email.trim(), 'credentials.email', LIMITS.emailChars);
  const password = checkPassword(credentials['password'], email, deps.config.passwordMinLength);
  const userType = legacyUserType(profile);
  const companyId = typeof profile['company_id'] === 'string' ? profile['company_id'].trim() : caller.user.company_id;
  const global = GLOBAL_ROLES.has(userType);
  check(caller.user, 'USER', 'create', { company_id: global ? SYSTEM_COMPANY_ID : companyId }, 'Company');
  if (global && caller.user.user_type !== 'ADMIN') throw forbidden(`Only ADMIN can create ${userType} users`);
  if (!global && !(await liveCompany(deps, companyId))) throw badValue(`Company ${companyId} does not exist`);
  const str = (name: string) => (typeof profile[name] === 'string' ? (profile[name] as string) : undefined);
  const flags: NewUserInput['flags'] = {};
  for (const name of FLAG_NAMES) {
    const value = flagValue(profile, name);
    if (value !== undefined) flags[name] = value;
  }
  const user = await newUser(deps, {
    email,
    password,
    company_id: global ? SYSTEM_COMPANY_ID : companyId,
    user_type: userType,
    first_name: str('first_name'),
    last_name: str('last_name'),
    middle_name: str('middle_name'),
    flags,
    is_active: typeof profile['is_active'] === 'boolean' ? profile['is_active'] : true,
    meta_data: objectField(profile, 'meta_data'),
    technical_meta_data: objectField(profile, 'technical_meta_data'),
  });
  const { password_hash: _hidden, ...created } = user;
  await recordAudit(deps, caller.user, { object_type: 'USER', object_id: user.user_id, company_id: user.company_id, action: 'create', changes: created as unknown as JsonObject });
  return publicUser(user);
}

/** API 6 sends user_type; API 5 clients send CLIENT with is_admin / is_service flags. */
function legacyUserType(profile: JsonObject, where = 'profile.'): UserType {
  const raw = profile['user_type'] ?? 'CLIENT';
  if (typeof raw !== 'string') throw badValue(`${where}user_type must be a string`);
  const normalised = raw.trim().toUpperCase().replace(/\s+/g, '_');
  if (!(USER_TYPES as readonly string[]).includes(normalised)) throw badValue(`${where}user_type "${raw}" is unknown: use one of ${USER_TYPES.join(', ')}`);
  let type = normalised as UserType;
  if (type === 'CLIENT' && profile['is_admin'] === true) type = 'CLIENT_ADMIN';
  else if (type === 'CLIENT' && profile['is_service'] === true) type = 'CLIENT_SERVICE';
  return type;
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

/** The can_start_analysis_* flag under any of its documented names (analysis, analyse, analyze). */
function flagValue(body: JsonObject, name: (typeof FLAG_NAMES)[number]): boolean | undefined {
  for (const spelling of ['analysis', 'analyse', 'analyze']) {
    const value = body[`can_start_${spelling}_${name}`];
    if (value === undefined) continue;
    if (typeof value !== 'boolean') throw badValue(`can_start_${spelling}_${name} must be true or false`);
    return value;
  }
  return undefined;
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

/** PATCH /api/companies/{id}: name and meta_data (merged; null removes a key). technical_meta_data is reserved. */
export async function patchCompany(deps: Pick<CoreDeps, 'identity' | 'audit' | 'clock' | 'ids'>, caller: Caller, companyId: string, body: unknown) {
  const company = await loadCompany(deps, caller, companyId, 'update');
  if (company.in_deletion) throw badValue('This company is being deleted and cannot be changed');
  if (!isJsonObject(body)) throw badStructure('The body must be a JSON object like {"name": "...", "meta_data": {...}}');
  const next: Company = { ...company, meta_data: company.meta_data ?? {} };
  for (const [key, value] of Object.entries(body)) {
    if (key === 'name') {
      if (typeof value !== 'string' || value.trim() === '') throw badValue('"name" must be a non-empty string');
      if (value.length > 200) throw badValue('"name" is at most 200 characters');
      next.name = value.trim();
    } else if (key === 'meta_data') {
      next.meta_data = mergeMetaData(next.meta_data ?? {}, value);
    } else if (COMPANY_FIXED.includes(key)) {
      unchanged(company, key, value, 'company');
    } else {
      throw badStructure(`Unknown company field "${key}": PATCH takes name and meta_data`);
    }
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
/** Answer-only fields a client may echo back: derived from user_type and the flags. */
const USER_DERIVED = ['is_admin', 'is_service'];
const FLAG_FIELDS = FLAG_NAMES.map((n) => `can_start_analysis_${n}` as const);
const isFlagField = (key: string) => /^can_start_(analysis|analyse|analyze)_(biometry|quality|collection|documents)$/.test(key);

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
 * can_start_analysis_* flags (any spelling). Users edit their own profile but not their own role,
 * activity, company or flags; only a caller who reaches the target company (ADMIN) moves users or
 * grants ADMIN and OPERATOR, whose users live in the system company. Passwords: change-password.
 */
export async function patchUser(deps: Pick<CoreDeps, 'identity' | 'audit' | 'clock' | 'ids'>, caller: Caller, userId: string, body: unknown) {
  const user = await loadUser(deps, caller, userId, 'update');
  if (!isJsonObject(body)) throw badStructure('The body must be a JSON object of user fields');
  if ('password' in body || 'credentials' in body) throw badStructure('Passwords are changed with POST /api/users/{user_id}/change-password');
  // Your own company is not yours to change, even where the role would put it back (ADMIN, OPERATOR).
  const wantedCompany = typeof body['company_id'] === 'string' ? body['company_id'].trim() : body['company_id'];
  if (caller.user.user_id === user.user_id && 'company_id' in body && wantedCompany !== user.company_id) {
    throw forbidden('You cannot change your own company_id');
  }
  const next: StoredUser = { ...user };
  for (const [key, value] of Object.entries(body)) {
    if ((NAME_FIELDS as readonly string[]).includes(key)) {
      if (typeof value !== 'string' || value.length > 200) throw badValue(`${key} must be a string of at most 200 characters`);
      next[key as (typeof NAME_FIELDS)[number]] = value.trim();
    } else if (key === 'email') {
      if (typeof value !== 'string' || !/^[^\s@]+@[^\s@]+$/.test(value.trim())) throw badValue('email must be an email address');
      next.email = limitChars(value.trim(), 'email', LIMITS.emailChars);
    } else if (key === 'is_active') {
      if (typeof value !== 'boolean') throw badValue('is_active must be true or false');
      next.is_active = value;
    } else if (key === 'company_id') {
      if (typeof value !== 'string' || value.trim() === '') throw badValue('company_id must be a company id');
      next.company_id = value.trim();
    } else if (key === 'meta_data') {
      next.meta_data = mergeMetaData(user.meta_data, value);
    } else if (key === 'technical_meta_data') {
      next.technical_meta_data = mergeMetaData(user.technical_meta_data ?? {}, value);
    } else if (key === 'user_type') {
      next.user_type = legacyUserType(body, '');
    } else if (isFlagField(key)) {
      const name = key.split('_').pop() as (typeof FLAG_NAMES)[number];
      next[`can_start_analysis_${name}`] = flagValue(body, name)!;
    } else if (USER_FIXED.includes(key)) {
      unchanged(user, key, value, 'user');
    } else if (!USER_DERIVED.includes(key)) {
      throw badStructure(`Unknown user field "${key}": PATCH takes ${[...NAME_FIELDS, 'email', 'user_type', 'is_active', 'company_id', 'meta_data', 'technical_meta_data', ...FLAG_FIELDS].join(', ')}`);
    }
  }
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
  if (JSON.stringify(user.meta_data) !== JSON.stringify(next.meta_data)) changes['meta_data'] = (body['meta_data'] ?? null) as Json;
  if (JSON.stringify(user.technical_meta_data ?? {}) !== JSON.stringify(next.technical_meta_data ?? {})) changes['technical_meta_data'] = (body['technical_meta_data'] ?? null) as Json;
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
 * POST /api/users/{id}/change-password: {"credentials": {"old_password", "new_password"}} (or the
 * same keys at the top level; "password" is taken for new_password). For yourself the old password
 * is required; ADMIN and CLIENT ADMIN set the password of users they may update. Every other
 * session of that user ends.
 */
export async function changePassword(deps: Pick<CoreDeps, 'identity' | 'audit' | 'clock' | 'ids' | 'config'>, caller: Caller, userId: string, body: unknown) {
  const user = await loadUser(deps, caller, userId, 'update');
  const source = isJsonObject(body) && isJsonObject(body['credentials']) ? body['credentials'] : body;
  if (!isJsonObject(source)) throw badStructure('The body must be {"credentials": {"old_password": "...", "new_password": "..."}}');
  const fresh = source['new_password'] ?? source['password'];
  if (typeof fresh !== 'string') throw badStructure('new_password is required: {"credentials": {"old_password": "...", "new_password": "..."}}');
  const self = user.user_id === caller.user.user_id;
  if (self) {
    const old = source['old_password'];
    if (typeof old !== 'string') throw badStructure('old_password is required to change your own password');
    if (!(await verifyPassword(old, user.password_hash))) throw badValue('old_password is not your current password');
  }
  checkPassword(fresh, user.email, deps.config.passwordMinLength);
  await saveUser(deps, { ...user, password_hash: await hashPassword(fresh), time_updated: deps.clock.now() }, user.email);
  const ended = await endSessions(deps, { company_id: user.company_id, user_id: user.user_id }, self ? caller.session.session_id : undefined);
  await recordAudit(deps, caller.user, { object_type: 'USER', object_id: user.user_id, company_id: user.company_id, action: 'change-password', changes: { by_self: self, sessions_ended: ended } });
  return { user_id: user.user_id, sessions_ended: ended };
}
