// The Postman collection generated from openapi/openapi.json: v2.1 structure, every operation
// once, token handling, example bodies, and the checked-in files current.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { COLLECTION_FILE, ENVIRONMENT_FILE, OPENAPI_FILE, POSTMAN_SCHEMA, TOKEN_HEADER, asText, postmanCollection, postmanEnvironment } from '../../scripts/postman';

const ROOT = path.resolve(__dirname, '..', '..');
const doc = JSON.parse(fs.readFileSync(path.join(ROOT, OPENAPI_FILE), 'utf8'));
const collection = postmanCollection(doc) as any;
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

const requests = (): any[] => collection.item.flatMap((folder: any) => folder.item.map((r: any) => ({ ...r, folder: folder.name })));
const operations = () =>
  Object.entries(doc.paths as Record<string, any>).flatMap(([route, item]) =>
    METHODS.filter((m) => item[m]).map((m) => ({ route, method: m.toUpperCase(), op: item[m] })),
  );
/** A request's path back in OpenAPI form: ":folder_id" segments become "{folder_id}". */
const routeOf = (r: any) => '/' + r.request.url.path.map((s: string) => s.replace(/^:(.+)$/, '{$1}')).join('/');

test('the collection has the v2.1 shape: info with the schema, folders of items, requests with method and url', () => {
  assert.equal(collection.info.schema, POSTMAN_SCHEMA);
  assert.equal(typeof collection.info.name, 'string');
  assert.match(collection.info._postman_id, /^[0-9a-f-]{36}$/);
  assert.ok(Array.isArray(collection.item) && collection.item.length > 0);
  for (const folder of collection.item) {
    assert.equal(typeof folder.name, 'string');
    assert.ok(Array.isArray(folder.item) && folder.item.length > 0, `folder ${folder.name} is empty`);
    for (const r of folder.item) {
      assert.equal(typeof r.name, 'string');
      assert.ok(METHODS.includes(r.request.method.toLowerCase()), r.request.method);
      assert.ok(Array.isArray(r.request.header));
      assert.deepEqual(r.request.url.host, ['{{host}}']);
      assert.ok(r.request.url.raw.startsWith(`{{host}}/${r.request.url.path.join('/')}`), r.request.url.raw);
      for (const q of r.request.url.query ?? []) assert.deepEqual(Object.keys(q).filter((k) => !['key', 'value', 'disabled', 'description'].includes(k)), []);
      assert.ok(Array.isArray(r.response));
      const body = r.request.body;
      if (body) {
        assert.ok(['raw', 'formdata', 'file'].includes(body.mode), body.mode);
        if (body.mode === 'raw') JSON.parse(body.raw);
        if (body.mode === 'formdata') for (const part of body.formdata) assert.ok(part.type === 'file' ? Array.isArray(part.src) : typeof part.value === 'string');
      }
    }
  }
  for (const e of collection.event) {
    assert.ok(['prerequest', 'test'].includes(e.listen));
    assert.equal(e.script.type, 'text/javascript');
    // The scripts are valid JavaScript.
    new Function('pm', 'console', e.script.exec.join('\n'));
  }
});

