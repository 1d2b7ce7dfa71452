// Query-string values as Oz clients send them.
import { badValue } from '../../layers/core/errors';

export function intParam(query: Record<string, string>, name: string, fallback: number, max: number): number {
  const raw = query[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw badValue(`${name} must be a non-negative integer`);
  return Math.min(value, max);
}

/** Epoch seconds; values above 1e12 are milliseconds (some clients send Date.now()). */
export function timeParam(query: Record<string, string>, name: string): number | undefined {
  const raw = query[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw badValue(`${name} must be a number of epoch seconds`);
  return value > 1e12 ? value / 1000 : value;
}

export const boolParam = (query: Record<string, string>, name: string) => ['true', '1', 'yes'].includes((query[name] ?? '').toLowerCase());
