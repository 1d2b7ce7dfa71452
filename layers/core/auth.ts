// Sessions: access_token + expire_token pairs stored only as hashes, extended on use.
import type { CoreDeps } from './deps';
import { SYSTEM_COMPANY_ID, type Session, type StoredUser, type User } from './entities';
import { ApiError, ErrorCode, authExpired, authInvalid, authMissing, badStructure, forbidden, notFound } from './errors';
import { newToken, passwordPolicy, tokenHash, verifyPassword } from './passwords';
import { can, canIssueServiceToken, check } from './permissions';
import { publicUser } from './views';

export interface IssuedTokens {
  access_token: string;
  expire_token: string;
  expire_date: number;
  session_id: string;
  token_id: string;
}

const isLongLived = (user: User) => user.user_type === 'CLIENT_SERVICE';

/**
 * The integer form of a session id, for OZ_INTEGER_TIMESTAMPS=true: the Android SDK 2.0.2 parses
 * `session_id` as an integer (the documents show `0`). The first 48 bits of the UUID, so it is
 * stable, unique in practice and a safe JavaScript integer; the UUID stays in `token_id` and
 * DELETE .../sessions/{session_id} takes either form.
 */
export function sessionNumber(sessionId: string): number | null {
  const hex = sessionId.replace(/-/g, '');
  return /^[0-9a-f]{32}$/i.test(hex) ? parseInt(hex.slice(0, 12), 16) : null;
}

async function openSession(deps: Pick<CoreDeps, 'identity' | 'clock' | 'ids' | 'config'>, user: User, longLived: boolean, replaces: Session | null): Promise<IssuedTokens> {
  const now = deps.clock.now();
  const ttl = longLived ? deps.config.longLivedTtlSeconds : deps.config.sessionTtlSeconds;
  const access = newToken();
  const expire = newToken();
  const session: Session = {
    session_id: deps.ids.uuid(),
    token_id: deps.ids.uuid(),
    user_id: user.user_id,
    company_id: user.company_id,
    access_hash: tokenHash(access),
    expire_hash: tokenHash(expire),
    expire_date: now + ttl,
    ttl_seconds: ttl,
    long_lived: longLived,
    time_created: now,
    replaces_session_id: replaces?.session_id ?? null,
    replaces_access_hash: replaces?.access_hash ?? null,
  };
  await deps.identity.putSession(session);
  return { access_token: access, expire_token: expire, expire_date: session.expire_date, session_id: session.session_id, token_id: session.token_id };
}

const blocked = () => new ApiError(401, ErrorCode.USER_BLOCKED, 'User is blocked (is_active is false)');
const companyGone = () => new ApiError(401, ErrorCode.USER_BLOCKED, 'User is blocked: their company is being deleted');

/** A company marked in_deletion blocks its users (ADMIN and OPERATOR belong to no real company). */
async function companyDeleted(deps: Pick<CoreDeps, 'identity'>, companyId: string): Promise<boolean> {
  if (companyId === SYSTEM_COMPANY_ID) return false;
  return (await deps.identity.getCompany(companyId))?.in_deletion === true;
}

export async function authorize(deps: Pick<CoreDeps, 'identity' | 'clock' | 'ids' | 'config'>, email: string, password: string) {
  const user = await deps.identity.getUserByEmail(email);
  // The same answer for an unknown email and a wrong password: no account enumeration.
  const ok = user ? await verifyPassword(password, user.password_hash) : false;
  if (!user || !ok) throw new ApiError(401, ErrorCode.AUTH_INVALID, 'Invalid credentials: wrong email or password');
  if (!user.is_active) throw blocked();
  if (await companyDeleted(deps, user.company_id)) throw companyGone();
  const tokens = await openSession(deps, user, isLongLived(user), null);
  return { user: publicUser(user), ...tokens };
}

export interface Caller {
  user: StoredUser;
  session: Session;
}

