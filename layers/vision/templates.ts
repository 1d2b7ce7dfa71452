/**
 * Face templates (biometric patterns): the 512-d L2-normalised fr_feature embedding of one face,
 * how two of them compare, and a versioned binary form for the API Lite endpoints.
 *
 * Binary layout (all little-endian), TEMPLATE_FORMAT_VERSION 1:
 *   offset  size  field
 *   0       4     magic "OZFT"
 *   4       1     format version (1)
 *   5       1     value type (1 = float32)
 *   6       2     dims (uint16, 512)
 *   8       8     model id: the first 8 bytes of the sha256 of the embedding model file
 *   16      4*d   the L2-normalised vector, float32
 *   16+4d   4     CRC-32 (IEEE) of every byte before it
 * 2,068 bytes for 512 dims. decodeTemplate rejects anything else with a TemplateError.
 */
import { crc32 } from 'node:zlib';
import { getModelSpec } from '../../models/manifest';
import { FACE_SCORE_HIGH, FACE_SCORE_LOW, FACE_SCORE_THRESHOLD, FACE_RAW_THRESHOLD } from './calibration';
import { cosine, EMBEDDING_DIMS } from './embed';

export const TEMPLATE_MODEL = 'fr_feature';
export const TEMPLATE_MAGIC = 'OZFT';
export const TEMPLATE_FORMAT_VERSION = 1;
const VALUE_FLOAT32 = 1;
const HEADER_BYTES = 16;

/** Hex of the first 8 bytes of the embedding model's sha256: the model id carried in templates. */
export function templateModelId(): string {
  return getModelSpec(TEMPLATE_MODEL).sha256.slice(0, 16);
}

export interface FaceTemplate {
  /** embedding network ("fr_feature") */
  model: string;
  /** first 16 hex digits of the model file's sha256 */
  modelId: string;
  dims: number;
  /** L2-normalised embedding */
  vector: Float32Array;
}

export type TemplateErrorCode = 'BAD_MAGIC' | 'UNSUPPORTED_VERSION' | 'MODEL_MISMATCH' | 'DIMS_MISMATCH' | 'TRUNCATED' | 'CORRUPT';

export class TemplateError extends Error {
  constructor(
    public readonly code: TemplateErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'TemplateError';
  }
}

/** Wraps an L2-normalised embedding of the current model as a template. */
export function makeTemplate(vector: Float32Array): FaceTemplate {
  return { model: TEMPLATE_MODEL, modelId: templateModelId(), dims: vector.length, vector };
}

export interface TemplateComparison {
  /** raw cosine similarity of the two embeddings, -1..1 */
  similarity: number;
  /** calibrated score 0..1; at or above 0.85 (the Oz default threshold) = the same person */
  score: number;
}

/**
 * Calibrated score of a raw cosine: a monotone piecewise-linear map, 0 at or below
 * FACE_SCORE_LOW, FACE_SCORE_THRESHOLD (0.85) at FACE_RAW_THRESHOLD (the operating point chosen on
 * identities.csv, see README), FACE_SCORE_HIGH (1) at raw 1.
 */
export function similarityToScore(raw: number): number {
  if (!Number.isFinite(raw) || raw <= FACE_SCORE_LOW) return 0;
  if (raw >= 1) return FACE_SCORE_HIGH;
  if (raw <= FACE_RAW_THRESHOLD) return (FACE_SCORE_THRESHOLD * (raw - FACE_SCORE_LOW)) / (FACE_RAW_THRESHOLD - FACE_SCORE_LOW);
  return FACE_SCORE_THRESHOLD + ((FACE_SCORE_HIGH - FACE_SCORE_THRESHOLD) * (raw - FACE_RAW_THRESHOLD)) / (1 - FACE_RAW_THRESHOLD);
}

/** The raw cosine that maps to a calibrated score (inverse of similarityToScore on (0, 1]). */
export function scoreToSimilarity(score: number): number {
  if (score <= 0) return FACE_SCORE_LOW;
  if (score >= 1) return 1;
  if (score <= FACE_SCORE_THRESHOLD) return FACE_SCORE_LOW + (score / FACE_SCORE_THRESHOLD) * (FACE_RAW_THRESHOLD - FACE_SCORE_LOW);
  return FACE_RAW_THRESHOLD + ((score - FACE_SCORE_THRESHOLD) / (FACE_SCORE_HIGH - FACE_SCORE_THRESHOLD)) * (1 - FACE_RAW_THRESHOLD);
}

