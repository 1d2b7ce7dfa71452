// The HTTP edge's one request pipeline, shared by the api, media and lite functions: a middy chain
// whose steps each route of route-table.ts runs in this order:
//   observability  Powertools logs (correlation id), X-Ray trace, EMF metrics
//   throttling     OZ_THROTTLING_RATES (throttle.ts), before anything else is read
//   routing        the routeKey (trailing-slash twins, "$default") to the route and its operation
//   authentication every route not marked `open` in the table: the operation gets the caller
//   validation     the route's zod schemas (schemas/routes.ts): query and JSON body; their
//                  parsed output is what the operation receives, typed per route
//   operation      (input, caller, deps) => answer
//   deadline guard middy's timeoutEarlyInMillis: OZ_DEADLINE_MARGIN_MS before the function's
//                  timeout the request answers 503 instead of dying in a Lambda timeout
//   errors         one onError: the Oz error body (or API Lite's, for its routes)
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import type { MiddlewareObj } from '@middy/core';
import { authenticate, type Caller } from '../../layers/core/auth';
import type { CoreDeps } from '../../layers/core/deps';
import { ApiError, ErrorCode, notAllowed, notFound } from '../../layers/core/errors';
import { lambdaEntry } from '../lambda';
import type { Config } from '../config';
import { countError, errorInfo, logger, observability, setCorrelationId } from '../observability';
import { coreDeps, rateCounter } from '../wiring';
import { liteMethodError } from '../lite/methods';
import { answerIntegerTimestamps, decodeComponent, errorResponse, malformedPath, toRequest, type Request } from './http';
import { ROUTES, TRAILING_SLASH_SUFFIX, routeKeyOf, type FunctionName, type RouteDef, type RouteKey } from './route-table';
import type { RouteBody, RouteQuery } from './schemas/routes';
import { validateRequest } from './schemas/validate';
import { reportCounterFailures, throttleAfter, throttleBefore, type ThrottleState } from './throttle';

type Result = APIGatewayProxyResultV2;

/** What the operation of route K receives: the path parameters, and its query and JSON body as the route's schemas output them. */
export interface OperationInput<K extends string = RouteKey> {
  params: Record<string, string>;
  /** the output of the route's query schema (schemas/routes.ts): numbers, epoch seconds and flags already parsed */
  query: RouteQuery<K>;
  /** the output of the route's JSON body schema (schemas/routes.ts); undefined for routes without one */
  body: RouteBody<K>;
  /** the whole request (multipart uploads, raw API Lite bodies, headers) */
  request: Request;
}

/** A route behind authentication: the caller is known. */
export type Operation<K extends string = RouteKey> = (input: OperationInput<K>, caller: Caller, deps: CoreDeps) => Promise<Result>;
/** An `open` route: no caller (the operation authenticates itself where it may). */
export type OpenOperation<K extends string = RouteKey> = (input: OperationInput<K>, caller: null, deps: CoreDeps) => Promise<Result>;

type KeyOf<R> = R extends { method: infer M extends string; path: infer P extends string } ? `${M} ${P}` : never;
type Routes = (typeof ROUTES)[number];
export type RouteKeyOf<F extends FunctionName> = KeyOf<Extract<Routes, { fn: F }>>;
type OpenKey = KeyOf<Extract<Routes, { open: true }>>;
/** Exactly the function's routes, each with the operation type its `open` flag calls for. */
export type Operations<F extends FunctionName> = { [K in RouteKeyOf<F>]: K extends OpenKey ? OpenOperation<K> : Operation<K> };

/** Errors of routes whose family answers in its own terms (API Lite). */
export type ErrorAnswer = (routeKey: string, err: unknown) => Result;

const ROUTE_BY_KEY = new Map((ROUTES as readonly RouteDef[]).map((r) => [routeKeyOf(r), r]));

