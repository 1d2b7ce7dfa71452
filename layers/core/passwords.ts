// Passwords are hashed with scrypt (memory-hard, in Node's crypto: no native dependency).
import { randomBytes, scrypt, timingSafeEqual, createHash } from 'node:crypto';

const N = 1 << 15; // 32 MiB of memory per hash with r = 8
const R = 8;
const P = 1;
const KEY_LENGTH = 32;
const MAX_MEM = 64 * 1024 * 1024;

function derive(password: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, { N: n, r, p, maxmem: MAX_MEM }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, N, R, P);
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64');
  const actual = await derive(password, Buffer.from(salt, 'base64'), Number(n), Number(r), Number(p));
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** Tokens are lower-case hex (Oz's own health check matches `"access_token": "[a-z0-9]`). */
export const newToken = () => randomBytes(24).toString('hex');
export const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

/** The password policy (Oz's OZ_PASSWORD_POLICY): what GET /api/config reports and every new password must meet. */
export interface PasswordPolicy {
  min_length: number;
  max_length: number;
  require_letter: boolean;
  require_digit: boolean;
  differs_from_email: boolean;
}

export const passwordPolicy = (minLength: number): PasswordPolicy => ({
  min_length: minLength,
  max_length: 256,
  require_letter: true,
  require_digit: true,
  differs_from_email: true,
});

/** The first rule the password breaks (its policy field and a sentence), or null when it meets the policy. */
export function passwordProblem(password: string, policy: PasswordPolicy, email?: string): { rule: keyof PasswordPolicy; message: string } | null {
  if (password.length < policy.min_length) return { rule: 'min_length', message: `The password must be at least ${policy.min_length} characters long` };
  if (password.length > policy.max_length) return { rule: 'max_length', message: `The password is at most ${policy.max_length} characters long` };
  if (policy.require_letter && !/\p{L}/u.test(password)) return { rule: 'require_letter', message: 'The password must contain at least one letter' };
  if (policy.require_digit && !/\p{Nd}/u.test(password)) return { rule: 'require_digit', message: 'The password must contain at least one digit' };
  if (policy.differs_from_email && email && password.trim().toLowerCase() === email.trim().toLowerCase()) {
    return { rule: 'differs_from_email', message: 'The password must not be the same as the email' };
  }
  return null;
}
