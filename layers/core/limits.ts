// Size limits on what clients send, checked where each value enters the core, so nothing reaches
// DynamoDB (400 KB per item, 1 KB per sort key) that it would refuse. README: "Limits on what
// clients send"; the OpenAPI document states the same numbers.
import { isJsonObject, type JsonObject } from './entities';
import { badValue } from './errors';
import { storedBytes } from './json';

export const LIMITS = {
  /** ids anywhere (path, query, body); ours are 36-character UUIDs */
  idChars: 256,
  /** RFC 5321's longest address */
  emailChars: 254,
  /** names and aliases (companies, users, collections) */
  nameChars: 200,
  /** resolution_endpoint */
  urlChars: 2048,
  /** one tag, and tags per media */
  tagChars: 256,
  tagsPerMedia: 64,
  /** media ids named in one analysis */
  sourceMedia: 100,
  /** an analysis' params, as stored JSON */
  paramsBytes: 16 * 1024,
  /** meta_data of anything, as stored JSON (metadata.ts) */
  metaDataBytes: 64 * 1024,
  /** free text: operator comments */
  textChars: 16 * 1024,
} as const;

/** A string within `max` characters, or the documented 400 naming the field. */
export function limitChars(value: string, name: string, max: number): string {
  if (value.length > max) throw badValue(`${name} is at most ${max} characters`, { field: name, limit: max, length: value.length });
  return value;
}

/** A JSON value within `max` bytes as stored, or the documented 400 naming the field. */
export function limitBytes<T>(value: T, name: string, max: number): T {
  const bytes = storedBytes(value);
  if (bytes > max) throw badValue(`${name} is at most ${max / 1024} KB (as stored JSON, UTF-8)`, { field: name, limit: max, bytes });
  return value;
}

/** A meta_data object as given at creation (folder, media, analysis, collection, person, company). */
export function metaDataOf(value: unknown, name = 'meta_data'): JsonObject {
  if (value === undefined || value === null) return {};
  if (!isJsonObject(value)) throw badValue(`${name} must be a JSON object`);
  return limitBytes(value, name, LIMITS.metaDataBytes);
}
