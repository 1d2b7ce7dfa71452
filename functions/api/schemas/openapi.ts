// The OpenAPI 3.1 document, generated from the route table and the zod schemas (JSON Schema draft
// 2020-12, the dialect OpenAPI 3.1 uses). `npm run openapi` writes it to openapi/openapi.json and
// GET /api/openapi.json serves it; a unit test keeps the checked-in file equal to this.
import { z } from 'zod';
import pkg from '../../../package.json';
import { ROUTES, routeKeyOf, type RouteDef } from '../route-table';
import { REQUEST_IDS, RESPONSE_IDS } from './registry';
import { ROUTE_SCHEMAS, type ResponseSpec, type RouteSchema } from './routes';
import { MAX_JSON_DEPTH, MAX_JSON_KEY_BYTES, MAX_JSON_STRING_BYTES } from '../../../layers/core/json';
import { LIMITS } from '../../../layers/core/limits';

/** The rules of layers/core/json.ts and limits.ts, stated once for the whole document (README: "Limits on what clients send"). */
const CLIENT_INPUT_RULES =
  'Limits on what clients send (a 400 with error_code 3 or 4 otherwise, and nothing is stored): JSON nested at most ' +
  `${MAX_JSON_DEPTH} levels; strings at most ${MAX_JSON_STRING_BYTES / 1024} KB and keys at most ${MAX_JSON_KEY_BYTES} bytes (UTF-8); no key "", "__proto__" or "constructor"; ` +
  'an integer written with digits only beyond ±9007199254740991 is kept exactly, as a string of its digits; any other number must be finite and, unless 0, between 1e-130 and 9007199254740991 in magnitude. ' +
  `meta_data at most ${LIMITS.metaDataBytes / 1024} KB as stored JSON, analysis params ${LIMITS.paramsBytes / 1024} KB, names and aliases ${LIMITS.nameChars} characters, emails ${LIMITS.emailChars}, ` +
  `resolution_endpoint ${LIMITS.urlChars}, tags ${LIMITS.tagChars} characters and ${LIMITS.tagsPerMedia} per media, source_media ${LIMITS.sourceMedia} ids. ` +
  'An id longer than any stored one is simply not found (404). A URL path with a malformed percent-encoding answers 400.';

export const OPENAPI_PATH = 'openapi/openapi.json';

type Json = Record<string, unknown>;
const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** Drops zod's noise (propertyNames of string records, the safe-integer bounds of z.int()). */
function clean(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(clean);
  if (!value || typeof value !== 'object') return value;
  const out: Json = {};
  for (const [k, v] of Object.entries(value as Json)) {
    if (k === '$schema' || k === '$id') continue;
    if (k === 'propertyNames' && JSON.stringify(v) === '{"type":"string"}') continue;
    if ((k === 'maximum' && v === MAX_SAFE) || (k === 'minimum' && v === -MAX_SAFE)) continue;
    if (k === '$ref' && typeof v === 'string' && v.startsWith('#/$defs/')) {
      out[k] = `#/components/schemas/${v.slice('#/$defs/'.length)}`;
      continue;
    }
    out[k] = clean(v);
  }
  return out;
}

const idOf = (schema: z.ZodType): string | undefined => z.globalRegistry.get(schema)?.id as string | undefined;

/** A schema as JSON Schema: a $ref when it is a component, inline otherwise (its named parts as $refs). */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Json {
  const id = idOf(schema);
  if (id && (RESPONSE_IDS.has(id) || REQUEST_IDS.has(id))) return ref(id);
  const { $defs: _defs, ...rest } = z.toJSONSchema(schema, { io, target: 'draft-2020-12' }) as Json;
  return clean(rest) as Json;
}

function components(): Record<string, Json> {
  const uri = (id: string) => `#/components/schemas/${id}`;
  // Only the response components are taken from this pass: the request ones' transforms (their output side) need no representation.
  const out = z.toJSONSchema(z.globalRegistry, { io: 'output', target: 'draft-2020-12', uri, unrepresentable: 'any' }).schemas as Record<string, Json>;
  const inp = z.toJSONSchema(z.globalRegistry, { io: 'input', target: 'draft-2020-12', uri }).schemas as Record<string, Json>;
  const all: Record<string, Json> = {};
  for (const id of [...RESPONSE_IDS].sort()) all[id] = clean(out[id]) as Json;
  for (const id of [...REQUEST_IDS].sort()) all[id] = clean(inp[id]) as Json;
  return Object.fromEntries(Object.entries(all).sort(([a], [b]) => a.localeCompare(b)));
}

