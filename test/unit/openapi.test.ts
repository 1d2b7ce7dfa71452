// The OpenAPI document: every route described, the checked-in file current, the document sound
// (every $ref resolves, every schema compiles as JSON Schema 2020-12), request validation lenient
// where the core is lenient and answering the documented error body where it is not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { ROUTES, routeKeyOf } from '../../functions/api/route-table';
import { ROUTE_SCHEMAS } from '../../functions/api/schemas/routes';
import { OPENAPI_PATH, openApiDocument, openApiText } from '../../functions/api/schemas/openapi';
import { validateRequest } from '../../functions/api/schemas/validate';
import { ApiError } from '../../layers/core/errors';
import type { Request } from '../../functions/api/http';
import { handler } from '../../functions/api/handler';
import { CLIENT_TYPES_PATH, clientTypesText } from '../../scripts/client-types';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
type Json = Record<string, any>;

test('every route of the route table has a schema entry, and every entry a route', () => {
  const keys = ROUTES.map(routeKeyOf);
  const missing = keys.filter((k) => !(k in ROUTE_SCHEMAS));
  assert.deepEqual(missing, [], `routes without an entry in functions/api/schemas/routes.ts: ${missing.join(', ')}`);
  const stale = Object.keys(ROUTE_SCHEMAS).filter((k) => !keys.includes(k as (typeof keys)[number]));
  assert.deepEqual(stale, [], `entries of functions/api/schemas/routes.ts for routes that do not exist: ${stale.join(', ')}`);
});

test('the checked-in openapi/openapi.json is current', () => {
  const file = path.join(REPO_ROOT, OPENAPI_PATH);
  const checkedIn = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  assert.ok(checkedIn === openApiText(), `${OPENAPI_PATH} is not what the schemas generate: run npm run openapi`);
});

test('the client package\'s generated types (clients/node/src/api-types.ts) are current', async () => {
  const file = path.join(REPO_ROOT, CLIENT_TYPES_PATH);
  const checkedIn = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  assert.ok(checkedIn === (await clientTypesText(openApiDocument())), `${CLIENT_TYPES_PATH} is not what the OpenAPI document generates: run npm run openapi`);
});

test('the document is OpenAPI 3.1 with one operation per route, every $ref resolving and every schema compiling', () => {
  const doc = openApiDocument() as Json;
  assert.equal(doc['openapi'], '3.1.0');
  let operations = 0;
  const ids = new Set<string>();
  for (const [template, item] of Object.entries(doc['paths'] as Json)) {
    for (const [method, op] of Object.entries(item as Json)) {
      operations++;
      assert.ok(!ids.has(op.operationId), `operationId ${op.operationId} is used twice`);
      ids.add(op.operationId);
      const declared = (op.parameters ?? []).filter((p: Json) => p['in'] === 'path').map((p: Json) => p['name']);
      const inTemplate = [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      assert.deepEqual(declared, inTemplate, `${method} ${template}: path parameters`);
      assert.ok(Object.keys(op.responses).some((s) => s.startsWith('2')), `${method} ${template} documents no success`);
    }
  }
  assert.equal(operations, ROUTES.length);

  const resolve = (pointer: string) => pointer.slice(2).split('/').reduce((node: any, key) => node?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
  const refs: string[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === '$ref') refs.push(x as string);
        else walk(x);
      }
    }
  };
  walk(doc);
  assert.ok(refs.length > 50);
  for (const ref of new Set(refs)) assert.ok(resolve(ref) !== undefined, `unresolved $ref ${ref}`);

  const ajv = new Ajv2020({ strict: false });
  ajv.addSchema({ $id: 'urn:oz-open:doc', components: doc['components'] });
  for (const id of Object.keys(doc['components']['schemas'])) assert.ok(ajv.getSchema(`urn:oz-open:doc#/components/schemas/${id}`), id);
  const error = ajv.getSchema('urn:oz-open:doc#/components/schemas/Error')!;
  assert.ok(error({ error_code: 10, error_message: 'Folder not found', details: null }));
  assert.ok(!error({ error_code: 10, error_message: 'Folder not found', details: null, extra: 1 }), 'answers are closed objects');
});

