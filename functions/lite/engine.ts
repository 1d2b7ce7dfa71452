// API Lite's view of layers/vision: template extraction with the "one person" rule, template
// encoding and comparison, liveness analysis, versions and warm-up. An interface, so the endpoints
// can be tested with a stand-in.
import * as ort from 'onnxruntime-node';
import {
  analyzeMedia,
  compareTemplates,
  decodeTemplate,
  encodeTemplate,
  inspectMedia,
  visionVersions,
  warmUp,
  MODEL_MANIFEST,
  ManyPeopleError,
  onePersonTemplate,
  type FaceTemplate,
  type MediaAnalysis,
  type MediaAnalysisOptions,
  type MediaInspection,
  type MediaKind,
} from '../../layers/vision';
import { sniff } from '../../layers/vision/sniff';
import { ManyFacesError, liteFail } from './errors';

export interface LiteEngine {
  /** The template of the one person on an image; throws MediaError, NoFaceError, ManyFacesError. */
  extract(bytes: Buffer): Promise<FaceTemplate>;
  /** Calibrated 0..1 score of two templates (TemplateError for templates of different models). */
  compare(a: FaceTemplate, b: FaceTemplate): number;
  encode(t: FaceTemplate): Buffer;
  /** TemplateError for anything that is not a template of this server's model and format. */
  decode(bytes: Buffer): FaceTemplate;
  /** The kind from the bytes (MediaError when unsupported). */
  kindOf(bytes: Buffer): MediaKind;
  /** Decodes once to validate and describe (size, md5, dimensions, duration). */
  inspect(bytes: Buffer): Promise<MediaInspection>;
  analyze(bytes: Buffer, kind: MediaKind, opts: MediaAnalysisOptions): Promise<MediaAnalysis>;
  /** The models in use: name and version. */
  models(): { name: string; version: string }[];
  /** The inference runtime's version (the documents' "tfss"). */
  runtimeVersion(): string;
  /** Loads and runs every model once; rejects when they cannot load. */
  warmUp(): Promise<void>;
}

/** The models a template and a liveness answer rest on, without repeats, as {name, version}. */
export function modelList(): { name: string; version: string }[] {
  const seen = new Map<string, string>();
  for (const m of visionVersions()) seen.set(m.name, m.version);
  for (const name of ['fr_landmark', 'fr_feature', 'fr_eye']) {
    const spec = MODEL_MANIFEST.find((m) => m.name === name);
    if (spec && !seen.has(name)) seen.set(name, spec.version);
  }
  return [...seen].map(([name, version]) => ({ name, version }));
}

let warming: Promise<void> | null = null;

export function visionEngine(): LiteEngine {
  return {
    async extract(bytes) {
      const kind = sniff(bytes).kind;
      if (kind !== 'image') throw liteFail('sample', `a biometric sample must be an image (JPEG or PNG), not a ${kind === 'zip' ? 'ZIP archive' : 'video'}`);
      const template = await onePersonTemplate(bytes).catch((e: unknown) => {
        if (e instanceof ManyPeopleError) throw new ManyFacesError(`${e.people} people are on the image; send an image of one person`);
        throw e;
      });
      if (!template) throw liteFail('no-template', 'the face was found but its landmarks could not be located; send a sharper, frontal photo');
      return template;
    },
    compare: (a, b) => compareTemplates(a, b).score,
    encode: encodeTemplate,
    decode: decodeTemplate,
    kindOf: (bytes) => sniff(bytes).kind,
    inspect: inspectMedia,
    analyze: analyzeMedia,
    models: modelList,
    runtimeVersion: () => ort.env.versions.node ?? ort.env.versions.common,
    warmUp() {
      // One successful warm-up per process; a failed one is tried again on the next call.
      warming ??= warmUp().catch((err: unknown) => {
        warming = null;
        throw err;
      });
      return warming;
    },
  };
}
