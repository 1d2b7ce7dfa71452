// Shaping API Lite answers: JSON, templates (binary or base64) and verify's multipart/form-data.
import { randomBytes } from 'node:crypto';
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import { json, ozJson } from '../api/http';
import { decide, roundScore, type Decision, type LiteConfig } from './config';

export interface ScoredDecision {
  score: number;
  decision: Decision;
}

/** {"score", "decision"}, the decision taken on the score as answered. */
export function scored(raw: number, config: LiteConfig): ScoredDecision {
  const score = roundScore(raw);
  return { score, decision: decide(score, config) };
}

export const jsonAnswer = (value: unknown): APIGatewayProxyResultV2 => json(200, value);

/**
 * A template as extract answers it: application/octet-stream bytes, or with
 * Content-Transfer-Encoding: base64 asked, the same bytes as base64 text (the header says so).
 */
export function templateAnswer(template: Buffer, base64: boolean): APIGatewayProxyResultV2 {
  if (base64) {
    return { statusCode: 200, headers: { 'content-type': 'application/octet-stream', 'content-transfer-encoding': 'base64' }, body: template.toString('base64') };
  }
  return { statusCode: 200, headers: { 'content-type': 'application/octet-stream' }, body: template.toString('base64'), isBase64Encoded: true };
}

export interface AnswerPart {
  name: string;
  filename?: string;
  contentType: string;
  body: Buffer;
  /** adds Content-Transfer-Encoding: base64 to the part (its body is base64 text) */
  base64?: boolean;
}

/** multipart/form-data bytes with a boundary that occurs in no part. */
export function buildMultipart(parts: AnswerPart[], boundary = `oz-lite-${randomBytes(12).toString('hex')}`): { contentType: string; body: Buffer } {
  const delimiter = Buffer.from(`--${boundary}`);
  if (parts.some((p) => p.body.includes(delimiter))) return buildMultipart(parts); // astronomically rare
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disposition = `Content-Disposition: form-data; name="${quote(p.name)}"${p.filename !== undefined ? `; filename="${quote(p.filename)}"` : ''}`;
    const headers = [disposition, `Content-Type: ${p.contentType}`, ...(p.base64 ? ['Content-Transfer-Encoding: base64'] : [])];
    chunks.push(Buffer.from(`--${boundary}\r\n${headers.join('\r\n')}\r\n\r\n`), p.body, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { contentType: `multipart/form-data; boundary=${boundary}`, body: Buffer.concat(chunks) };
}

const quote = (s: string) => s.replace(/[\r\n]/g, ' ').replace(/(["\\])/g, '\\$1');

/**
 * verify's answer, as the documents show it: a "score" part holding {"score": ...} and a
 * "bio_feature" part holding the template extracted from the sample (base64 when asked).
 */
export function verifyAnswer(score: number, template: Buffer, base64: boolean): APIGatewayProxyResultV2 {
  const { contentType, body } = buildMultipart([
    { name: 'score', contentType: 'application/json', body: Buffer.from(ozJson({ score: roundScore(score) })) },
    {
      name: 'bio_feature',
      filename: 'bio_feature',
      contentType: 'application/octet-stream',
      body: base64 ? Buffer.from(template.toString('base64')) : template,
      base64,
    },
  ]);
  return { statusCode: 200, headers: { 'content-type': contentType }, body: body.toString('base64'), isBase64Encoded: true };
}

export interface NamedResult extends ScoredDecision {
  filename: string | null;
}

/** compare_n / verify_n / extract_and_compare_n: {"results": [{"filename", "score", "decision"}]}. */
export function resultsAnswer(results: NamedResult[]): APIGatewayProxyResultV2 {
  return jsonAnswer({ results: results.map((r) => ({ filename: r.filename, score: r.score, decision: r.decision })) });
}
