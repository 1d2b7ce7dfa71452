// The local stand-in for API Gateway (HTTP API, payload format 2.0): routes come from the
// synthesized template's AWS::ApiGatewayV2::Route resources, each request becomes an
// APIGatewayProxyEventV2 for the handler module named in the target function's metadata.
import * as http from 'node:http';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { ENTRY_METADATA_KEY, REPO_ROOT } from '../stack';
import type { CfnTemplate } from './synth';
import type { InFunction } from './function-env';
import { localDocsResponse } from '../docs/page';
import { decodeComponent } from '../../functions/api/http';
import { consoleResponse } from './console';
import { corsHeaders, type CorsConfiguration } from '../cors';

type Handler = (event: APIGatewayProxyEventV2, context: unknown) => Promise<APIGatewayProxyResultV2>;

export interface LocalRoute {
  method: string; // or ANY
  segments: string[];
  routeKey: string;
  functionLogicalId: string;
  entry: string;
}

/** API Gateway's payload limit. */
export const MAX_BODY_BYTES = 10 * 1024 * 1024;
/**
 * Lambda's synchronous invocation payload limit, which binds first: a binary body travels
 * base64-encoded (4/3 larger) inside the event, so about 4.5 MB of file gets through.
 */
export const MAX_EVENT_BODY_BYTES = 6 * 1024 * 1024 - 64 * 1024;

const refOf = (value: unknown): string | undefined => {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v['Ref'] === 'string') return v['Ref'];
  const getAtt = v['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  const join = v['Fn::Join'];
  if (Array.isArray(join) && Array.isArray(join[1])) for (const part of join[1]) { const r = refOf(part); if (r) return r; }
  return undefined;
};

export function routesFromTemplate(template: CfnTemplate): LocalRoute[] {
  const resources = template.Resources;
  const routes: LocalRoute[] = [];
  for (const resource of Object.values(resources)) {
    if (resource.Type !== 'AWS::ApiGatewayV2::Route') continue;
    const routeKey = String(resource.Properties?.['RouteKey']);
    const integrationId = refOf(resource.Properties?.['Target']);
    const integration = integrationId ? resources[integrationId] : undefined;
    const functionLogicalId = refOf(integration?.Properties?.['IntegrationUri']);
    const fn = functionLogicalId ? resources[functionLogicalId] : undefined;
    const entry = fn?.Metadata?.[ENTRY_METADATA_KEY];
    if (!functionLogicalId || typeof entry !== 'string') throw new Error(`route ${routeKey}: cannot find its function's ${ENTRY_METADATA_KEY} metadata`);
    const [method, routePath] = routeKey === '$default' ? ['ANY', ''] : routeKey.split(' ');
    routes.push({ method: method!, segments: routeKey === '$default' ? [] : routePath!.split('/').slice(1), routeKey, functionLogicalId, entry });
  }
  return routes;
}

/** API Gateway's choice: exact literal segments beat variables, variables beat greedy, then $default. */
export function matchRoute(routes: LocalRoute[], method: string, rawPath: string) {
  const segments = rawPath.split('/').slice(1);
  let best: { route: LocalRoute; params: Record<string, string>; rank: number[] } | undefined;
  for (const route of routes) {
    if (route.routeKey === '$default') continue;
    if (route.method !== 'ANY' && route.method !== method) continue;
    const params: Record<string, string> = {};
    const rank: number[] = [];
    let ok = true;
    for (let i = 0; i < route.segments.length && ok; i++) {
      const pattern = route.segments[i]!;
      const greedy = /^\{(\w+)\+\}$/.exec(pattern);
      if (greedy) {
        if (i !== route.segments.length - 1 || segments.length < i + 1) ok = false;
        else params[greedy[1]!] = decodeComponent(segments.slice(i).join('/')) ?? segments.slice(i).join('/');
        rank.push(1);
        break;
      }
      const segment = segments[i];
      if (segment === undefined) ok = false;
      else if (/^\{\w+\}$/.test(pattern)) {
        if (segment === '') ok = false;
        else params[pattern.slice(1, -1)] = decodeComponent(segment) ?? segment;
        rank.push(2);
      } else if (pattern === segment) rank.push(3);
      else ok = false;
    }
    const greedy = route.segments.some((s) => s.endsWith('+}'));
    if (!ok || (!greedy && route.segments.length !== segments.length)) continue;
    if (!best || compareRank(rank, best.rank) > 0) best = { route, params, rank };
  }
  if (best) return best;
  const fallback = routes.find((r) => r.routeKey === '$default');
  return fallback ? { route: fallback, params: {}, rank: [] } : undefined;
}