/** Resolves the X-Forensic-Access-Token header to the caller, extending the session on use. */
export async function authenticate(deps: Pick<CoreDeps, 'identity' | 'clock'>, accessToken: string | undefined): Promise<Caller> {
  if (!accessToken) throw authMissing();
  const session = await deps.identity.getSessionByAccessHash(tokenHash(accessToken));
  if (!session) throw authInvalid();
  const now = deps.clock.now();
  if (session.expire_date <= now) throw authExpired();
  // Both reads at once: the company check costs no latency (a user moved to another company has
  // their sessions ended, so the session's company is the user's).
  const [user, deleted] = await Promise.all([deps.identity.getUser(session.user_id), companyDeleted(deps, session.company_id)]);
  if (!user) throw authInvalid('The user of this token no longer exists');
  if (!user.is_active) throw blocked();
  if (deleted) throw companyGone();
  // The first use of a refreshed pair retires the pair it replaced.
  if (session.replaces_access_hash) {
    await deps.identity.deleteSession({ access_hash: session.replaces_access_hash });
    session.replaces_access_hash = null;
    session.replaces_session_id = null;
    await deps.identity.putSession(session);
  }
  // Extend on use; write only when it moves the expiry noticeably, not on every request.
  const extended = now + session.ttl_seconds;
  if (!session.long_lived && extended - session.expire_date > 30) {
    await deps.identity.extendSession(session, extended);
    session.expire_date = extended;
  }
  return { user, session };
}

/** How long after its access token expired an expire_token still refreshes the pair (the stored session lives as long). */
export const REFRESH_WINDOW_SECONDS = 24 * 3600;

/**
 * POST /api/authorize/refresh {"expire_token"}: a new pair, also after the access token has expired
 * (what refresh is for), within REFRESH_WINDOW_SECONDS of it. The X-Forensic-Access-Token header is
 * optional; when sent it must be a token of the same user (expired or not), as the documents'
 * example sends it. The old pair is retired on the first use of the new one.
 */
export async function refresh(deps: Pick<CoreDeps, 'identity' | 'clock' | 'ids' | 'config'>, accessToken: string | undefined, expireToken: string): Promise<IssuedTokens> {
  if (expireToken === '') {
    throw badStructure('Could not locate field for key_path expire_token from provided dict data');
  }
  const old = await deps.identity.getSessionByExpireHash(tokenHash(expireToken));
  if (!old) throw new ApiError(401, ErrorCode.AUTH_INVALID, 'Session not found');
  if (old.expire_date + REFRESH_WINDOW_SECONDS <= deps.clock.now()) throw new ApiError(401, ErrorCode.AUTH_EXPIRED, 'The expire_token has expired too: authorize again');
  if (accessToken) {
    const current = await deps.identity.getSessionByAccessHash(tokenHash(accessToken));
    if (!current) throw authInvalid();
    if (current.user_id !== old.user_id) throw forbidden('You have not access to refresh this session');
  }
  const [user, deleted] = await Promise.all([deps.identity.getUser(old.user_id), companyDeleted(deps, old.company_id)]);
  if (!user) throw authInvalid('The user of this token no longer exists');
  if (!user.is_active) throw blocked();
  if (deleted) throw companyGone();
  return openSession(deps, user, old.long_lived, old);
}

export async function issueServiceToken(deps: Pick<CoreDeps, 'identity' | 'clock' | 'ids' | 'config'>, caller: Caller, userId: string) {
  const target = await deps.identity.getUser(userId);
  if (!target || !can(caller.user, 'USER', 'read', { company_id: target.company_id, owner_id: target.user_id })) throw notFound('User');
  if (!canIssueServiceToken(caller.user, target)) {
    throw forbidden('A service token can be issued only by ADMIN or CLIENT ADMIN, for a CLIENT SERVICE or OPERATOR user');
  }
  const tokens = await openSession(deps, target, true, null);
  return { token_id: tokens.token_id, user_id: target.user_id, access_token: tokens.access_token, expire_date: tokens.expire_date, session_id: tokens.session_id };
}

/** GET|POST /api/authorize/service_token (no user id): a CLIENT SERVICE user's own long-lived token. */
export async function issueOwnServiceToken(deps: Pick<CoreDeps, 'identity' | 'clock' | 'ids' | 'config'>, caller: Caller) {
  if (caller.user.user_type !== 'CLIENT_SERVICE') {
    throw forbidden('Only a CLIENT SERVICE user gets a service token for themselves; ADMIN and CLIENT ADMIN issue them with /api/authorize/service_token/{user_id}');
  }
  const tokens = await openSession(deps, caller.user, true, null);
  return { token_id: tokens.token_id, user_id: caller.user.user_id, access_token: tokens.access_token, expire_date: tokens.expire_date, session_id: tokens.session_id };
}

