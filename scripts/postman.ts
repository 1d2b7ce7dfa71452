// `npm run postman`: a Postman collection (v2.1) and environment generated from the OpenAPI 3.1
// document openapi/openapi.json. One folder per tag, example bodies from the schemas, and a
// collection-level pre-request script that logs in with the environment's email and password.
import * as fs from 'node:fs';
import * as path from 'node:path';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Obj = { [key: string]: Json };

export const POSTMAN_SCHEMA = 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json';
export const OPENAPI_FILE = 'openapi/openapi.json';
export const COLLECTION_FILE = 'openapi/oz.postman_collection.json';
export const ENVIRONMENT_FILE = 'openapi/oz.postman_environment.json';
export const TOKEN_HEADER = 'X-Forensic-Access-Token';
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Authenticates before any request that carries the token header, when the token is missing or near expiry. */
const PRE_REQUEST = `// oz-open: log in with the environment's email and password when the token is missing or expires
// within a minute, then send it as ${TOKEN_HEADER} (requests without that header are left alone).
(function () {
  if (!pm.request.headers.has('${TOKEN_HEADER}')) return;
  const token = pm.environment.get('token');
  const expires = Number(pm.environment.get('token_expire_date') || 0);
  if (token && expires - Date.now() / 1000 > 60) return;
  const email = pm.environment.get('email');
  const password = pm.environment.get('password');
  if (!email || !password) {
    console.warn('oz-open: set email and password in the environment to authenticate');
    return;
  }
  pm.sendRequest(
    {
      url: pm.environment.get('host') + '/api/authorize/auth',
      method: 'POST',
      header: { 'Content-Type': 'application/json' },
      body: { mode: 'raw', raw: JSON.stringify({ credentials: { email: email, password: password } }) },
    },
    function (err, res) {
      if (err || res.code !== 200) {
        console.error('oz-open: authentication failed', err || res.text());
        return;
      }
      const body = res.json();
      pm.environment.set('token', body.access_token);
      pm.environment.set('token_expire_date', String(body.expire_date));
      pm.request.headers.upsert({ key: '${TOKEN_HEADER}', value: body.access_token });
    },
  );
})();`;

/** A token the server no longer knows (expired, revoked, a restarted local runtime) is dropped, so the next request logs in again. */
const TEST_SCRIPT = `// oz-open: forget a token the server refused (401, error_code 7 or 8) so the next request logs in again.
(function () {
  if (pm.response.code !== 401) return;
  let code;
  try {
    code = pm.response.json().error_code;
  } catch (e) {
    return;
  }
  if (code === 7 || code === 8) {
    pm.environment.unset('token');
    pm.environment.unset('token_expire_date');
  }
})();`;

/**
 * Bodies of the documents' own walkthroughs, for operations whose OpenAPI media type has no example
 * of its own (an example in the document wins). Postman variables fill in the environment's values.
 */
const FALLBACK_EXAMPLES: Record<string, Json> = {
  postAuthorizeAuth: { credentials: { email: '{{email}}', password: '{{password}}' } },
  postCompanies: { name: 'Demo Bank' },
  postUsers: { credentials: { email: 'client@demo.bank', password: 'client-password-1' }, profile: { company_id: '<company_id>', user_type: 'CLIENT', first_name: 'Demo', last_name: 'Client' } },
  postFolders: { 'media:tags': { media1: ['video_selfie', 'video_selfie_blank', 'orientation_portrait'] }, 'folder:meta_data': { transaction_id: 'tx-1' } },
  postFoldersFolderIdMedia: { 'media:tags': { media1: ['photo_selfie'] } },
  postInstantFolders: { 'media:tags': { media1: ['photo_selfie'] }, analyses: [{ type: 'quality' }] },
  postFoldersFolderIdAnalyses: { analyses: [{ type: 'quality' }, { type: 'biometry' }] },
  postCollections: { alias: 'blacklist' },
  postCollectionsCollectionIdPersons: { 'media:tags': { media1: ['photo_selfie'] }, 'person:meta_data': { name: 'Jane Doe' } },
  postCollectionsCollectionIdPersonsPersonIdImages: { 'media:tags': { media1: ['photo_selfie'] } },
  postUploads: { content_type: 'video/mp4' },
};