const PARAM_DESCRIPTIONS: Record<string, string> = {
  user_id: 'User id',
  company_id: 'Company id',
  folder_id: 'Folder id',
  media_id: 'Media id',
  analysis_id: 'Analysis id',
  collection_id: 'Collection id',
  person_id: 'Person id',
};

/** getFoldersFolderIdAnalyses: stable names for generated clients. */
export function operationId(route: RouteDef): string {
  const words = route.path
    .replace(/^\/api\//, '/')
    .split(/[/_.{}-]+/)
    .filter(Boolean);
  return route.method.toLowerCase() + words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
}

function content(spec: ResponseSpec): Json | undefined {
  const media: Json = {};
  if (spec.json) media['application/json'] = { schema: jsonSchema(spec.json, 'output') };
  for (const [type, schema] of Object.entries(spec.content ?? {})) media[type] = { schema: jsonSchema(schema, 'output') };
  return Object.keys(media).length ? media : undefined;
}

const errorContent = (schema: Json) => ({ 'application/json': { schema } });
const either = () => errorContent({ anyOf: [ref('LiteError'), ref('Error')] });

/** The error answers, once in components.responses and referenced by every operation. */
const ERROR_RESPONSES: Record<string, Json> = {
  BadRequest: { description: 'Invalid request: error_code 3 (structure), 4 (value) or 5 (type); details name what was wrong', content: errorContent(ref('Error')) },
  Unauthorized: { description: 'Token missing (6), invalid (7) or expired (8), wrong credentials (7), or the user is blocked (1401)', content: errorContent(ref('Error')) },
  Forbidden: { description: 'Not allowed for this role (error_code 9)', content: errorContent(ref('Error')) },
  NotFound: { description: "Not found, or another company's (error_code 10)", content: errorContent(ref('Error')) },
  TooLarge: { description: 'Larger than the direct-upload limit: use POST /api/uploads (error_code 4)', content: errorContent(ref('Error')) },
  ClientError: { description: 'Other client errors (405 wrong method, 429 too many requests...)', content: errorContent(ref('Error')) },
  ServerError: { description: 'Server error (error_code 0)', content: errorContent(ref('Error')) },
  LiteBadRequest: { description: 'Bad request: a BPE-* or LDE-* code', content: errorContent(ref('LiteError')) },
  LiteClientError: { description: 'Other client errors (the Oz error body for unknown paths and oversized requests)', content: either() },
  LiteServerError: { description: 'Processor error (BPE-001001 / LDE-001001)', content: either() },
};
/** Open routes that still read a token when one is sent (refresh: the header is optional, checked if present). */
const OPTIONAL_TOKEN = new Set(['/api/authorize/refresh']);
const use = (name: keyof typeof ERROR_RESPONSES) => ({ $ref: `#/components/responses/${name}` });

function responses(route: RouteDef, spec: RouteSchema): Json {
  const out: Json = {};
  for (const [status, r] of Object.entries(spec.responses)) {
    const c = content(r);
    out[status] = { description: r.description, ...(c ? { content: c } : {}) };
  }
  if (route.fn === 'lite') return { ...out, '400': use('LiteBadRequest'), '4XX': use('LiteClientError'), '5XX': use('LiteServerError') };
  out['400'] = use('BadRequest');
  if (!route.open || route.path === '/api/authorize/auth' || OPTIONAL_TOKEN.has(route.path)) out['401'] = use('Unauthorized');
  if (!route.open || OPTIONAL_TOKEN.has(route.path)) out['403'] = use('Forbidden');
  out['404'] = use('NotFound');
  if (spec.tooLarge) out['413'] = use('TooLarge');
  out['4XX'] = use('ClientError');
  out['5XX'] = use('ServerError');
  return out;
}

function requestBody(spec: RouteSchema): Json | undefined {
  const body = spec.body;
  if (!body) return undefined;
  if (body.kind === 'json') {
    return {
      required: body.required,
      description: 'JSON; read whatever the Content-Type says (clients send JSON as text/plain or application/x-www-form-urlencoded)',
      content: { 'application/json': { schema: jsonSchema(body.schema, 'input') } },
    };
  }
  if (body.kind === 'multipart') {
    return {
      required: true,
      content: {
        'multipart/form-data': { schema: jsonSchema(body.schema, 'input'), encoding: { payload: { contentType: 'application/json' } } },
        ...(body.json ? { 'application/json': { schema: jsonSchema(body.json, 'input') } } : {}),
      },
    };
  }
  return { required: true, content: Object.fromEntries(Object.entries(body.content).map(([type, s]) => [type, { schema: jsonSchema(s, 'input') }])) };
}

function parameters(route: RouteDef, spec: RouteSchema): Json[] {
  const params: Json[] = [];
  for (const m of route.path.matchAll(/\{([^}]+)\}/g)) {
    const name = m[1]!;
    params.push({ name, in: 'path', required: true, description: PARAM_DESCRIPTIONS[name] ?? name, schema: { type: 'string' } });
  }
  for (const [name, schema] of Object.entries(spec.query?.shape ?? {})) {
    const s = schema as z.ZodType;
    const { description, ...rest } = jsonSchema(s, 'input');
    params.push({ name, in: 'query', required: !s.safeParse(undefined).success, ...(description ? { description } : {}), schema: rest });
  }
  return params;
}

