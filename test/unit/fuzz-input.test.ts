// Property-based fuzzing (fast-check) of everything that reads raw client input before any handler
// logic: the multipart parser, the JSON reading path, query-string parsing, URL path decoding and
// routing, and the ZIP reader. The property is always the same: the answer is a value or the
// documented 4xx (ApiError, MediaError), never anything else, and what is accepted is storable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { marshall } from '@aws-sdk/util-dynamodb';
import { parseMultipart } from '../../functions/api/multipart';
import { jsonBody, toRequest, uploadBody, type Request } from '../../functions/api/http';
import { MAX_EPOCH_SECONDS } from '../../functions/api/schemas/query';
import { validateRequest } from '../../functions/api/schemas/validate';
import { ApiError } from '../../layers/core/errors';
import { MAX_JSON_DEPTH, parseClientJson, RESERVED_JSON_KEYS } from '../../layers/core/json';
import { matchRoute, type LocalRoute } from '../../infra/local/http-server';
import { readZipEntries } from '../../layers/vision/frames';
import { MediaError } from '../../layers/vision/errors';
import { makeZip } from './vision/helpers';

const RUNS = Number(process.env.OZ_FUZZ_RUNS) || 2000;
const params = (n = RUNS) => ({ numRuns: n, seed: process.env.OZ_FUZZ_SEED ? Number(process.env.OZ_FUZZ_SEED) : undefined });

/** The documented client error, or rethrows what no client should ever cause. */
function clientError(err: unknown): ApiError {
  if (err instanceof ApiError && err.status >= 400 && err.status < 500) return err;
  throw err;
}

function event(body: Buffer, headers: Record<string, string>, query?: Record<string, string>): APIGatewayProxyEventV2 {
  return {
    version: '2.0', routeKey: 'POST /api/folders', rawPath: '/api/folders', rawQueryString: '', headers, queryStringParameters: query,
    requestContext: { http: { method: 'POST', path: '/api/folders', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 't' } } as APIGatewayProxyEventV2['requestContext'],
    body: body.toString('base64'), isBase64Encoded: true,
  };
}

/** Everything a stored value must satisfy: DynamoDB takes it with the store's own options, JSON answers it. */
function assertStorable(value: unknown) {
  let depth = 0;
  const walk = (v: unknown, d: number) => {
    depth = Math.max(depth, d);
    if (typeof v === 'number') assert.ok(Number.isFinite(v) && Math.abs(v) <= Number.MAX_SAFE_INTEGER && (v === 0 || Math.abs(v) >= 1e-130), `number ${v}`);
    else if (Array.isArray(v)) v.forEach((x) => walk(x, d + 1));
    else if (v && typeof v === 'object') {
      for (const k of Object.keys(v)) {
        assert.ok(!RESERVED_JSON_KEYS.includes(k), `reserved key ${JSON.stringify(k)}`);
        walk((v as Record<string, unknown>)[k], d + 1);
      }
    }
  };
  walk(value, 0);
  assert.ok(depth <= MAX_JSON_DEPTH);
  marshall({ data: value }, { removeUndefinedValues: true });
  JSON.stringify(value);
}

// ---- JSON ---------------------------------------------------------------------------------------

/** Number literals as clients write them, the hostile ones included. */
const numberLiteral = fc.oneof(
  fc.integer().map(String),
  fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }).map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => JSON.stringify(d)),
  fc.tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: -400, max: 400 })).map(([m, e]) => `${m}e${e}`),
  fc.constantFrom('12345678901234567890', '1e200', '1e-200', '1e999', '-1e999', '0.0', '-0', '9007199254740993', '1E+2'),
);
const keyText = fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('', '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'));

/** JSON text built from pieces, so numbers and keys keep their hostile spelling. */
const jsonText: fc.Arbitrary<string> = fc.letrec<{ value: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    numberLiteral,
    fc.string({ maxLength: 12 }).map((s) => JSON.stringify(s)),
    fc.constantFrom('true', 'false', 'null'),
    fc.array(tie('value'), { maxLength: 4 }).map((xs) => `[${xs.join(',')}]`),
    fc.array(fc.tuple(keyText, tie('value')), { maxLength: 4 }).map((kv) => `{${kv.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`),
  ),
})).value;

