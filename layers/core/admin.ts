// Companies and users (enough for the documented flows; the full role matrix builds on this).
import type { Caller } from './auth';
import type { CoreDeps } from './deps';
import { SYSTEM_COMPANY_ID, USER_TYPES, type Company, type JsonObject, type StoredUser, type UserType } from './entities';
import { badStructure, badValue, forbidden, notFound } from './errors';
import { hashPassword } from './passwords';
import { canCreateCompany, canCreateUser, canListCompanies, canReadUser, companyScope, isGlobal } from './permissions';
import { ConflictError } from './store';
import { companyView, publicUser } from './views';

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

export async function createCompany(deps: CoreDeps, caller: Caller, body: unknown) {
  if (!canCreateCompany(caller.user)) throw forbidden('Only ADMIN can create companies');
  if (!isObject(body)) throw badStructure('The body must be a JSON object like {"name": "..."}');
  const name = body['name'];
  if (typeof name !== 'string' || name.trim() === '') throw badStructure('"name" is required');
  if (name.length > 200) throw badValue('"name" is at most 200 characters');
  const now = deps.clock.now();
  const company: Company = { company_id: deps.ids.uuid(), name: name.trim(), in_deletion: false, technical_meta_data: {}, time_created: now, time_updated: now };
  await deps.store.putCompany(company);
  return companyView(company);
}

export async function listCompanies(deps: CoreDeps, caller: Caller, query: { search_text?: string; offset: number; limit: number }) {
  if (!canListCompanies(caller.user)) throw forbidden();
  if (!isGlobal(caller.user)) {
    const own = await deps.store.getCompany(caller.user.company_id);
    const match = own && (!query.search_text || own.name.toLowerCase().includes(query.search_text.toLowerCase()));
    return { total: match ? 1 : 0, items: match && query.offset === 0 ? [companyView(own)] : [] };
  }
  const page = await deps.store.listCompanies(query);
  return { total: page.total, items: page.items.map(companyView) };
}

export async function getCompany(deps: CoreDeps, caller: Caller, companyId: string) {
  const scope = companyScope(caller.user);
  const company = scope === null || scope === companyId ? await deps.store.getCompany(companyId) : null;
  if (!company) throw notFound('Company');
  return companyView(company);
}

const FLAG_NAMES = ['biometry', 'quality', 'collection', 'documents'] as const;

/** Password policy (OZ_PASSWORD_POLICY in Oz): long enough, not all one kind of character. */
export function checkPassword(password: unknown): string {
  if (typeof password !== 'string' || password.length < 8) throw badValue('The password must be at least 8 characters long');
  if (password.length > 256) throw badValue('The password is at most 256 characters long');
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
}

export async function newUser(deps: CoreDeps, input: NewUserInput): Promise<StoredUser> {
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
    meta_data: {},
    time_created: now,
    time_updated: now,
    password_hash: await hashPassword(input.password),
  };
  try {
    await deps.store.createUser(user);
  } catch (err) {
    if (err instanceof ConflictError) throw badValue(`A user with email ${user.email} already exists`);
    throw err;
  }
  return user;
}

/** POST /api/users/: {credentials:{email,password}, profile:{company_id,user_type,...}} */
export async function createUser(deps: CoreDeps, caller: Caller, body: unknown) {
  if (!isObject(body) || !isObject(body['credentials']) || !isObject(body['profile'])) {
    throw badStructure('The body must be {"credentials": {"email", "password"}, "profile": {"company_id", "user_type", ...}}');
  }
  const credentials = body['credentials'];
  const profile = body['profile'];
  const email = credentials['email'];
  if (typeof email !== 'string' || !/^[^\s@]+@[^\s@]+$/.test(email.trim())) throw badValue('credentials.email must be an email address');
  const password = checkPassword(credentials['password']);
  const userType = legacyUserType(profile);
  const companyId = typeof profile['company_id'] === 'string' ? profile['company_id'].trim() : caller.user.company_id;
  if (!canCreateUser(caller.user, companyId, userType)) throw forbidden(`You cannot create a ${userType} user in this company`);
  const global = userType === 'ADMIN' || userType === 'OPERATOR';
  if (!global && !(await deps.store.getCompany(companyId))) throw badValue(`Company ${companyId} does not exist`);
  const str = (name: string) => (typeof profile[name] === 'string' ? (profile[name] as string) : undefined);
  const flags: NewUserInput['flags'] = {};
  for (const name of FLAG_NAMES) {
    const value = profile[`can_start_analysis_${name}`] ?? profile[`can_start_analyse_${name}`];
    if (typeof value === 'boolean') flags[name] = value;
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
  });
  return publicUser(user);
}

/** API 6 sends user_type; API 5 clients send CLIENT with is_admin / is_service flags. */
function legacyUserType(profile: JsonObject): UserType {
  const raw = profile['user_type'] ?? 'CLIENT';
  if (typeof raw !== 'string') throw badValue('profile.user_type must be a string');
  const normalised = raw.trim().toUpperCase().replace(/\s+/g, '_');
  if (!(USER_TYPES as readonly string[]).includes(normalised)) throw badValue(`profile.user_type "${raw}" is unknown: use one of ${USER_TYPES.join(', ')}`);
  let type = normalised as UserType;
  if (type === 'CLIENT' && profile['is_admin'] === true) type = 'CLIENT_ADMIN';
  else if (type === 'CLIENT' && profile['is_service'] === true) type = 'CLIENT_SERVICE';
  return type;
}

export async function getUser(deps: CoreDeps, caller: Caller, userId: string) {
  const user = await deps.store.getUser(userId);
  if (!user || !canReadUser(caller.user, user)) throw notFound('User');
  return publicUser(user);
}

export async function listUsers(deps: CoreDeps, caller: Caller, query: { offset: number; limit: number }) {
  if (caller.user.user_type === 'CLIENT') return { total: 1, items: query.offset === 0 ? [publicUser(caller.user)] : [] };
  const page = await deps.store.listUsers({ company_id: companyScope(caller.user), ...query });
  return { total: page.total, items: page.items.map(publicUser) };
}
