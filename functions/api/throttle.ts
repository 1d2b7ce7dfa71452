// Throttling (changelog: "auth, rest_unauthorized, rps_with_token throttling ... OZ_THROTTLING_RATES.
// Off by default"). Fixed windows counted in DynamoDB, so the limits hold across every Lambda
// instance: one atomic UpdateItem per request, and none at all while OZ_THROTTLING_RATES is unset.
//   auth              POST /api/authorize/auth, per source IP
//   rps_with_token    requests that carry X-Forensic-Access-Token, per token (its sha256)
//   rest_unauthorized requests without a token, per source IP; a request whose token turns out
//                     invalid or expired (401) is counted here too, and answers 429 once over
import { createHash } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { ApiError, ErrorCode, errorBody } from '../../layers/core/errors';
import { json } from './http';

export const LIMIT_NAMES = ['auth', 'rest_unauthorized', 'rps_with_token'] as const;
export type LimitName = (typeof LIMIT_NAMES)[number];
export interface Rate {
  limit: number;
  windowSeconds: number;
}
export type Rates = Partial<Record<LimitName, Rate>>;

/** Where a failed counter is told (the pipeline logs it); the request is let through. */
let onCounterFailure: (limit: LimitName, err: unknown) => void = () => {};
export const reportCounterFailures = (report: typeof onCounterFailure) => {
  onCounterFailure = report;
};

export interface RateCounter {
  /** Counts one hit in the window starting at `windowStart`; returns the window's count so far. */
  hit(key: string, windowStart: number, windowSeconds: number): Promise<number>;
}

const UNITS: Record<string, number> = { s: 1, sec: 1, second: 1, m: 60, min: 60, minute: 60, h: 3600, hour: 3600, d: 86400, day: 86400 };

/**
 * "auth=10/min,rest_unauthorized=60/min,rps_with_token=20/s": comma-separated NAME=COUNT/WINDOW,
 * WINDOW a unit (s, sec, second, m, min, minute, h, hour, d, day) optionally preceded by a whole
 * number ("100/10min"). Unset or empty: throttling is off. A name left out is not limited.
 */
export function parseRates(raw: string | undefined): Rates | null {
  if (raw === undefined || raw.trim() === '') return null;
  const rates: Rates = {};
  for (const part of raw.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^([a-z_]+)\s*=\s*(\d+)\s*\/\s*(\d*)\s*([a-z]+)$/i.exec(part);
    const name = m?.[1]?.toLowerCase() as LimitName | undefined;
    const unit = UNITS[m?.[4]?.toLowerCase() ?? ''];
    const times = m?.[3] ? Number(m[3]) : 1;
    if (!m || !name || !LIMIT_NAMES.includes(name) || !unit || times < 1) {
      throw new Error(`OZ_THROTTLING_RATES: "${part}" is not NAME=COUNT/WINDOW with NAME one of ${LIMIT_NAMES.join(', ')} and WINDOW like s, min, h, day or 10min`);
    }
    rates[name] = { limit: Number(m[2]), windowSeconds: times * unit };
  }
  return rates;
}

const header = (event: APIGatewayProxyEventV2, name: string) => Object.entries(event.headers ?? {}).find(([k]) => k.toLowerCase() === name)?.[1];

/** Which limit a request falls under, and whose counter it is. */
export function classify(event: APIGatewayProxyEventV2): { name: LimitName; subject: string } {
  const ip = event.requestContext?.http?.sourceIp || 'unknown';
  const method = (event.requestContext?.http?.method ?? '').toUpperCase();
  if (method === 'POST' && (event.rawPath ?? '').replace(/\/+$/, '') === '/api/authorize/auth') return { name: 'auth', subject: ip };
  const token = header(event, 'x-forensic-access-token');
  if (token) return { name: 'rps_with_token', subject: createHash('sha256').update(token).digest('hex') };
  return { name: 'rest_unauthorized', subject: ip };
}

/** The documented error body with status 429 and Retry-After (seconds to the end of the window). */
export function tooMany(name: LimitName, rate: Rate, retryAfter: number): APIGatewayProxyResultV2 {
  const err = new ApiError(429, ErrorCode.RATE_LIMITED, `Too many requests: the ${name} limit is ${rate.limit} per ${rate.windowSeconds} s; retry after ${retryAfter} s`, {
    limit: name,
    max_requests: rate.limit,
    window_seconds: rate.windowSeconds,
    retry_after: retryAfter,
  });
  return json(429, errorBody(err), { 'retry-after': String(retryAfter) });
}

async function check(counter: RateCounter, rates: Rates, name: LimitName, subject: string, nowMs: number): Promise<APIGatewayProxyResultV2 | null> {
  const rate = rates[name];
  if (!rate) return null;
  const now = nowMs / 1000;
  const start = Math.floor(now / rate.windowSeconds) * rate.windowSeconds;
  let count: number;
  try {
    count = await counter.hit(`${name}#${subject}`, start, rate.windowSeconds);
  } catch (err) {
    // Fail open: a counter outage must not take the API down with it.
    onCounterFailure(name, err);
    return null;
  }
  return count > rate.limit ? tooMany(name, rate, Math.max(1, Math.ceil(start + rate.windowSeconds - now))) : null;
}

/** What throttleAfter needs of the request: its limit and subject, and the rates in force. */
export interface ThrottleState {
  rates: Rates;
  name: LimitName;
  sourceIp: string;
}

/**
 * Counts the request (nothing at all when OZ_THROTTLING_RATES is unset): the 429 answer when over
 * its limit, else what throttleAfter needs.
 */
export async function throttleBefore(
  event: APIGatewayProxyEventV2,
  rates: Rates | null,
  counter: () => RateCounter,
  clock: () => number = Date.now,
): Promise<{ answer?: APIGatewayProxyResultV2; state?: ThrottleState }> {
  if (!rates) return {};
  const { name, subject } = classify(event);
  const limited = await check(counter(), rates, name, subject, clock());
  if (limited) return { answer: limited };
  return { state: { rates, name, sourceIp: event.requestContext?.http?.sourceIp || 'unknown' } };
}

/** A token that is not valid (401) makes this an unauthorized request from its source IP. */
export async function throttleAfter(state: ThrottleState, result: APIGatewayProxyResultV2, counter: () => RateCounter, clock: () => number = Date.now): Promise<APIGatewayProxyResultV2> {
  if (state.name === 'rps_with_token' && typeof result === 'object' && result.statusCode === 401) {
    return (await check(counter(), state.rates, 'rest_unauthorized', state.sourceIp, clock())) ?? result;
  }
  return result;
}