/** Compares two templates of the same model. Throws TemplateError for templates of different models or sizes. */
export function compareTemplates(a: FaceTemplate, b: FaceTemplate): TemplateComparison {
  if (a.model !== b.model || a.modelId !== b.modelId) {
    throw new TemplateError('MODEL_MISMATCH', `templates come from different models (${a.model}/${a.modelId} vs ${b.model}/${b.modelId})`);
  }
  if (a.vector.length !== b.vector.length) {
    throw new TemplateError('DIMS_MISMATCH', `templates have different sizes (${a.vector.length} vs ${b.vector.length})`);
  }
  const similarity = Math.max(-1, Math.min(1, cosine(a.vector, b.vector)));
  return { similarity, score: similarityToScore(similarity) };
}

/** Serialises a template (see the layout at the top of this file). */
export function encodeTemplate(t: FaceTemplate): Buffer {
  if (!/^[0-9a-f]{16}$/.test(t.modelId)) throw new TemplateError('CORRUPT', `bad model id ${t.modelId}`);
  const dims = t.vector.length;
  if (dims < 1 || dims > 0xffff) throw new TemplateError('DIMS_MISMATCH', `a template of ${dims} values cannot be encoded`);
  const buf = Buffer.alloc(HEADER_BYTES + 4 * dims + 4);
  buf.write(TEMPLATE_MAGIC, 0, 'latin1');
  buf.writeUInt8(TEMPLATE_FORMAT_VERSION, 4);
  buf.writeUInt8(VALUE_FLOAT32, 5);
  buf.writeUInt16LE(dims, 6);
  Buffer.from(t.modelId, 'hex').copy(buf, 8);
  for (let i = 0; i < dims; i++) buf.writeFloatLE(t.vector[i]!, HEADER_BYTES + 4 * i);
  buf.writeUInt32LE(crc32(buf.subarray(0, HEADER_BYTES + 4 * dims)), HEADER_BYTES + 4 * dims);
  return buf;
}

/**
 * Parses a binary template and checks it: the magic, the format version, the model id (it must be
 * the current embedding model's: templates of another model cannot be compared), the dims, the
 * length, the CRC, finite values and a unit norm. Throws TemplateError with a code.
 */
export function decodeTemplate(bytes: Uint8Array): FaceTemplate {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length < 4 || b.toString('latin1', 0, 4) !== TEMPLATE_MAGIC) {
    throw new TemplateError('BAD_MAGIC', 'not a face template (bad magic header)');
  }
  if (b.length < HEADER_BYTES) throw new TemplateError('TRUNCATED', `the template is truncated (${b.length} bytes)`);
  const version = b.readUInt8(4);
  if (version !== TEMPLATE_FORMAT_VERSION) {
    throw new TemplateError('UNSUPPORTED_VERSION', `template format version ${version} is not supported (this server reads ${TEMPLATE_FORMAT_VERSION})`);
  }
  if (b.readUInt8(5) !== VALUE_FLOAT32) throw new TemplateError('CORRUPT', `unknown template value type ${b.readUInt8(5)}`);
  const dims = b.readUInt16LE(6);
  const modelId = b.toString('hex', 8, 16);
  const want = templateModelId();
  if (modelId !== want) {
    throw new TemplateError('MODEL_MISMATCH', `the template was made by another model (${modelId}; this server uses ${TEMPLATE_MODEL} ${want}): extract it again`);
  }
  if (dims !== EMBEDDING_DIMS) throw new TemplateError('DIMS_MISMATCH', `the template has ${dims} values; ${TEMPLATE_MODEL} templates have ${EMBEDDING_DIMS}`);
  const total = HEADER_BYTES + 4 * dims + 4;
  if (b.length < total) throw new TemplateError('TRUNCATED', `the template is truncated (${b.length} of ${total} bytes)`);
  if (b.length > total) throw new TemplateError('CORRUPT', `the template has ${b.length - total} trailing bytes`);
  if (crc32(b.subarray(0, total - 4)) !== b.readUInt32LE(total - 4)) throw new TemplateError('CORRUPT', 'the template checksum does not match (corrupt)');
  const vector = new Float32Array(dims);
  let norm = 0;
  for (let i = 0; i < dims; i++) {
    const v = b.readFloatLE(HEADER_BYTES + 4 * i);
    if (!Number.isFinite(v)) throw new TemplateError('CORRUPT', 'the template holds a non-finite value');
    vector[i] = v;
    norm += v * v;
  }
  if (Math.abs(Math.sqrt(norm) - 1) > 1e-3) throw new TemplateError('CORRUPT', 'the template is not unit-length');
  return { model: TEMPLATE_MODEL, modelId, dims, vector };
}
