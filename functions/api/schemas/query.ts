// Query-string fields as Oz clients send them (text) and as the operations receive them (numbers,
// epoch seconds, booleans): the route schemas (routes.ts) are built from these, so every route
// parses its query once, in the pipeline's validation step, and no operation parses text itself.
// Every problem is a 400 / error_code 4 naming the parameter (validate.ts).
import { z } from 'zod';

/** The latest instant a time filter may name: 2286-11-20T17:46:39Z, the store's own upper bound. */
export const MAX_EPOCH_SECONDS = 9_999_999_999;

/** A parameter sent empty (`?limit=`) is as if absent: it takes its default. */
const unlessEmpty = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (value === '' ? undefined : value), schema);

/** A count (offset, limit): a non-negative integer; `fallback` when absent, and clamped to `max`. */
export function count(description: string, fallback: number, max: number) {
  const error = 'must be a non-negative integer';
  return unlessEmpty(z.coerce.number({ error }).int({ error }).min(0, { error }).optional())
    .transform((value) => Math.min(value ?? fallback, max))
    .meta({ description });
}

/** A whole number from `min` to `max`; `fallback` when absent. */
export function wholeNumber(description: string, min: number, max: number, fallback: number) {
  const error = `must be a whole number from ${min} to ${max}`;
  return unlessEmpty(z.coerce.number({ error }).int({ error }).min(min, { error }).max(max, { error }).optional())
    .transform((value) => value ?? fallback)
    .meta({ description });
}

/**
 * An instant in epoch seconds. Values above 1e12 are milliseconds (some clients send Date.now()),
 * converted here; anything that is not from 0 to MAX_EPOCH_SECONDS, in seconds or milliseconds, is
 * a 400, never a filter silently dropped.
 */
export function epoch(description: string) {
  const error = 'must be a non-negative number of epoch seconds (or milliseconds)';
  const outOfRange = `out of range: at most ${MAX_EPOCH_SECONDS} epoch seconds (or milliseconds)`;
  return unlessEmpty(z.coerce.number({ error }).min(0, { error }).max(MAX_EPOCH_SECONDS * 1000 + 999, { error: outOfRange }).optional())
    .transform((value, ctx) => {
      if (value === undefined) return undefined;
      const seconds = value > 1e12 ? value / 1000 : value;
      // Between MAX_EPOCH_SECONDS and 1e12 a value is too late as seconds and too early to be milliseconds.
      if (seconds <= MAX_EPOCH_SECONDS) return seconds;
      ctx.issues.push({ code: 'custom', message: outOfRange, input: value });
      return z.NEVER;
    })
    .meta({ description: `${description}; from 0 to ${MAX_EPOCH_SECONDS} seconds (2286-11-20), or the same in milliseconds; min after max is a 400` });
}

/** Seconds (a position in a video): a non-negative number. */
export function seconds(description: string) {
  const error = 'must be a number of seconds from 0';
  return unlessEmpty(z.coerce.number({ error }).min(0, { error }).optional()).meta({ description });
}

const YES = ['true', '1', 'yes'];
const NO = ['false', '0', 'no', ''];

/** A flag: true, 1 or yes (any case); false, 0, no, empty or absent are false, anything else a 400. */
export function flag(description: string) {
  return z
    .string()
    .optional()
    .transform((value, ctx) => {
      const word = (value ?? '').toLowerCase();
      if (YES.includes(word)) return true;
      if (!NO.includes(word)) ctx.issues.push({ code: 'custom', message: 'must be true or false (or 1 / 0, yes / no)', input: value });
      return false;
    })
    .meta({ description: `${description} ("true", "1" or "yes"; "false", "0", "no" or empty for no; any case)` });
}

/** offset and limit of every list. */
export const paging = {
  offset: count('Items to skip (default 0, at most 1000000)', 0, 1_000_000),
  limit: count('Items to answer (default 100, at most 1000)', 100, 1000),
};

/**
 * The check of a query whose `<prefix>.min` and `<prefix>.max` (epoch fields, already in seconds)
 * form windows: a reversed one is a 400 naming both.
 */
export const windowsInOrder =
  (...prefixes: string[]) =>
  (query: Record<string, unknown>, ctx: z.core.$RefinementCtx) => {
    for (const prefix of prefixes) {
      const min = query[`${prefix}.min`];
      const max = query[`${prefix}.max`];
      if (typeof min === 'number' && typeof max === 'number' && min > max) {
        ctx.addIssue({ code: 'custom', path: [`${prefix}.min`], message: `must not be later than ${prefix}.max`, input: query });
      }
    }
  };