/** Routes of the table without an entry in routes.ts (left out of the document; a unit test fails on them). */
export const undescribedRoutes = () => (ROUTES as readonly RouteDef[]).map(routeKeyOf).filter((k) => !(k in ROUTE_SCHEMAS));

function operation(route: RouteDef, spec: RouteSchema): Json {
  const params = parameters(route, spec);
  const body = requestBody(spec);
  return {
    operationId: operationId(route),
    summary: spec.summary,
    ...(spec.description ? { description: spec.description } : {}),
    tags: [spec.tag],
    ...(params.length ? { parameters: params } : {}),
    ...(body ? { requestBody: body } : {}),
    responses: responses(route, spec),
    security: OPTIONAL_TOKEN.has(route.path) ? [{}, { ozToken: [] }] : route.open ? [] : [{ ozToken: [] }],
  };
}

let cached: Json | null = null;

/** The whole document (built once per process). */
export function openApiDocument(): Json {
  if (cached) return cached;
  const paths: Record<string, Json> = {};
  for (const route of ROUTES as readonly RouteDef[]) {
    const spec = ROUTE_SCHEMAS[routeKeyOf(route) as keyof typeof ROUTE_SCHEMAS];
    if (!spec) continue;
    paths[route.path] ??= {};
    paths[route.path]![route.method.toLowerCase()] = operation(route, spec);
  }
  cached = {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://spec.openapis.org/oas/3.1/dialect/base',
    info: {
      title: 'oz-open API',
      version: pkg.version,
      description:
        'An open, serverless implementation of the Oz facial-biometrics API (liveness, face matching, 1:N search) and API Lite. ' +
        'Generated from the zod schemas in functions/api/schemas by `npm run openapi`; every path also answers with a trailing slash.\n\n' +
        CLIENT_INPUT_RULES,
      license: { name: pkg.license, identifier: pkg.license },
    },
    servers: [{ url: '/', description: 'The deployment itself (the API is served at the host root)' }],
    tags: [...new Set(Object.values(ROUTE_SCHEMAS).map((s) => s!.tag))].map((name) => ({ name })),
    paths,
    components: {
      schemas: components(),
      responses: ERROR_RESPONSES,
      securitySchemes: { ozToken: { type: 'apiKey', in: 'header', name: 'X-Forensic-Access-Token', description: 'access_token of POST /api/authorize/auth' } },
    },
  };
  return cached;
}

/** The document as the checked-in file holds it. */
export const openApiText = () => `${JSON.stringify(openApiDocument(), null, 2)}\n`;