// Sessions API ("Added user sessions API"): list and end sessions; never answers tokens or hashes.

const sessionView = (session: Session, current: Session) => ({
  session_id: session.session_id,
  token_id: session.token_id,
  user_id: session.user_id,
  time_created: session.time_created,
  expire_date: session.expire_date,
  long_lived: session.long_lived,
  is_current: session.session_id === current.session_id,
});

/** The user whose sessions the caller manages: themselves, or a user they may update (ADMIN, CLIENT ADMIN). */
async function sessionOwner(deps: Pick<CoreDeps, 'identity'>, caller: Caller, userId: string): Promise<StoredUser> {
  const user = userId === caller.user.user_id ? caller.user : await deps.identity.getUser(userId);
  if (!user) throw notFound('User');
  check(caller.user, 'USER', 'update', { company_id: user.company_id, owner_id: user.user_id }, 'User');
  return user;
}

export async function listSessions(deps: Pick<CoreDeps, 'identity' | 'clock'>, caller: Caller, userId: string, page: { offset: number; limit: number }) {
  const user = await sessionOwner(deps, caller, userId);
  const now = deps.clock.now();
  const live = (await deps.identity.listSessions({ company_id: user.company_id, user_id: user.user_id })).filter((s) => s.user_id === user.user_id && s.expire_date > now);
  return { total: live.length, items: live.slice(page.offset, page.offset + page.limit).map((s) => sessionView(s, caller.session)) };
}

/** POST /api/authorize/logout: ends the caller's own session (both of its tokens). */
export async function logout(deps: Pick<CoreDeps, 'identity'>, caller: Caller): Promise<void> {
  await deps.identity.deleteSession(caller.session);
}

export async function endSession(deps: Pick<CoreDeps, 'identity'>, caller: Caller, userId: string, sessionId: string): Promise<void> {
  const user = await sessionOwner(deps, caller, userId);
  const session = (await deps.identity.listSessions({ company_id: user.company_id, user_id: user.user_id })).find((s) => (s.session_id === sessionId || String(sessionNumber(s.session_id)) === sessionId) && s.user_id === user.user_id);
  if (!session) throw notFound('Session');
  await deps.identity.deleteSession(session);
}

/** Ends every session of a user (or of a whole company), except `keep` (the caller's own, on a password change). */
export async function endSessions(deps: Pick<CoreDeps, 'identity'>, scope: { company_id: string; user_id?: string }, keep?: string): Promise<number> {
  const sessions = (await deps.identity.listSessions(scope)).filter((s) => s.session_id !== keep && (!scope.user_id || s.user_id === scope.user_id));
  for (let i = 0; i < sessions.length; i += 25) await Promise.all(sessions.slice(i, i + 25).map((s) => deps.identity.deleteSession(s)));
  return sessions.length;
}

/** The Oz API version whose documents (and changelog) this server follows. */
export const API_VERSION = '6.2.5';

/**
 * GET /api/config ("check the timezone settings"): the non-secret settings a client needs.
 * Timestamps are epoch seconds (UTC); `timezone` is the server's zone, for display only.
 */
export function clientConfig(deps: Pick<CoreDeps, 'clock' | 'config'>) {
  const timezone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  return {
    api_version: API_VERSION,
    timezone,
    utc_offset_minutes: -new Date(deps.clock.now() * 1000).getTimezoneOffset(),
    session_ttl: deps.config.sessionTtlSeconds,
    session_longlive_ttl: deps.config.longLivedTtlSeconds,
    password_policy: passwordPolicy(deps.config.passwordMinLength),
    thresholds: {
      threshold_spoofing: deps.config.defaultThresholdSpoofing,
      biometry_threshold: deps.config.biometryThreshold,
      biometry_operator_band: deps.config.biometryOperatorBand.length === 2 ? deps.config.biometryOperatorBand : null,
    },
  };
}