const req = (over: Partial<Request> & { json?: unknown }): Request => {
  const { json, ...rest } = over;
  return {
    method: 'POST',
    path: '/',
    routeKey: '',
    params: {},
    query: {},
    headers: { 'x-forensic-access-token': 'abc' },
    body: Buffer.from(json === undefined ? '' : JSON.stringify(json)),
    ...rest,
  };
};

function rejection(key: string, request: Request): ApiError {
  try {
    validateRequest(key, request);
  } catch (err) {
    assert.ok(err instanceof ApiError, String(err));
    return err;
  }
  assert.fail(`${key} accepted ${request.body.toString()}`);
}

test('request validation: the documented 400 with codes 3, 4 and 5 and the paths in details', () => {
  const missing = rejection('POST /api/authorize/auth', req({ json: { credentials: { email: 'a@b.c' } } }));
  assert.deepEqual([missing.status, missing.code], [400, 3]);
  assert.deepEqual(missing.details, [{ in: 'body', path: 'credentials.password', message: 'Required' }]);
  assert.match(missing.message, /credentials\.password/);

  const wrongType = rejection('POST /api/authorize/auth', req({ json: { credentials: { email: 5, password: 'x' } } }));
  assert.deepEqual([wrongType.code, (wrongType.details as Json[])[0]!['path']], [5, 'credentials.email']);

  const notObject = rejection('PATCH /api/folders/{folder_id}/meta_data', req({ method: 'PATCH', json: ['not', 'an', 'object'] }));
  assert.equal(notObject.code, 3);

  const items = rejection('POST /api/folders/{folder_id}/analyses', req({ json: { analyses: [{ type: 'quality' }, { type: 'biometry', source_media: 'abc' }] } }));
  assert.deepEqual([items.code, (items.details as Json[])[0]!['path']], [3, 'analyses[1].source_media']);

  const query = rejection('GET /api/folders', req({ method: 'GET', query: { limit: '-1' } }));
  assert.deepEqual([query.code, (query.details as Json[])[0]!['in']], [4, 'query']);
  const notInt = rejection('GET /api/users', req({ method: 'GET', query: { offset: 'ten' } }));
  assert.equal(notInt.code, 4);

  const notJson = rejection('POST /api/collections', req({ body: Buffer.from('{nope') }));
  assert.deepEqual([notJson.code, notJson.message], [3, 'The request body is not valid JSON']);
});

test('request validation is as lenient as the core: odd Content-Types, unknown fields, fields the core ignores, no token', () => {
  const ok = (key: string, request: Request) => assert.doesNotThrow(() => validateRequest(key, request), key);
  // JSON labelled as a form (iOS SDK, curl -d), unknown fields kept
  ok('POST /api/companies', req({ headers: { 'x-forensic-access-token': 'a', 'content-type': 'application/x-www-form-urlencoded' }, json: { name: 'Co', extra: [1] } }));
  // a real urlencoded form
  ok('POST /api/companies', req({ headers: { 'x-forensic-access-token': 'a', 'content-type': 'application/x-www-form-urlencoded' }, body: Buffer.from('name=Co') }));
  // the core ignores a non-object top-level params and a non-string company_id
  ok('POST /api/folders/{folder_id}/analyses', req({ json: { analyses: [{ type: 'QUALITY', params: null, source_media: null }], params: 'x' } }));
  ok('POST /api/collections', req({ json: { alias: 'blacklist', company_id: 12, meta_data: 'x' } }));
  // query numbers arrive as text; empty values mean the default
  ok('GET /api/folders', req({ method: 'GET', query: { limit: '10', offset: '', 'time_created.min': '1700000000000', with_analyses: 'true' } }));
  // optional bodies may be empty
  ok('POST /api/uploads', req({}));
  // without a token the operation answers 401 first, whatever the body
  ok('POST /api/companies', req({ headers: {}, json: {} }));
  // uploads are parsed by the upload functions
  ok('POST /api/folders', req({ headers: { 'x-forensic-access-token': 'a', 'content-type': 'multipart/form-data; boundary=x' }, body: Buffer.from('--x--') }));
});

