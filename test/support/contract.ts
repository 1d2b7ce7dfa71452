// The contract test: every answer an e2e test receives through OzClient.request is checked against
// the OpenAPI document (route by method and path template, then the status's response schema),
// with ajv's JSON Schema 2020-12 validator, the dialect of OpenAPI 3.1. A mismatch throws, so the
// test that made the request fails and says which route, status and schema path.
import Ajv2020 from 'ajv/dist/2020';
import type { ValidateFunction } from 'ajv';
import { openApiDocument } from '../../functions/api/schemas/openapi';
import { ROUTES, routeKeyOf, type RouteDef } from '../../functions/api/route-table';

type Json = Record<string, any>;
const DOC_ID = 'urn:oz-open:openapi';

interface Operation {
  template: string;
  method: string;
  op: Json;
  pattern: RegExp;
  params: number;
}

let state: { doc: Json; ajv: Ajv2020; operations: Operation[]; validators: Map<string, ValidateFunction> } | null = null;

const patternOf = (template: string) => new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`);

function load() {
  if (state) return state;
  // The document as the server generates it (the unit test keeps openapi/openapi.json equal to it).
  const doc = JSON.parse(JSON.stringify(openApiDocument())) as Json;
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  ajv.addSchema({ $id: DOC_ID, components: doc['components'] });
  const operations: Operation[] = [];
  for (const [template, item] of Object.entries(doc['paths'] as Json)) {
    for (const [method, op] of Object.entries(item as Json)) {
      operations.push({ template, method: method.toUpperCase(), op: op as Json, pattern: patternOf(template), params: (template.match(/\{/g) ?? []).length });
    }
  }
  // Literal segments win over parameters (/api/users/{user_id} vs a literal sibling).
  operations.sort((a, b) => a.params - b.params);
  state = { doc, ajv, operations, validators: new Map() };
  return state;
}

const escapePointer = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

function validator(pointer: string, schema: Json): ValidateFunction {
  const s = load();
  let v = s.validators.get(pointer);
  if (!v) {
    // Compiled once per schema; $refs resolve against the document's components.
    v = s.ajv.compile({ $id: `${DOC_ID}:${s.validators.size}`, ...rewriteRefs(schema) });
    s.validators.set(pointer, v);
  }
  return v;
}

function rewriteRefs(value: any): any {
  if (Array.isArray(value)) return value.map(rewriteRefs);
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === '$ref' && typeof v === 'string' && v.startsWith('#/') ? `${DOC_ID}${v}` : rewriteRefs(v)]));
}

export class ContractError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ContractError';
  }
}

const bare = (urlPath: string) => {
  const path = urlPath.split('?')[0]!.split('#')[0]!;
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
};

/** The routes of the table that the document does not describe (their answers always fail). */
function undescribed(method: string, path: string): RouteDef | undefined {
  const described = new Set(load().operations.map((o) => `${o.method} ${o.template}`));
  return (ROUTES as readonly RouteDef[]).find((r) => r.method === method && patternOf(r.path).test(path) && !described.has(routeKeyOf(r)));
}

/** Throws a ContractError when the answer does not match the document. */
export function checkContract(method: string, urlPath: string, status: number, contentType: string | null, text: string, body: unknown): void {
  const s = load();
  const path = bare(urlPath);
  const upper = method.toUpperCase();
  const where = `${upper} ${urlPath} answered ${status}`;
  const missing = undescribed(upper, path);
  if (missing) throw new ContractError(`Contract: ${where}, but ${routeKeyOf(missing)} has no entry in functions/api/schemas/routes.ts (then run npm run openapi)`);
  const operation = s.operations.find((o) => o.method === upper && o.pattern.test(path));
  if (!operation) {
    // No such route: the router answers 404 / 405 (API Lite paths: 400 BPE/LDE-002002) in the documented error bodies.
    const onPath = s.operations.some((o) => o.pattern.test(path));
    const errorSchema = status === 400 && onPath && !path.startsWith('/api/') ? 'LiteError' : 'Error';
    if (![400, 404, 405].includes(status) && status < 500) throw new ContractError(`Contract: ${where}, but no operation of the OpenAPI document matches ${upper} ${path}`);
    return validate(`#/components/schemas/${errorSchema}`, { $ref: `#/components/schemas/${errorSchema}` }, body, `${where} (no such route)`);
  }
  const responses = operation.op['responses'] as Json;
  const key = [String(status), `${String(status)[0]}XX`, 'default'].find((k) => k in responses);
  const opPointer = `#/paths/${escapePointer(operation.template)}/${operation.method.toLowerCase()}`;
  const route = `${operation.method} ${operation.template}`;
  if (!key) throw new ContractError(`Contract: ${where}: ${route} documents no ${status} answer (it documents ${Object.keys(responses).join(', ')})`);
  let response = responses[key] as Json;
  let pointer = `${opPointer}/responses/${key}`;
  if (typeof response['$ref'] === 'string') {
    pointer = response['$ref'];
    response = s.doc['components']['responses'][pointer.split('/').pop()!];
  }
  const content = response['content'] as Json | undefined;
  if (!content) {
    if (text !== '') throw new ContractError(`Contract: ${where}: ${route} ${key} documents no body, got ${JSON.stringify(text.slice(0, 200))}`);
    return;
  }
  const mediaType = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (!(mediaType in content)) throw new ContractError(`Contract: ${where}: Content-Type ${contentType} is not one of ${Object.keys(content).join(', ')} documented at ${pointer}`);
  if (mediaType !== 'application/json') return; // binary and multipart answers: the media type is the contract
  const schema = content[mediaType]['schema'] as Json;
  validate(`${pointer}/content/${escapePointer(mediaType)}/schema`, schema, body, `${where} (${route})`);
}

function validate(pointer: string, schema: Json, body: unknown, where: string) {
  const v = validator(pointer, schema);
  if (v(body)) return;
  const errors = (v.errors ?? [])
    .slice(0, 8)
    .map((e) => `  ${e.instancePath || '(body)'} ${e.message}${e.params && Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : ''} [schema ${e.schemaPath}]`)
    .join('\n');
  throw new ContractError(`Contract: ${where} does not match ${pointer}:\n${errors}\nbody: ${JSON.stringify(body).slice(0, 600)}`);
}
