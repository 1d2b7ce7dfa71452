// Events and multipart bodies for calling the API Lite handler directly, and a stand-in engine.
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { decodeTemplate, encodeTemplate, templateModelId, type FaceTemplate, type MediaAnalysis, type MediaInspection } from '../../../layers/vision';
import { sniff } from '../../../layers/vision/sniff';
import type { LiteEngine } from '../../../functions/lite/engine';

export function liteEvent(method: string, path: string, body: Buffer | string | null, headers: Record<string, string> = {}, routeKey = `${method} ${path}`): APIGatewayProxyEventV2 {
  const bytes = body === null ? null : Buffer.isBuffer(body) ? body : Buffer.from(body);
  return {
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString: '',
    headers,
    requestContext: { http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'unit' } } as APIGatewayProxyEventV2['requestContext'],
    body: bytes ? bytes.toString('base64') : undefined,
    isBase64Encoded: !!bytes,
  };
}

export interface TestPart {
  name: string;
  filename?: string;
  type?: string;
  body: Buffer | string;
}

export function multipartBody(parts: TestPart[], boundary = 'unit-boundary'): { body: Buffer; contentType: string } {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const head = `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"${p.filename ? `; filename="${p.filename}"` : ''}\r\n${p.type ? `Content-Type: ${p.type}\r\n` : ''}\r\n`;
    chunks.push(Buffer.from(head), Buffer.from(p.body), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

export const structured = (r: APIGatewayProxyResultV2) => r as APIGatewayProxyStructuredResultV2;
export const bodyOf = (r: APIGatewayProxyResultV2): Buffer => {
  const s = structured(r);
  return Buffer.from(s.body ?? '', s.isBase64Encoded ? 'base64' : 'utf8');
};
export const jsonOf = (r: APIGatewayProxyResultV2): any => JSON.parse(bodyOf(r).toString('utf8'));

/** A unit vector that depends on a seed: the same seed is the same "person". */
export function unitTemplate(seed: number): FaceTemplate {
  const v = new Float32Array(512);
  for (let i = 0; i < 512; i++) v[i] = Math.sin(seed * 7.3 + i * 0.37) + (i === seed ? 4 : 0);
  let n = 0;
  for (const x of v) n += x * x;
  for (let i = 0; i < 512; i++) v[i]! /= Math.sqrt(n);
  return { model: 'fr_feature', modelId: templateModelId(), dims: 512, vector: v };
}

/** A tiny valid JPEG header is all the stand-in needs: sniffing reads magic numbers only. */
export const FAKE_JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(60, 1)]);

export function fakeEngine(overrides: Partial<LiteEngine> = {}): LiteEngine {
  const analysis: MediaAnalysis = { framesScored: 1, framesWithFace: 1, confidenceSpoofing: 0.2, models: {}, timings: {} };
  const inspection = (bytes: Buffer): MediaInspection => ({ kind: sniff(bytes).kind, mime: sniff(bytes).mime, size: bytes.length, md5: 'x', width: 10, height: 10 });
  return {
    extract: async (bytes) => unitTemplate(bytes[bytes.length - 1]!),
    compare: (a, b) => {
      let dot = 0;
      for (let i = 0; i < a.vector.length; i++) dot += a.vector[i]! * b.vector[i]!;
      return dot >= 0.999 ? 1 : 0.1;
    },
    encode: encodeTemplate,
    decode: decodeTemplate,
    kindOf: (bytes) => sniff(bytes).kind,
    inspect: async (bytes) => inspection(bytes),
    analyze: async () => analysis,
    models: () => [{ name: 'fr_detect', version: 'v1' }],
    runtimeVersion: () => '1.0.0',
    warmUp: async () => {},
    ...overrides,
  };
}