/** Matches a concrete path against the table (used for "$default": wrong method vs no such path). */
function matchPath(path: string): { key: string; params: Record<string, string> }[] {
  const segments = path.replace(/\/+$/, '').split('/');
  const found: { key: string; params: Record<string, string> }[] = [];
  for (const route of ROUTES) {
    const pattern = route.path.split('/');
    if (pattern.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const ok = pattern.every((p, i) => {
      const s = segments[i]!;
      if (p.startsWith('{')) {
        const decoded = decodeComponent(s);
        if (decoded === null) throw malformedPath();
        params[p.slice(1, -1)] = decoded;
        return s !== '';
      }
      return p === s;
    });
    if (ok) found.push({ key: routeKeyOf(route), params });
  }
  return found;
}

/**
 * The core's dependencies, built at their first use: open routes like /api/healthcheck and all of
 * API Lite (whose function has no bucket or queue) need none.
 */
const lazyDeps: CoreDeps = new Proxy({} as CoreDeps, { get: (_target, key) => Reflect.get(coreDeps(), key) });

/** The request's state along the chain. */
interface State {
  event: APIGatewayProxyEventV2;
  throttle?: ThrottleState;
  request?: Request;
  route?: RouteDef;
  caller?: Caller | null;
  query?: Record<string, unknown>;
  body?: unknown;
  /** an answer decided before the operation (429, API Lite's wrong-method answers) */
  answer?: Result;
}

const states = new WeakMap<object, State>();
const stateOf = (event: APIGatewayProxyEventV2): State => {
  let state = states.get(event);
  if (!state) states.set(event, (state = { event }));
  return state;
};

type Step = MiddlewareObj<APIGatewayProxyEventV2, Result>;

/** The correlation id: the client's X-Correlation-Id or X-Request-Id, else API Gateway's request id. */
const correlation: Step = {
  name: 'correlation',
  before: ({ event }) => {
    const headers = event.headers ?? {};
    const given = Object.entries(headers).find(([k]) => /^x-(correlation|request)-id$/i.test(k))?.[1];
    setCorrelationId(given && /^[\w.:-]{1,128}$/.test(given) ? given : event.requestContext?.requestId);
  },
};

function throttling(config: Config): Step {
  return {
    name: 'throttling',
    before: async ({ event }) => {
      const state = stateOf(event);
      const limited = await throttleBefore(event, config.OZ_THROTTLING_RATES, rateCounter);
      if (limited.answer) state.answer = limited.answer;
      state.throttle = limited.state;
    },
    after: async (request) => {
      const state = stateOf(request.event);
      if (state.throttle && request.response) request.response = await throttleAfter(state.throttle, request.response, rateCounter);
    },
    // After the errors step (onError runs in reverse order): a 401 from authentication is counted too.
    onError: async (request) => {
      const state = stateOf(request.event);
      if (state.throttle && request.response) request.response = await throttleAfter(state.throttle, request.response, rateCounter);
    },
  };
}

function routing(fn: FunctionName, operations: Record<string, unknown>): Step {
  return {
    name: 'routing',
    before: ({ event }) => {
      const state = stateOf(event);
      if (state.answer) return;
      const req = toRequest(event);
      state.request = req;
      let key = req.routeKey;
      if (key.endsWith(TRAILING_SLASH_SUFFIX)) {
        // A non-empty remainder is a longer path that a greedy twin caught (PATCH /api/folders/{id}/analyses
        // lands on the twin of PATCH /api/folders/{id}): decide it like "$default", so a documented path
        // with the wrong method answers 405 / error_code 1, not 404.
        key = (req.params['proxy'] ?? '') !== '' ? '$default' : key.slice(0, -TRAILING_SLASH_SUFFIX.length);
        delete req.params['proxy'];
      }
      if (key === '$default' || !(key in operations)) {
        // API Lite paths called with the wrong method answer in API Lite's own terms.
        const liteError = liteMethodError(req.method, req.path);
        if (liteError) {
          state.answer = liteError;
          return;
        }
      }
      if (key === '$default') {
        const candidates = matchPath(req.path);
        const exact = candidates.find((c) => c.key.startsWith(`${req.method} `));
        if (!exact) throw candidates.length ? notAllowed(req.method) : notFound(`Endpoint ${req.method} ${req.path}`);
        key = exact.key;
        Object.assign(req.params, exact.params);
      }
      if (!(key in operations)) throw notFound(`Endpoint ${key} in the ${fn} function`);
      state.route = ROUTE_BY_KEY.get(key)!;
    },
  };
}

/** Every route not marked `open`: no operation can forget. */
const authentication: Step = {
  name: 'authentication',
  before: async ({ event }) => {
    const state = stateOf(event);
    if (state.answer || !state.route) return;
    state.caller = state.route.open ? null : await authenticate(lazyDeps, state.request!.headers['x-forensic-access-token']);
  },
};

const validation: Step = {
  name: 'validation',
  before: ({ event }) => {
    const state = stateOf(event);
    if (state.answer || !state.route) return;
    const parsed = validateRequest(routeKeyOf(state.route), state.request!);
    state.query = parsed.query;
    state.body = parsed.body;
  },
};

/** The documented error an HTTP request answers when its function is about to time out. */
export const deadlineError = () =>
  new ApiError(503, ErrorCode.UNKNOWN, "The request did not finish within the function's time limit: retry it, or send large media through POST /api/uploads", { reason: 'deadline' });

function errors(answer: ErrorAnswer | undefined): Step {
  return {
    name: 'errors',
    onError: (request) => {
      const err = request.error;
      const route = states.get(request.event)?.route;
      const response = route?.fn === 'lite' && answer ? answer(routeKeyOf(route), err) : errorResponse(err);
      // A client's mistake is its answer; what answers 5xx is ours: logged with its cause and counted.
      if (typeof response === 'object' && (response.statusCode ?? 500) >= 500) {
        countError('http');
        logger.error('request failed', { route: route ? routeKeyOf(route) : request.event.routeKey, status: response.statusCode, ...errorInfo(err) });
      }
      // Set, not returned: the other middlewares' onError (logs, trace, metrics) still run.
      request.response = response;
    },
  };
}

/** The Lambda handler of one HTTP function: its operations behind the shared pipeline. */
export function httpHandler<F extends FunctionName>(fn: F, operations: Operations<F> | ((config: Config) => Operations<F>), options: { liteErrors?: ErrorAnswer } = {}) {
  type AnyOperation = (input: Omit<OperationInput, 'query' | 'body'> & { query: unknown; body: unknown }, caller: Caller | null, deps: CoreDeps) => Promise<Result>;
  return lambdaEntry<APIGatewayProxyEventV2, Result>(
    (middy, config) => {
      const ops = (typeof operations === 'function' ? operations(config) : operations) as unknown as Record<string, AnyOperation>;
      answerIntegerTimestamps(config.OZ_INTEGER_TIMESTAMPS);
      reportCounterFailures((limit, err) => {
        countError('throttling counter');
        logger.error('throttling counter failed, request let through', { limit, ...errorInfo(err) });
      });
      return middy(
        async (event: APIGatewayProxyEventV2, _context: Context) => {
          const state = stateOf(event);
          if (state.answer) return state.answer;
          const req = state.request!;
          return ops[routeKeyOf(state.route!)]!({ params: req.params, query: state.query, body: state.body, request: req }, state.caller ?? null, lazyDeps);
        },
        {
          timeoutEarlyInMillis: config.OZ_DEADLINE_MARGIN_MS,
          timeoutEarlyResponse: () => {
            throw deadlineError();
          },
        },
      )
        .use(observability())
        .use(correlation)
        .use(throttling(config))
        .use(routing(fn, ops))
        .use(authentication)
        .use(validation)
        .use(errors(options.liteErrors));
    },
    // A bad configuration: logged (naming the variable), and the documented 500, not a silent default.
    (err) => {
      logger.error('invalid configuration', errorInfo(err));
      return errorResponse(err);
    },
  );
}