test('user and password bodies: the client quirks reach the operation folded, unknown fields kept, wrong values refused with the documented codes', () => {
  const body = (key: string, json: unknown) => validateRequest(key, req({ json })).body;
  // API 5: a CLIENT with is_service is CLIENT_SERVICE; the documents' spaces around email and company_id; old flag spellings.
  const created = body('POST /api/users', {
    credentials: { email: ' svc@example.com ', password: 'x' },
    profile: { company_id: ' c1', user_type: 'client', is_admin: false, is_service: true, can_start_analyse_quality: false, can_start_analyze_biometry: true, middle_name: '', nickname: 'n' },
  });
  assert.deepEqual(created, {
    credentials: { email: 'svc@example.com', password: 'x' },
    profile: { company_id: 'c1', user_type: 'CLIENT_SERVICE', middle_name: '', nickname: 'n', can_start_analysis_quality: false, can_start_analysis_biometry: true },
  });
  assert.deepEqual((body('POST /api/users', { credentials: { email: 'a@b.c', password: 'x' }, profile: {} }) as { profile: unknown }).profile, { user_type: 'CLIENT' });
  assert.deepEqual(body('PATCH /api/users/{user_id}', { user_type: 'Client Admin', first_name: ' Bo ', can_start_analysis_documents: false, can_start_analyse_documents: true, shoe_size: 42 }), {
    user_type: 'CLIENT_ADMIN',
    first_name: 'Bo',
    can_start_analysis_documents: false,
    shoe_size: 42,
  });
  assert.deepEqual(body('POST /api/users/{user_id}/change-password', { credentials: { old_password: 'a', new_password: 'b' } }), { old_password: 'a', new_password: 'b' });
  assert.deepEqual(body('POST /api/users/{user_id}/change-password', { old_password: 'a', password: 'b' }), { old_password: 'a', new_password: 'b' });
  assert.deepEqual(body('POST /api/companies', { name: '  Acme  ' }), { name: 'Acme' });

  const code = (key: string, json: unknown) => rejection(key, req({ json })).code;
  assert.equal(code('POST /api/users', { credentials: { email: 'a@b.c', password: 'x' }, profile: { user_type: 'SUPERUSER' } }), 4);
  assert.equal(code('POST /api/users', { credentials: { email: 'a@b.c', password: 'x' }, profile: { meta_data: 'x' } }), 4);
  assert.equal(code('POST /api/users', { credentials: { email: 'not an email', password: 'x' }, profile: {} }), 4);
  assert.equal(code('POST /api/users', { credentials: { email: 'a@b.c', password: 'x' } }), 3);
  assert.equal(code('PATCH /api/users/{user_id}', { is_active: 'no' }), 5);
  assert.equal(code('PATCH /api/users/{user_id}', { can_start_analyse_quality: 'yes' }), 5);
  assert.equal(code('POST /api/users/{user_id}/change-password', { credentials: { old_password: 'a' } }), 3);
  assert.equal(code('POST /api/companies', { name: ' ' }), 3);
  assert.equal(code('PATCH /api/companies/{company_id}', { name: '' }), 4);
});

test('GET /api/openapi.json serves the document without a token', async () => {
  const event = {
    version: '2.0',
    routeKey: 'GET /api/openapi.json',
    rawPath: '/api/openapi.json',
    rawQueryString: '',
    headers: {},
    isBase64Encoded: false,
    requestContext: { http: { method: 'GET', path: '/api/openapi.json' } },
  } as unknown as APIGatewayProxyEventV2;
  const res = (await handler(event)) as APIGatewayProxyStructuredResultV2;
  assert.equal(res.statusCode, 200);
  assert.deepEqual(JSON.parse(res.body!), openApiDocument());
});
