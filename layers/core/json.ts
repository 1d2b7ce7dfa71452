// The one way client JSON is read (request bodies, multipart payload parts): whatever is parsed
// here can be stored in DynamoDB and answered again, and nothing in it can crash a handler.
//
// The rules (README, "Limits on what clients send"):
// - nesting: at most MAX_JSON_DEPTH levels of objects and arrays, checked on the text before
//   parsing, so 100,000 levels answer 400 without any recursion;
// - numbers: an integer written with digits only and beyond ±(2^53 − 1) is kept exactly, as a
//   string of its digits ("12345678901234567890"); any other number must be finite and, unless 0,
//   of a magnitude from 1e-130 to 2^53 − 1 (what DynamoDB and JavaScript both hold exactly
//   enough): 1e999, 1e200 and 1e-200 are refused;
// - keys: never "" (DynamoDB refuses empty names), "__proto__" or "constructor" (JavaScript gives
//   them a meaning: the first bypassed the meta_data size check, the second broke storage);
// - strings and keys: at most MAX_JSON_STRING_BYTES (keys MAX_JSON_KEY_BYTES) of UTF-8.
import { badStructure, badValue } from './errors';

export const MAX_JSON_DEPTH = 24;
export const MAX_JSON_STRING_BYTES = 64 * 1024;
export const MAX_JSON_KEY_BYTES = 1024;
export const RESERVED_JSON_KEYS: readonly string[] = ['', '__proto__', 'constructor'];
/** Non-zero numbers smaller than this cannot be stored (DynamoDB's smallest magnitude). */
export const MIN_JSON_MAGNITUDE = 1e-130;

const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const INTEGER = /^-?(?:0|[1-9]\d*)$/;

const isNumberStart = (c: number) => c === 0x2d || (c >= 0x30 && c <= 0x39);
const isNumberChar = (c: number) => isNumberStart(c) || c === 0x2b || c === 0x2e || c === 0x45 || c === 0x65;

/**
 * One pass over the text outside strings: the nesting depth, and every number literal checked or
 * rewritten (big integers become strings). Answers the text JSON.parse should read.
 */
function prescan(text: string, where: string): string {
  let depth = 0;
  let out: string[] | null = null;
  let copied = 0;
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // a string: skip to its closing quote, escapes included
      let j = i + 1;
      while (j < n) {
        const d = text.charCodeAt(j);
        if (d === 0x5c) j += 2;
        else if (d === 0x22) break;
        else j++;
      }
      i = j + 1;
      continue;
    }
    if (c === 0x7b || c === 0x5b) {
      if (++depth > MAX_JSON_DEPTH) throw badStructure(`The ${where} is nested deeper than ${MAX_JSON_DEPTH} levels of objects and arrays`);
      i++;
      continue;
    }
    if (c === 0x7d || c === 0x5d) {
      depth--;
      i++;
      continue;
    }
    if (isNumberStart(c)) {
      let j = i + 1;
      while (j < n && isNumberChar(text.charCodeAt(j))) j++;
      const literal = text.slice(i, j);
      if (NUMBER.test(literal)) {
        const value = Number(literal);
        if (INTEGER.test(literal)) {
          if (!Number.isSafeInteger(value)) {
            // kept exactly, as a string of its digits
            out ??= [];
            out.push(text.slice(copied, i), `"${literal}"`);
            copied = j;
          }
        } else if (!Number.isFinite(value) || (value !== 0 && (Math.abs(value) < MIN_JSON_MAGNITUDE || Math.abs(value) > Number.MAX_SAFE_INTEGER))) {
          throw badValue(
            `The ${where} holds the number ${literal.slice(0, 40)}, which cannot be stored: numbers other than plain integers must be finite and, unless 0, ` +
              `between 1e-130 and 9007199254740991 in magnitude (send larger integers with digits only, or the value as a string)`,
            { at: i },
          );
        }
      }
      i = j;
      continue;
    }
    i++;
  }
  if (!out) return text;
  out.push(text.slice(copied));
  return out.join('');
}

const pathText = (path: (string | number)[]) => path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('').replace(/^\./, '') || '(root)';

/** Keys and string sizes, walked without recursion (the depth is already bounded). */
export function checkClientJson(root: unknown, where: string): void {
  const stack: { value: unknown; path: (string | number)[] }[] = [{ value: root, path: [] }];
  while (stack.length) {
    const { value, path } = stack.pop()!;
    if (typeof value === 'string') {
      if (value.length > MAX_JSON_STRING_BYTES / 3 && Buffer.byteLength(value) > MAX_JSON_STRING_BYTES) {
        throw badValue(`The ${where} holds a string over ${MAX_JSON_STRING_BYTES / 1024} KB at ${pathText(path)}`, { path: pathText(path) });
      }
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => stack.push({ value: v, path: [...path, i] }));
    } else if (value !== null && typeof value === 'object') {
      for (const key of Object.keys(value)) {
        if (RESERVED_JSON_KEYS.includes(key)) {
          throw badValue(`The ${where} uses the reserved key ${JSON.stringify(key)} at ${pathText(path)}: keys must not be "", "__proto__" or "constructor"`, { path: pathText(path), key });
        }
        if (key.length > MAX_JSON_KEY_BYTES / 3 && Buffer.byteLength(key) > MAX_JSON_KEY_BYTES) {
          throw badValue(`The ${where} has a key over ${MAX_JSON_KEY_BYTES} bytes at ${pathText(path)}`, { path: pathText(path) });
        }
        stack.push({ value: (value as Record<string, unknown>)[key], path: [...path, key] });
      }
    }
  }
}

/**
 * Parses client JSON under the rules above; throws the documented 400 (error_code 3 for text
 * that is not JSON or nests too deep, 4 for a value that breaks a rule).
 */
export function parseClientJson(text: string, where = 'request body'): unknown {
  const rewritten = prescan(text, where);
  let value: unknown;
  try {
    value = JSON.parse(rewritten);
  } catch {
    throw badStructure(`The ${where} is not valid JSON`);
  }
  checkClientJson(value, where);
  return value;
}

/** Bytes of a value as stored (its JSON), which is what size limits are computed on. */
export const storedBytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value) ?? '');
