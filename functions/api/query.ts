// Query-string values as Oz clients send them.
import { badValue } from '../../layers/core/errors';

export function intParam(query: Record<string, string>, name: string, fallback: number, max: number): number {
  const raw = query[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw badValue(`${name} must be a non-negative integer`);
  return Math.min(value, max);
}

/** The latest instant a time filter may name: 2286-11-20T17:46:39Z, the store's own upper bound. */
export const MAX_EPOCH_SECONDS = 9_999_999_999;

/**
 * Epoch seconds; values above 1e12 are milliseconds (some clients send Date.now()). Anything that
 * is not a number from 0 to MAX_EPOCH_SECONDS (in seconds or milliseconds) is a 400, never a filter
 * silently dropped.
 */
export function timeParam(query: Record<string, string>, name: string): number | undefined {
  const raw = query[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw badValue(`${name} must be a non-negative number of epoch seconds (or milliseconds)`, { [name]: raw });
  const seconds = value > 1e12 ? value / 1000 : value;
  if (seconds > MAX_EPOCH_SECONDS) throw badValue(`${name} is out of range: at most ${MAX_EPOCH_SECONDS} epoch seconds (or milliseconds)`, { [name]: raw });
  return seconds;
}

/** `<prefix>.min` and `<prefix>.max` as a window; a reversed window is a 400. */
export function timeWindow(query: Record<string, string>, prefix: string): { min?: number; max?: number } {
  const min = timeParam(query, `${prefix}.min`);
  const max = timeParam(query, `${prefix}.max`);
  if (min !== undefined && max !== undefined && min > max) throw badValue(`${prefix}.min must not be later than ${prefix}.max`, { min, max });
  return { min, max };
}

export const boolParam = (query: Record<string, string>, name: string) => ['true', '1', 'yes'].includes((query[name] ?? '').toLowerCase());
