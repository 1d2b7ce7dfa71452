// Sessions: access_token + expire_token pairs stored only as hashes, extended on use.
import type { CoreDeps } from './deps';
import type { Session, StoredUser, User } from './entities';
import { ApiError, ErrorCode, authExpired, authInvalid, authMissing, badStructure, forbidden, notFound } from './errors';
import { newToken, tokenHash, verifyPassword } from './passwords';
import { canIssueServiceToken } from './permissions';
import { publicUser } from './views';

export interface IssuedTokens {
  access_token: string;
  expire_token: string;
  expire_date: number;
  session_id: string;
  token_id: string;
}

const isLongLived = (user: User) => user.user_type === 'CLIENT_SERVICE';

async function openSession(deps: CoreDeps, user: User, longLived: boolean, replaces: Session | null): Promise<IssuedTokens> {
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
  await deps.store.putSession(session);
  return { access_token: access, expire_token: expire, expire_date: session.expire_date, session_id: session.session_id, token_id: session.token_id };
}

const blocked = () => new ApiError(401, ErrorCode.USER_BLOCKED, 'User is blocked (is_active is false)');

export async function authorize(deps: CoreDeps, email: string, password: string) {
  const user = await deps.store.getUserByEmail(email);
  // The same answer for an unknown email and a wrong password: no account enumeration.
  const ok = user ? await verifyPassword(password, user.password_hash) : false;
  if (!user || !ok) throw new ApiError(401, ErrorCode.AUTH_INVALID, 'Invalid credentials: wrong email or password');
  if (!user.is_active) throw blocked();
  const tokens = await openSession(deps, user, isLongLived(user), null);
  return { user: publicUser(user), ...tokens };
}

export interface Caller {
  user: StoredUser;
  session: Session;
}

/** Resolves the X-Forensic-Access-Token header to the caller, extending the session on use. */
export async function authenticate(deps: CoreDeps, accessToken: string | undefined): Promise<Caller> {
  if (!accessToken) throw authMissing();
  const session = await deps.store.getSessionByAccessHash(tokenHash(accessToken));
  if (!session) throw authInvalid();
  const now = deps.clock.now();
  if (session.expire_date <= now) throw authExpired();
  const user = await deps.store.getUser(session.user_id);
  if (!user) throw authInvalid('The user of this token no longer exists');
  if (!user.is_active) throw blocked();
  // The first use of a refreshed pair retires the pair it replaced.
  if (session.replaces_access_hash) {
    await deps.store.deleteSession({ access_hash: session.replaces_access_hash });
    session.replaces_access_hash = null;
    session.replaces_session_id = null;
    await deps.store.putSession(session);
  }
  // Extend on use; write only when it moves the expiry noticeably, not on every request.
  const extended = now + session.ttl_seconds;
  if (!session.long_lived && extended - session.expire_date > 30) {
    await deps.store.extendSession(session, extended);
    session.expire_date = extended;
  }
  return { user, session };
}

export async function refresh(deps: CoreDeps, caller: Caller, expireToken: unknown): Promise<IssuedTokens> {
  if (typeof expireToken !== 'string' || expireToken === '') {
    throw badStructure('Could not locate field for key_path expire_token from provided dict data');
  }
  const old = await deps.store.getSessionByExpireHash(tokenHash(expireToken));
  if (!old) throw new ApiError(401, ErrorCode.AUTH_INVALID, 'Session not found');
  if (old.user_id !== caller.user.user_id) throw forbidden('You have not access to refresh this session');
  return openSession(deps, caller.user, old.long_lived, old);
}

export async function issueServiceToken(deps: CoreDeps, caller: Caller, userId: string) {
  const target = await deps.store.getUser(userId);
  if (!target || !(caller.user.user_type === 'ADMIN' || target.company_id === caller.user.company_id)) throw notFound('User');
  if (!canIssueServiceToken(caller.user, target)) {
    throw forbidden('A service token can be issued only by ADMIN or CLIENT ADMIN, for a CLIENT SERVICE or OPERATOR user');
  }
  const tokens = await openSession(deps, target, true, null);
  return { token_id: tokens.token_id, user_id: target.user_id, access_token: tokens.access_token, expire_date: tokens.expire_date, session_id: tokens.session_id };
}