function compareRank(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function loadHandler(entry: string): Handler {
  const [file, exportName] = entry.split('#');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(path.join(REPO_ROOT, file!)) as Record<string, Handler>;
  const fn = mod[exportName ?? 'handler'];
  if (typeof fn !== 'function') throw new Error(`${entry} does not export a handler`);
  return fn;
}

const TEXT_TYPES = /^(application\/(json|x-www-form-urlencoded|xml)|text\/)/i;

export function toEvent(req: http.IncomingMessage, body: Buffer, route: LocalRoute, params: Record<string, string>): APIGatewayProxyEventV2 {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(',') : v;
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = query[k] === undefined ? v : `${query[k]},${v}`;
  const isText = TEXT_TYPES.test(headers['content-type'] ?? '');
  const now = new Date();
  return {
    version: '2.0',
    routeKey: route.routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    cookies: headers['cookie']?.split(/;\s*/),
    headers,
    queryStringParameters: Object.keys(query).length ? query : undefined,
    pathParameters: Object.keys(params).length ? params : undefined,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: headers['host'] ?? 'localhost',
      domainPrefix: 'localhost',
      http: { method: (req.method ?? 'GET').toUpperCase(), path: url.pathname, protocol: `HTTP/${req.httpVersion}`, sourceIp: req.socket.remoteAddress ?? '127.0.0.1', userAgent: headers['user-agent'] ?? '' },
      requestId: randomUUID(),
      routeKey: route.routeKey,
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    body: body.length ? (isText ? body.toString('utf8') : body.toString('base64')) : undefined,
    isBase64Encoded: body.length > 0 && !isText,
  };
}

/** The HTTP API's CorsConfiguration in the template, if CORS is on (infra/cors.ts). */
export function corsFromTemplate(template: CfnTemplate): CorsConfiguration | undefined {
  const api = Object.values(template.Resources).find((r) => r.Type === 'AWS::ApiGatewayV2::Api');
  return api?.Properties?.['CorsConfiguration'] as CorsConfiguration | undefined;
}

function send(res: http.ServerResponse, result: APIGatewayProxyResultV2, extra: Record<string, string> = {}) {
  const structured: APIGatewayProxyStructuredResultV2 =
    typeof result === 'object' && result !== null && 'statusCode' in result ? result : { statusCode: 200, body: JSON.stringify(result), headers: { 'content-type': 'application/json' } };
  const body = structured.body ? Buffer.from(structured.body, structured.isBase64Encoded ? 'base64' : 'utf8') : Buffer.alloc(0);
  res.writeHead(structured.statusCode ?? 200, { ...(structured.headers as Record<string, string>), ...extra, 'content-length': String(body.length) });
  res.end(body);
}

const PRESIGNED_HINT = 'for large media, POST /api/uploads, PUT the file to the upload_url it answers, then name its upload_id in the payload under "media:uploads" (e.g. {"media:uploads": {"video1": "<upload_id>"}, "media:tags": {"video1": [...]}})';

const errorJson = (code: number, message: string) => `{"error_code": ${code}, "error_message": ${JSON.stringify(message)}, "details": null}`;

export function createLocalApiServer(template: CfnTemplate, log: (line: string) => void = () => {}, inFunction: InFunction = (_fnId, call) => call()) {
  const routes = routesFromTemplate(template);
  const cors = corsFromTemplate(template);
  const handlers = new Map<string, Handler>();
  const handlerFor = (entry: string) => {
    let h = handlers.get(entry);
    if (!h) handlers.set(entry, (h = loadHandler(entry)));
    return h;
  };
  const requestTimeout = Number(process.env.OZ_REQUEST_TIMEOUT_MS) > 0 ? Number(process.env.OZ_REQUEST_TIMEOUT_MS) : 30_000;
  const server = http.createServer({ connectionsCheckingInterval: Math.min(1000, requestTimeout) }, (req, res) => {
    const started = Date.now();
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('error', () => res.destroy());
    // Nothing a client sends may stop the process: whatever escapes answers 500 and is logged.
    req.on('end', () => {
      answer().catch((err: unknown) => {
        log(`request failed outside any handler: ${String((err as Error)?.stack ?? err)}`);
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end('{"message":"Internal Server Error"}');
        } else res.destroy();
      });
    });
    const answer = async () => {
      let url: URL;
      try {
        url = new URL(req.url ?? '/', 'http://localhost');
      } catch {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(errorJson(4, 'The request target is not a valid URL'));
        return;
      }
      // API Gateway answers CORS preflights itself and adds the CORS headers to every answer.
      const allowed = corsHeaders(cors, (req.method ?? 'GET').toUpperCase(), req.headers as Record<string, string | undefined>);
      if (allowed.preflight) {
        res.writeHead(204, { ...allowed.headers, 'content-length': '0' });
        res.end();
        return;
      }
      for (const [name, value] of Object.entries(allowed.headers)) res.setHeader(name, value);
      if (tooLarge) {
        res.writeHead(413, { 'content-type': 'application/json' });
        res.end(errorJson(4, `The request body is larger than ${MAX_BODY_BYTES / 1024 / 1024} MB, the API Gateway limit: ${PRESIGNED_HINT}`));
        return;
      }
      // The API reference page is no API route (in AWS it is its own site, infra/docs-site.ts).
      // So is the operator console at / (in AWS: CloudFront in front of S3, infra/console-site.ts).
      const docs = req.method === 'GET' || req.method === 'HEAD' ? (localDocsResponse(url.pathname) ?? consoleResponse(url.pathname)) : null;
      if (docs) {
        res.writeHead(docs.status, { ...docs.headers, 'content-length': String(docs.body.length) });
        res.end(req.method === 'HEAD' ? undefined : docs.body);
        return;
      }
      // API Gateway decodes path parameters: a segment that cannot be decoded is the client's error.
      if (url.pathname.split('/').some((segment) => decodeComponent(segment) === null)) {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(errorJson(4, 'The URL path has a malformed percent-encoding: each %XX must be hexadecimal and together form valid UTF-8'));
        return;
      }
      const match = matchRoute(routes, (req.method ?? 'GET').toUpperCase(), url.pathname);
      if (!match) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end('{"message":"Not Found"}');
        return;
      }
      const event = toEvent(req, Buffer.concat(chunks), match.route, match.params);
      if ((event.body?.length ?? 0) > MAX_EVENT_BODY_BYTES) {
        res.writeHead(413, { 'content-type': 'application/json' });
        res.end(errorJson(4, `The request is larger than a Lambda invocation can carry (about 4.5 MB of file once base64-encoded): ${PRESIGNED_HINT}`));
        return;
      }
      try {
        // The function's own timeout from the template, as Lambda's context tells it.
        const end = Date.now() + Number(template.Resources[match.route.functionLogicalId]?.Properties?.['Timeout'] ?? 3) * 1000;
        const context = { awsRequestId: randomUUID(), getRemainingTimeInMillis: () => Math.max(0, end - Date.now()) };
        const result = await inFunction(match.route.functionLogicalId, () => handlerFor(match.route.entry)(event, context));
        send(res, result);
      } catch (err) {
        // What API Gateway answers when the Lambda itself fails.
        log(`handler crashed: ${String((err as Error)?.stack ?? err)}`);
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end('{"message":"Internal Server Error"}');
      }
      log(`${req.method} ${url.pathname} -> ${res.statusCode} ${Date.now() - started} ms`);
    };
  });
  // Idle keep-alive sockets stay open longer than clients usually keep them (as AWS load balancers
  // do), so a client never reuses a socket the server is closing at that moment.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  // A declared body that never arrives: API Gateway gives up after 30 s; so does the local front
  // (Node answers 408 and closes the socket). OZ_REQUEST_TIMEOUT_MS shortens it for tests.
  server.requestTimeout = requestTimeout;
  server.headersTimeout = Math.min(server.headersTimeout, server.requestTimeout);
  return { server, routes };
}