class Examples {
  constructor(private readonly doc: Obj) {}

  private resolve(ref: string): Json {
    return ref
      .replace(/^#\//, '')
      .split('/')
      .reduce<Json>((node, key) => (isObj(node) ? node[key.replace(/~1/g, '/').replace(/~0/g, '~')] ?? null : null), this.doc);
  }

  /** An example value for a JSON Schema (2020-12 as OpenAPI 3.1 uses it): examples, then synthesis. */
  of(schema: Json, depth = 0, name = ''): Json {
    if (!isObj(schema) || depth > 8) return null;
    if (typeof schema['$ref'] === 'string') return this.of(this.resolve(schema['$ref']), depth + 1, name);
    if (Array.isArray(schema['examples']) && schema['examples'].length) return schema['examples'][0]!;
    if ('example' in schema) return schema['example']!;
    if ('const' in schema) return schema['const']!;
    if ('default' in schema) return schema['default']!;
    if (Array.isArray(schema['enum']) && schema['enum'].length) return schema['enum'][0]!;
    for (const key of ['allOf', 'oneOf', 'anyOf']) {
      const list = schema[key];
      if (Array.isArray(list) && list.length) {
        if (key !== 'allOf') return this.of(list.find((s) => !(isObj(s) && s['type'] === 'null')) ?? list[0]!, depth + 1, name);
        return Object.assign({}, ...list.map((s) => this.of(s, depth + 1, name)).filter(isObj));
      }
    }
    const type = Array.isArray(schema['type']) ? schema['type'].find((t) => t !== 'null') : schema['type'];
    if (type === 'object' || isObj(schema['properties'])) {
      // Required properties, and optional ones the schema gives an example of: a body that can be sent as is.
      const out: Obj = {};
      const props = isObj(schema['properties']) ? schema['properties'] : {};
      const required = Array.isArray(schema['required']) ? schema['required'] : [];
      for (const [key, sub] of Object.entries(props)) if (required.includes(key) || this.hasExample(sub)) out[key] = this.of(sub, depth + 1, key);
      return out;
    }
    if (type === 'array') return schema['items'] === undefined ? [] : [this.of(schema['items'], depth + 1, name)];
    if (type === 'integer' || type === 'number') return typeof schema['minimum'] === 'number' ? schema['minimum'] : 0;
    if (type === 'boolean') return false;
    if (type === 'string') {
      if (schema['format'] === 'uuid' || /_id$/.test(name)) return '00000000-0000-0000-0000-000000000000';
      if (schema['format'] === 'email' || name === 'email') return 'user@example.com';
      if (schema['format'] === 'uri' || /url|endpoint/.test(name)) return 'https://example.com/';
      return name ? `<${name}>` : 'string';
    }
    return null;
  }

  private hasExample(schema: Json): boolean {
    const s = this.schema(schema);
    return (Array.isArray(s['examples']) && s['examples'].length > 0) || 'example' in s || 'default' in s || 'const' in s;
  }

  schema(schema: Json): Obj {
    if (isObj(schema) && typeof schema['$ref'] === 'string') return this.schema(this.resolve(schema['$ref']));
    return isObj(schema) ? schema : {};
  }
}

const isBinary = (s: Obj) => s['format'] === 'binary' || (typeof s['contentMediaType'] === 'string' && !/json/.test(s['contentMediaType']));

function body(ex: Examples, requestBody: Json, operationId: string): Obj | undefined {
  if (!isObj(requestBody) || !isObj(requestBody['content'])) return undefined;
  const content = requestBody['content'];
  const types = Object.keys(content);
  // Postman holds one body per request: multipart where the documents upload files, else JSON, else a raw file.
  const type = types.find((t) => t === 'multipart/form-data') ?? types.find((t) => /json/.test(t)) ?? types[0];
  if (!type) return undefined;
  const media = isObj(content[type]) ? content[type] : {};
  const example = (isObj(media['examples']) ? Object.values(media['examples']).find(isObj)?.['value'] : media['example']) ?? FALLBACK_EXAMPLES[operationId];
  if (/json/.test(type)) return { mode: 'raw', raw: JSON.stringify(example ?? ex.of(media['schema'] ?? null), null, 2), options: { raw: { language: 'json' } } };
  if (type === 'multipart/form-data') {
    const schema = ex.schema(media['schema'] ?? null);
    const props = isObj(schema['properties']) ? schema['properties'] : {};
    const formdata: Obj[] = [];
    for (const [key, raw] of Object.entries(props)) {
      const sub = ex.schema(raw);
      const description = typeof sub['description'] === 'string' ? sub['description'] : undefined;
      if (isBinary(sub)) formdata.push({ key, type: 'file', src: [], ...(description ? { description } : {}) });
      else {
        const value = key === 'payload' && example !== undefined ? example : sub['contentSchema'] ? ex.of(sub['contentSchema']) : ex.of(sub, 0, key);
        formdata.push({ key, type: 'text', value: typeof value === 'string' ? value : JSON.stringify(value), ...(description ? { description } : {}) });
      }
    }
    // Files under any field name: one example part to fill in.
    const extra = schema['additionalProperties'];
    if (isObj(extra) && isBinary(ex.schema(extra))) {
      const description = typeof extra['description'] === 'string' ? extra['description'] : 'a media file';
      formdata.unshift({ key: 'media1', type: 'file', src: [], description });
    }
    return { mode: 'formdata', formdata };
  }
  return { mode: 'file', file: { src: '' }, options: { file: { contentType: type } } };
}

/** The operation needs the token unless its own security, or the document's, is empty. */
function secured(doc: Obj, op: Obj): boolean {
  const security = op['security'] ?? doc['security'];
  return Array.isArray(security) && security.some((s) => isObj(s) && Object.keys(s).length > 0);
}

function request(ex: Examples, doc: Obj, route: string, method: string, op: Obj, shared: Json[]): Obj {
  const params = [...shared, ...(Array.isArray(op['parameters']) ? op['parameters'] : [])].map((p) => ex.schema(p));
  const pathParams = params.filter((p) => p['in'] === 'path');
  const query = params.filter((p) => p['in'] === 'query');
  const required = query.filter((q) => q['required'] === true);
  const headerParams = params.filter((p) => p['in'] === 'header');
  const pathSegments = route.replace(/^\//, '').split('/').map((s) => s.replace(/^\{(.+)\}$/, ':$1'));
  const header: Obj[] = [];
  if (secured(doc, op)) header.push({ key: TOKEN_HEADER, value: '{{token}}', description: 'Set by the collection pre-request script from the environment email and password' });
  for (const h of headerParams) header.push({ key: String(h['name']), value: String(ex.of(h['schema'] ?? null, 0, String(h['name'])) ?? ''), disabled: h['required'] !== true });
  const b = body(ex, op['requestBody'] ?? null, String(op['operationId'] ?? ''));
  if (b?.['mode'] === 'raw') header.push({ key: 'Content-Type', value: 'application/json' });
  const raw = `{{host}}/${pathSegments.join('/')}`;
  const describe = (p: Obj) => (typeof p['description'] === 'string' ? { description: p['description'] } : {});
  return {
    name: typeof op['summary'] === 'string' ? op['summary'] : `${method.toUpperCase()} ${route}`,
    request: {
      method: method.toUpperCase(),
      header,
      ...(b ? { body: b } : {}),
      url: {
        raw: raw + (required.length ? `?${required.map((q) => `${q['name']}=${String(ex.of(q['schema'] ?? null, 0, String(q['name'])))}`).join('&')}` : ''),
        host: ['{{host}}'],
        path: pathSegments,
        ...(query.length
          ? { query: query.map((q) => ({ key: String(q['name']), value: q['required'] === true ? String(ex.of(q['schema'] ?? null, 0, String(q['name']))) : '', disabled: q['required'] !== true, ...describe(q) })) }
          : {}),
        ...(pathParams.length ? { variable: pathParams.map((p) => ({ key: String(p['name']), value: '', ...describe(p) })) } : {}),
      },
      ...(typeof op['description'] === 'string' ? { description: op['description'] } : {}),
    },
    response: [],
  } as Obj;
}

/** The collection for an OpenAPI 3.1 document (a parsed JSON object). */
export function postmanCollection(document: object): Obj {
  const doc = document as Obj;
  const ex = new Examples(doc);
  const info = isObj(doc['info']) ? doc['info'] : {};
  const tagOrder = (Array.isArray(doc['tags']) ? doc['tags'] : []).filter(isObj);
  const folders = new Map<string, Obj[]>(tagOrder.map((t) => [String(t['name']), []]));
  const paths = isObj(doc['paths']) ? doc['paths'] : {};
  for (const [route, item] of Object.entries(paths)) {
    if (!isObj(item)) continue;
    const shared = Array.isArray(item['parameters']) ? item['parameters'] : [];
    for (const method of METHODS) {
      const op = item[method];
      if (!isObj(op)) continue;
      const tag = Array.isArray(op['tags']) && typeof op['tags'][0] === 'string' ? op['tags'][0] : 'Other';
      if (!folders.has(tag)) folders.set(tag, []);
      folders.get(tag)!.push(request(ex, doc, route, method, op, shared));
    }
  }
  const tagDescription = (name: string) => tagOrder.find((t) => t['name'] === name)?.['description'];
  return {
    info: {
      // Stable, so the generated file changes only when the document does.
      _postman_id: '6f7a0b3e-0e2f-4c1e-9d0a-6f7a0b3e0e2f',
      name: String(info['title'] ?? 'API'),
      description: `${String(info['description'] ?? '')}\n\nGenerated from ${OPENAPI_FILE} by \`npm run postman\`. Import ${ENVIRONMENT_FILE} too and set email and password: the collection's pre-request script logs in and sends the token.`.trim(),
      schema: POSTMAN_SCHEMA,
      version: String(info['version'] ?? ''),
    },
    item: [...folders.entries()]
      .filter(([, items]) => items.length)
      .map(([name, items]) => {
        const description = tagDescription(name);
        return { name, ...(typeof description === 'string' ? { description } : {}), item: items };
      }),
    event: [
      { listen: 'prerequest', script: { type: 'text/javascript', exec: PRE_REQUEST.split('\n') } },
      { listen: 'test', script: { type: 'text/javascript', exec: TEST_SCRIPT.split('\n') } },
    ],
  };
}

export function postmanEnvironment(host = 'http://127.0.0.1:8080'): Obj {
  return {
    id: '0c6b8f1d-5a43-4b7e-8a59-2d1f0c6b8f1d',
    name: 'oz-open (local)',
    values: [
      { key: 'host', value: host, type: 'default', enabled: true },
      { key: 'email', value: 'admin@example.com', type: 'default', enabled: true },
      { key: 'password', value: 'admin-local-only', type: 'secret', enabled: true },
      { key: 'token', value: '', type: 'secret', enabled: true },
      { key: 'token_expire_date', value: '', type: 'default', enabled: true },
    ],
    _postman_variable_scope: 'environment',
  };
}

export const asText = (value: Json) => JSON.stringify(value, null, 2) + '\n';

function main() {
  const root = path.resolve(__dirname, '..');
  const doc = JSON.parse(fs.readFileSync(path.join(root, OPENAPI_FILE), 'utf8')) as Obj;
  fs.writeFileSync(path.join(root, COLLECTION_FILE), asText(postmanCollection(doc)));
  fs.writeFileSync(path.join(root, ENVIRONMENT_FILE), asText(postmanEnvironment()));
  console.log(`wrote ${COLLECTION_FILE} and ${ENVIRONMENT_FILE}`);
}

if (require.main === module) main();
