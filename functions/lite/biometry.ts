// The biometric endpoints under /v1/face/pattern: extract, compare, verify, extract_and_compare and
// the 1:N variants. Templates are layers/vision's versioned binary form (2,068 bytes).
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import type { FaceTemplate } from '../../layers/vision';
import type { Request } from '../api/http';
import type { LiteConfig } from './config';
import { jsonAnswer, resultsAnswer, scored, templateAnswer, verifyAnswer } from './answers';
import type { LiteEngine } from './engine';
import { classify, liteFail } from './errors';
import {
  checkSize,
  isImageBodyType,
  isMediaBytes,
  manyParts,
  mimeOf,
  multipartParts,
  onePart,
  readContent,
  sampleBytes,
  templateBytes,
  wantsBase64,
  type LitePart,
} from './input';

type Op = (req: Request) => Promise<APIGatewayProxyResultV2>;

/** Samples decoded and analysed at once in the 1:N endpoints (a decoded image is up to 1280 px). */
const PARALLEL_SAMPLES = 4;

const partLabel = (p: LitePart) => `the "${p.name}" part${p.filename ? ` (${p.filename})` : ''}`;

/** Errors of one part name the part: "Failed to read the biometric sample: the "sample_2" part: ...". */
async function forPart<T>(part: LitePart, work: () => Promise<T> | T): Promise<T> {
  try {
    return await work();
  } catch (err) {
    const known = classify(err);
    if (known && known.fault !== 'internal' && known.fault !== 'tfss' && !known.detail.startsWith('the "')) throw liteFail(known.fault, `${partLabel(part)}: ${known.detail}`);
    throw err;
  }
}

export function biometry(engine: LiteEngine, config: LiteConfig): Record<string, Op> {
  const extractPart = (part: LitePart, base64: boolean) => forPart(part, () => engine.extract(sampleBytes(part, base64)));
  const decodePart = (part: LitePart, base64: boolean) => forPart(part, () => engine.decode(templateBytes(part, base64)));
  /** Every part's work, a few at a time (memory: each decoded image); the first failure in request order is the answer. */
  const inOrder = async <T>(parts: LitePart[], work: (p: LitePart) => Promise<T>): Promise<T[]> => {
    const settled: PromiseSettledResult<T>[] = new Array(parts.length);
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < parts.length; i = next++) {
        settled[i] = await work(parts[i]!).then(
          (value): PromiseSettledResult<T> => ({ status: 'fulfilled', value }),
          (reason: unknown): PromiseSettledResult<T> => ({ status: 'rejected', reason }),
        );
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL_SAMPLES, parts.length) }, worker));
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
  };
  const oneToN = (main: FaceTemplate, parts: LitePart[], others: FaceTemplate[]) =>
    resultsAnswer(others.map((t, i) => ({ filename: parts[i]!.filename ?? String(i + 1), ...scored(engine.compare(main, t), config) })));

  return {
    /** image/jpeg or image/png body -> the template (application/octet-stream, or base64 text). */
    extract: async (req) => {
      const mime = mimeOf(req.headers['content-type']);
      const base64 = wantsBase64(req.headers);
      if (!isImageBodyType(mime, base64)) throw liteFail('content-type', `send the image as image/jpeg or image/png; got ${mime || 'no Content-Type'}`);
      const bytes = readContent(req.body, base64, isMediaBytes, 'sample', 'the request body');
      checkSize(bytes, 'sample', 'the image');
      return templateAnswer(engine.encode(await engine.extract(bytes)), base64);
    },

    /** bio_feature + bio_template -> {"score", "decision"}. */
    compare: async (req) => {
      const base64 = wantsBase64(req.headers);
      const parts = multipartParts(req, 'template');
      const a = await decodePart(onePart(parts, 'bio_feature', 'template', 'template'), base64);
      const b = await decodePart(onePart(parts, 'bio_template', 'template', 'template'), base64);
      return jsonAnswer(scored(engine.compare(a, b), config));
    },

    /** sample + bio_template -> multipart: "score" ({"score"}) and "bio_feature" (the sample's template). */
    verify: async (req) => {
      const base64 = wantsBase64(req.headers);
      const parts = multipartParts(req, 'sample');
      const sample = onePart(parts, 'sample', 'sample', 'sample');
      const reference = await decodePart(onePart(parts, 'bio_template', 'template', 'template'), base64);
      const template = await extractPart(sample, base64);
      return verifyAnswer(engine.compare(template, reference), engine.encode(template), base64);
    },

    /** sample_1 + sample_2 -> {"score", "decision"}. */
    extract_and_compare: async (req) => {
      const base64 = wantsBase64(req.headers);
      const parts = multipartParts(req, 'sample');
      const samples = [onePart(parts, 'sample_1', 'sample', 'sample'), onePart(parts, 'sample_2', 'sample', 'sample')];
      const [a, b] = await inOrder(samples, (p) => extractPart(p, base64));
      return jsonAnswer(scored(engine.compare(a!, b!), config));
    },

    /** template_1 + templates_n (each with a filename) -> {"results": [...]} in request order. */
    compare_n: async (req) => {
      const base64 = wantsBase64(req.headers);
      const parts = multipartParts(req, 'template');
      const main = await decodePart(onePart(parts, 'template_1', 'template', 'template'), base64);
      const others = manyParts(parts, 'templates_n', 'template', 'template');
      return oneToN(main, others, await inOrder(others, (p) => decodePart(p, base64)));
    },

    /** sample_1 + templates_n -> {"results": [...]}. */
    verify_n: async (req) => {
      const base64 = wantsBase64(req.headers);
      const parts = multipartParts(req, 'sample');
      const sample = onePart(parts, 'sample_1', 'sample', 'sample');
      const others = manyParts(parts, 'templates_n', 'template', 'template');
      const templates = await inOrder(others, (p) => decodePart(p, base64));
      return oneToN(await extractPart(sample, base64), others, templates);
    },

    /** sample_1 + samples_n -> {"results": [...]}. */
    extract_and_compare_n: async (req) => {
      const base64 = wantsBase64(req.headers);
      const parts = multipartParts(req, 'sample');
      const sample = onePart(parts, 'sample_1', 'sample', 'sample');
      const others = manyParts(parts, 'samples_n', 'sample', 'sample');
      const [main, ...rest] = await inOrder([sample, ...others], (p) => extractPart(p, base64));
      return oneToN(main!, others, rest);
    },
  };
}