test('every OpenAPI operation is present once, in the folder of its first tag, with its path variables', () => {
  const ops = operations();
  const reqs = requests();
  assert.equal(reqs.length, ops.length);
  for (const { route, method, op } of ops) {
    const matches = reqs.filter((r) => r.request.method === method && routeOf(r) === route);
    assert.equal(matches.length, 1, `${method} ${route}`);
    const r = matches[0];
    assert.equal(r.folder, op.tags?.[0] ?? 'Other');
    if (op.summary) assert.equal(r.name, op.summary);
    const vars = [...route.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
    assert.deepEqual((r.request.url.variable ?? []).map((v: any) => v.key), vars);
  }
  // Folders follow the document's tag order.
  const tagOrder = doc.tags.map((t: any) => t.name).filter((n: string) => collection.item.some((f: any) => f.name === n));
  assert.deepEqual(collection.item.map((f: any) => f.name).slice(0, tagOrder.length), tagOrder);
});

test('secured operations send the token header; open ones (log in, health, API Lite) do not', () => {
  for (const { route, method, op } of operations()) {
    const r = requests().find((x) => x.request.method === method && routeOf(x) === route);
    const secured = (op.security ?? doc.security ?? []).some((s: object) => Object.keys(s).length > 0);
    const header = r.request.header.find((h: any) => h.key === TOKEN_HEADER);
    assert.equal(Boolean(header), secured, `${method} ${route}`);
    if (header) assert.equal(header.value, '{{token}}');
  }
  const login = requests().find((r) => routeOf(r) === '/api/authorize/auth');
  assert.deepEqual(JSON.parse(login.request.body.raw), { credentials: { email: '{{email}}', password: '{{password}}' } });
  const pre = collection.event.find((e: any) => e.listen === 'prerequest').script.exec.join('\n');
  assert.match(pre, /\/api\/authorize\/auth/);
  assert.match(pre, /pm\.environment\.set\('token'/);
});

test('uploads are multipart with a payload part holding media:tags for the example file part', () => {
  const create = requests().find((r) => r.request.method === 'POST' && routeOf(r) === '/api/folders');
  assert.equal(create.request.body.mode, 'formdata');
  const file = create.request.body.formdata.find((p: any) => p.type === 'file');
  const payload = JSON.parse(create.request.body.formdata.find((p: any) => p.key === 'payload').value);
  assert.ok(Array.isArray(payload['media:tags'][file.key]));
  const start = requests().find((r) => r.request.method === 'POST' && routeOf(r) === '/api/folders/{folder_id}/analyses');
  assert.ok(JSON.parse(start.request.body.raw).analyses.length > 0);
});

test('examples come from OpenAPI 3.1 schemas: examples, const, enums, $ref, type arrays with null, allOf', () => {
  const small = {
    openapi: '3.1.0',
    info: { title: 'T', version: '1' },
    tags: [{ name: 'A', description: 'tag a' }],
    paths: {
      '/things/{id}': {
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        post: {
          operationId: 'makeThing',
          tags: ['A'],
          security: [{ key: [] }],
          parameters: [{ name: 'mode', in: 'query', required: true, schema: { enum: ['fast', 'slow'] } }],
          requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } } },
          responses: { '200': { description: 'ok' } },
        },
      },
      '/open': { get: { responses: { '200': { description: 'ok' } } } },
    },
    components: {
      schemas: {
        Thing: {
          allOf: [
            { type: 'object', properties: { kind: { const: 'thing' }, size: { type: ['integer', 'null'], minimum: 3 } }, required: ['kind', 'size'] },
            { type: 'object', properties: { label: { type: 'string', examples: ['hello'] }, skipped: { type: 'string' } } },
          ],
        },
      },
    },
  };
  const c = postmanCollection(small) as any;
  assert.deepEqual(c.item.map((f: any) => [f.name, f.description ?? null]), [['A', 'tag a'], ['Other', null]]);
  const r = c.item[0].item[0].request;
  assert.deepEqual(JSON.parse(r.body.raw), { kind: 'thing', size: 3, label: 'hello' });
  assert.equal(r.url.raw, '{{host}}/things/:id?mode=fast');
  assert.deepEqual(r.url.variable.map((v: any) => v.key), ['id']);
  assert.ok(r.header.some((h: any) => h.key === TOKEN_HEADER));
  assert.ok(!c.item[1].item[0].request.header.some((h: any) => h.key === TOKEN_HEADER));
});

test('the environment holds host, email, password and token', () => {
  const env = postmanEnvironment() as any;
  assert.equal(env._postman_variable_scope, 'environment');
  assert.deepEqual(env.values.map((v: any) => v.key), ['host', 'email', 'password', 'token', 'token_expire_date']);
  assert.equal(env.values.find((v: any) => v.key === 'host').value, 'http://127.0.0.1:8080');
});

test('the checked-in collection and environment are current (npm run postman)', () => {
  const read = (f: string) => (fs.existsSync(path.join(ROOT, f)) ? fs.readFileSync(path.join(ROOT, f), 'utf8') : '');
  assert.ok(read(COLLECTION_FILE) === asText(collection), `${COLLECTION_FILE} is not what ${OPENAPI_FILE} generates: run npm run postman`);
  assert.ok(read(ENVIRONMENT_FILE) === asText(postmanEnvironment()), `${ENVIRONMENT_FILE} is stale: run npm run postman`);
});
