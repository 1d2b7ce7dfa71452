// POST /v1/face/liveness/detect in its two forms: an image body -> {"passed", "score"}, and
// multipart/form-data media plus a payload -> the folder-like answer (detect-answer.ts).
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import type { MediaInspection } from '../../layers/vision';
import type { Request } from '../api/http';
import { MAX_DETECT_FILES, roundScore, type LiteConfig } from './config';
import { jsonAnswer } from './answers';
import { detectAnswer, type DetectMedia, type MediaOutcome } from './detect-answer';
import { gestureOf, parseDetectPayload, payloadJson } from './detect-payload';
import type { LiteEngine } from './engine';
import { classify, liteFail } from './errors';
import { checkPartType, checkSize, decodeBase64Text, isImageBodyType, isMediaBytes, isMultipart, mimeOf, multipartParts, readContent, wantsBase64, type LitePart } from './input';

/** The full API's code for "Could not locate face on source media" (Tag-Related Errors). */
const NO_FACE_ERROR_CODE = 202;

export function detect(engine: LiteEngine, config: LiteConfig) {
  return async (req: Request): Promise<APIGatewayProxyResultV2> => {
    const mime = mimeOf(req.headers['content-type']);
    const base64 = wantsBase64(req.headers);
    if (isMultipart(mime)) return detectMultipart(engine, config, req, base64);
    if (isImageBodyType(mime, base64)) return detectImage(engine, config, req.body, base64);
    throw liteFail('content-type', `send image/jpeg or image/png (one image), or multipart/form-data (media files and a payload); got ${mime || 'no Content-Type'}`);
  };
}

/** The image form: {"passed": score < threshold, "score": confidence_spoofing}. */
async function detectImage(engine: LiteEngine, config: LiteConfig, body: Buffer, base64: boolean): Promise<APIGatewayProxyResultV2> {
  // The label may lie (a PNG sent as image/jpeg): the bytes decide.
  const bytes = readContent(body, base64, isMediaBytes, 'sample', 'the request body');
  checkSize(bytes, 'sample', 'the image');
  const analysis = await engine.analyze(bytes, engine.kindOf(bytes), { liveness: true });
  const score = roundScore(analysis.confidenceSpoofing ?? 1, 9);
  return jsonAnswer({ passed: score < config.thresholdSpoofing, score });
}

/** Text parts some clients send for nothing ("", "undefined", "null"). */
const isBlankText = (p: LitePart) => p.filename === null && p.raw.length < 64 && ['', 'undefined', 'null'].includes(p.raw.toString('utf8').trim());

function payloadText(part: LitePart | undefined, base64: boolean): string | null {
  if (!part) return null;
  const text = part.raw.toString('utf8').trim();
  if (base64 && text !== '' && !text.startsWith('{')) {
    const decoded = decodeBase64Text(part.raw);
    if (decoded) return decoded.toString('utf8');
  }
  return text;
}

async function detectMultipart(engine: LiteEngine, config: LiteConfig, req: Request, base64: boolean): Promise<APIGatewayProxyResultV2> {
  const timeCreated = Date.now() / 1000;
  const parts = multipartParts(req, 'sample');
  const files = parts.filter((p) => p.name !== 'payload' && !isBlankText(p));
  if (files.length === 0) throw liteFail('sample', 'no media files: send images, videos or ZIP shot sets as parts under any names (e.g. media_key1) beside the payload part');
  if (files.length > MAX_DETECT_FILES) throw liteFail('sample', `${files.length} files in one request; at most ${MAX_DETECT_FILES} are accepted`);
  for (const f of files) checkPartType(f, 'media');
  const payload = parseDetectPayload(payloadJson(payloadText(parts.find((p) => p.name === 'payload'), base64)), { thresholdSpoofing: config.thresholdSpoofing });

  const inputs = files.map((f) => {
    const what = `the "${f.name}" part${f.filename ? ` (${f.filename})` : ''}`;
    const bytes = readContent(f.raw, base64, isMediaBytes, 'sample', what);
    checkSize(bytes, 'sample', what);
    return { part: f, what, bytes };
  });
  // Every file is decoded once to validate and describe it before any analysis runs.
  const inspections: MediaInspection[] = await Promise.all(inputs.map((i) => engine.inspect(i.bytes).catch((err: unknown) => rethrowFor(i.what, err))));

  const bestShot = payload.analyses.some((a) => a.extractBestShot);
  const outcomes = await Promise.all(
    inputs.map(async (input, k): Promise<MediaOutcome> => {
      const kind = inspections[k]!.kind;
      const gesture = kind === 'image' ? null : gestureOf(payload.tags[input.part.name] ?? []);
      try {
        const r = await engine.analyze(input.bytes, kind, { liveness: true, bestShot, gesture });
        return {
          ok: true,
          confidenceSpoofing: roundScore(r.confidenceSpoofing ?? 1, 9),
          gesture: r.gesture ? { tag: r.gesture.tag, passed: r.gesture.passed, message: r.gesture.message } : undefined,
          bestShot: r.bestShot ? { jpeg: r.bestShot.jpeg, width: r.bestShot.width, height: r.bestShot.height } : undefined,
        };
      } catch (err) {
        if (err instanceof Error && err.name === 'NoFaceError') return { ok: false, errorCode: NO_FACE_ERROR_CODE, message: 'Could not locate face on source media' };
        return rethrowFor(input.what, err);
      }
    }),
  );

  const media: DetectMedia[] = inputs.map((i, k) => ({ field: i.part.name, filename: i.part.filename, inspection: inspections[k]! }));
  return jsonAnswer(detectAnswer({ payload, media, outcomes, timeCreated, timeUpdated: Date.now() / 1000, newId: randomUUID }));
}

/** A bad file fails the request with its part named. */
function rethrowFor(what: string, err: unknown): never {
  const known = classify(err);
  if (known && known.fault === 'sample') throw liteFail('sample', `${what}: ${known.detail}`);
  throw err;
}