test('fuzz: client JSON either parses into something DynamoDB stores or answers a documented 400', () => {
  let accepted = 0;
  let refused = 0;
  fc.assert(
    fc.property(jsonText, (text) => {
      try {
        const value = parseClientJson(text);
        assertStorable(value);
        accepted++;
      } catch (err) {
        assert.equal(clientError(err).status, 400);
        refused++;
      }
    }),
    params(RUNS * 2),
  );
  assert.ok(accepted > 0 && refused > 0, `accepted ${accepted}, refused ${refused}`);
});

test('fuzz: integers beyond 2^53 are kept exactly, as their digits', () => {
  fc.assert(
    fc.property(fc.bigInt({ min: 2n ** 53n, max: 10n ** 60n }), fc.boolean(), (n, negative) => {
      const digits = `${negative ? '-' : ''}${n}`;
      assert.deepEqual(parseClientJson(`{"id": ${digits}, "list": [${digits}]}`), { id: digits, list: [digits] });
    }),
    params(),
  );
});

test('fuzz: arbitrary text, any Content-Type, through jsonBody: a value or a 400', () => {
  const text = fc.oneof(
    fc.string({ maxLength: 200 }),
    fc.string({ unit: 'binary', maxLength: 200 }),
    jsonText,
    fc.tuple(fc.constantFrom('{', '['), fc.nat({ max: 200 })).map(([c, n]) => c.repeat(n)),
    fc.array(fc.tuple(keyText, jsonText), { maxLength: 4 }).map((kv) => kv.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')),
  );
  const contentType = fc.constantFrom('application/json', 'application/x-www-form-urlencoded', 'text/plain', '', 'multipart/form-data');
  fc.assert(
    fc.property(text, contentType, fc.boolean(), (body, type, required) => {
      const req = toRequest({ ...event(Buffer.from(body), { 'content-type': type }), isBase64Encoded: false, body });
      try {
        assertStorable(jsonBody(req, { required }));
      } catch (err) {
        assert.equal(clientError(err).status, 400);
      }
    }),
    params(),
  );
});

test('nesting: 100,000 levels answer 400 without a stack overflow, in a body and in a form field', () => {
  for (const open of ['[', '{"a":']) {
    const deep = open.repeat(100_000) + '1' + (open === '[' ? ']' : '}').repeat(100_000);
    assert.throws(() => parseClientJson(deep), (err: unknown) => err instanceof ApiError && err.status === 400 && err.code === 3);
    const form = toRequest({ ...event(Buffer.alloc(0), { 'content-type': 'application/x-www-form-urlencoded' }), isBase64Encoded: false, body: `a=${encodeURIComponent(deep)}` });
    assert.throws(() => jsonBody(form), (err: unknown) => err instanceof ApiError && err.status === 400);
  }
  const limit = '['.repeat(MAX_JSON_DEPTH) + ']'.repeat(MAX_JSON_DEPTH);
  assert.ok(Array.isArray(parseClientJson(limit)));
  assert.throws(() => parseClientJson(`[${limit}]`), (err: unknown) => err instanceof ApiError && err.code === 3);
});

// ---- multipart ----------------------------------------------------------------------------------

const headerValue = fc.oneof(
  fc.string({ maxLength: 20 }).filter((s) => !/[\r\n"]/.test(s)),
  fc.constantFrom("%E0%A4%A", '%ZZ', '%C0%AE', '%ED%A0%80', '%', "UTF-8''"),
);

test('fuzz: well-formed multipart bodies round-trip, whatever the names and RFC 5987 filenames', () => {
  const part = fc.record({
    name: fc.stringMatching(/^[a-z0-9_:]{1,12}$/),
    filename: fc.option(headerValue, { nil: null }),
    extended: fc.option(headerValue.filter((s) => !s.includes(';')), { nil: null }),
    bytes: fc.uint8Array({ maxLength: 64 }),
  });
  fc.assert(
    fc.property(fc.array(part, { minLength: 1, maxLength: 6 }), (parts) => {
      const boundary = 'fuzzBoundary7MA4YWxk';
      const chunks: Buffer[] = [];
      for (const p of parts) {
        let disposition = `Content-Disposition: form-data; name="${p.name}"`;
        if (p.filename !== null) disposition += `; filename="${p.filename}"`;
        if (p.extended !== null) disposition += `; filename*=UTF-8''${p.extended}`;
        chunks.push(Buffer.from(`--${boundary}\r\n${disposition}\r\n\r\n`), Buffer.from(p.bytes), Buffer.from('\r\n'));
      }
      chunks.push(Buffer.from(`--${boundary}--\r\n`));
      const body = Buffer.concat(chunks);
      // Random bytes can contain the delimiter only with negligible probability; skip that case.
      if (parts.some((p) => Buffer.from(p.bytes).includes(`\r\n--${boundary}`))) return;
      const parsed = parseMultipart(body, `multipart/form-data; boundary=${boundary}`);
      assert.equal(parsed.length, parts.length);
      parsed.forEach((got, i) => {
        assert.equal(got.name, parts[i]!.name);
        assert.deepEqual([...got.bytes], [...parts[i]!.bytes]);
        if (parts[i]!.filename === null && !parts[i]!.extended) assert.equal(got.filename, null);
        else assert.equal(typeof got.filename, 'string');
      });
    }),
    params(),
  );
});

test('fuzz: arbitrary and mutated multipart bodies answer parts or a documented 400', () => {
  const valid = Buffer.from(
    '--b\r\nContent-Disposition: form-data; name="payload"\r\n\r\n{"media:tags": {"f": ["photo_selfie"]}}\r\n' +
      "--b\r\nContent-Disposition: form-data; name=\"f\"; filename*=UTF-8''a%20b.jpg\r\nContent-Type: image/jpeg\r\n\r\n\xff\xd8\xff\r\n--b--\r\n",
    'latin1',
  );
  const mutated = fc.tuple(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }), fc.nat()).map(([edits, cut]) => {
    const b = Buffer.from(valid);
    for (const [at, byte] of edits) b[at % b.length] = byte;
    return b.subarray(0, b.length - (cut % 8 === 0 ? cut % b.length : 0));
  });
  const contentType = fc.oneof(
    fc.constant('multipart/form-data; boundary=b'),
    fc.string({ maxLength: 40 }).map((s) => `multipart/form-data; ${s}`),
    fc.constantFrom('multipart/form-data', 'multipart/form-data; boundary=', 'multipart/form-data; boundary=""', 'multipart/form-data; boundary="b"'),
  );
  fc.assert(
    fc.property(fc.oneof(mutated, fc.uint8Array({ maxLength: 300 }).map((u) => Buffer.from(u))), contentType, (body, type) => {
      try {
        const upload = uploadBody(toRequest(event(body, { 'content-type': type })));
        assertStorable(upload.payload);
      } catch (err) {
        clientError(err);
      }
    }),
    params(),
  );
});

// ---- query strings, paths, routing -------------------------------------------------------------

const queryValue = fc.oneof(
  fc.string({ maxLength: 24 }),
  numberLiteral,
  fc.constantFrom('', '-1', '1e14', '1e300', 'NaN', 'Infinity', '0x10', ' 5 ', '1700000000000', '9999999999', '10000000000'),
);

/** A GET of `routeKey` with this query, as the pipeline's validation step parses it. */
function parseQuery(routeKey: string, query: Record<string, string>): Record<string, unknown> {
  const request: Request = { method: 'GET', path: '/', routeKey, params: {}, query, headers: { 'x-forensic-access-token': 't' }, body: Buffer.alloc(0) };
  return validateRequest(routeKey, request).query;
}

test('fuzz: query parameters answer a value in range or a documented 400', () => {
  const inRange = (t: unknown) => t === undefined || (typeof t === 'number' && t >= 0 && t <= MAX_EPOCH_SECONDS);
  fc.assert(
    fc.property(queryValue, queryValue, queryValue, (a, b, c) => {
      try {
        const q = parseQuery('GET /api/folders', { 'time_created.min': a, 'time_created.max': b, limit: c, offset: a, with_analyses: c });
        assert.ok(inRange(q['time_created.min']) && inRange(q['time_created.max']), JSON.stringify(q));
        if (q['time_created.min'] !== undefined && q['time_created.max'] !== undefined) assert.ok((q['time_created.min'] as number) <= (q['time_created.max'] as number));
        assert.ok(Number.isInteger(q['limit']) && (q['limit'] as number) >= 0 && (q['limit'] as number) <= 1000, `limit ${q['limit']}`);
        assert.ok(Number.isInteger(q['offset']) && (q['offset'] as number) >= 0, `offset ${q['offset']}`);
        assert.equal(typeof q['with_analyses'], 'boolean');
      } catch (err) {
        const { status, code } = clientError(err);
        assert.deepEqual([status, code], [400, 4]);
      }
    }),
    params(),
  );
});

const ROUTES: LocalRoute[] = [
  { method: 'GET', segments: ['api', 'folders', '{folder_id}'], routeKey: 'GET /api/folders/{folder_id}', functionLogicalId: 'Api', entry: 'x' },
  { method: 'GET', segments: ['api', 'folders', '{folder_id}', '{proxy+}'], routeKey: 'GET /api/folders/{folder_id}/{proxy+}', functionLogicalId: 'Api', entry: 'x' },
  { method: 'POST', segments: ['api', 'collections', '{collection_id}', 'persons'], routeKey: 'POST /api/collections/{collection_id}/persons', functionLogicalId: 'Api', entry: 'x' },
  { method: 'ANY', segments: [], routeKey: '$default', functionLogicalId: 'Api', entry: 'x' },
];

test('fuzz: URL paths with any percent-encoding are matched or refused, never thrown', () => {
  const segment = fc.oneof(
    fc.string({ maxLength: 10 }).map(encodeURIComponent),
    fc.constantFrom('%ZZ', '%C0%AE', '%ED%A0%80', '%', '%E0%A4%A', 'folders', 'api', 'persons', ''),
    fc.stringMatching(/^(%[0-9A-Fa-f]{2}|%[^/]{0,2}|[a-z]){0,6}$/),
  );
  fc.assert(
    fc.property(fc.array(segment, { maxLength: 6 }), fc.constantFrom('GET', 'POST', 'TRACE'), (segments, method) => {
      const path = `/${segments.join('/')}`;
      const found = matchRoute(ROUTES, method, path);
      assert.ok(found, 'the $default route always answers');
      for (const v of Object.values(found.params)) assert.equal(typeof v, 'string');
    }),
    params(),
  );
});

// ---- ZIP ----------------------------------------------------------------------------------------

test('fuzz: the ZIP reader answers entries or a MediaError for arbitrary and mutated archives', async () => {
  const valid = makeZip([
    { name: 'a.jpg', data: Buffer.from('first entry bytes '.repeat(20)) },
    { name: 'dir/b.png', data: Buffer.from('second'), method: 'store' },
  ]);
  const mutated = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }).map((edits) => {
    const b = Buffer.from(valid);
    for (const [at, byte] of edits) b[at % b.length] = byte;
    return b;
  });
  const named = fc.array(fc.record({ name: fc.oneof(fc.string({ minLength: 1, maxLength: 20 }), fc.constantFrom('../evil.jpg', '/abs.jpg', 'a\\..\\b.jpg', 'C:/x.jpg')), data: fc.uint8Array({ maxLength: 64 }).map((u) => Buffer.from(u)), method: fc.constantFrom<'store' | 'deflate'>('store', 'deflate'), declaredSize: fc.option(fc.nat({ max: 1 << 20 }), { nil: undefined }) }), { maxLength: 5 }).map(makeZip);
  let ok = 0;
  let refused = 0;
  await fc.assert(
    fc.asyncProperty(fc.oneof(mutated, named, fc.uint8Array({ maxLength: 200 }).map((u) => Buffer.from(u))), async (bytes) => {
      try {
        const entries = await readZipEntries(bytes, { maxEntries: 50, maxEntryBytes: 1 << 16, maxTotalBytes: 1 << 18 });
        for (const e of entries) {
          assert.ok(!e.name.split('/').includes('..') && !e.name.startsWith('/'), `unsafe name ${e.name}`);
          assert.ok(e.data.length <= 1 << 16);
        }
        ok++;
      } catch (err) {
        if (!(err instanceof MediaError)) throw err;
        refused++;
      }
    }),
    params(Math.round(RUNS / 2)),
  );
  assert.ok(ok > 0 && refused > 0, `read ${ok}, refused ${refused}`);
});
