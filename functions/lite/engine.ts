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
  type FaceBox,
  type FaceTemplate,
  type MediaAnalysis,
  type MediaAnalysisOptions,
  type MediaInspection,
  type MediaKind,
} from '../../layers/vision';
import { analyzeMediaDetailed } from '../../layers/vision/analyze';
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

/**
 * When a second face on a sample is another person, not a reflection, a poster or a face far in
 * the background: detector score at least 0.99 and at least half the primary face's height.
 * Measured on ../shared/data/faces: every multi-person photo (two_people, couple, obama_and_biden,
 * kit_with_rose) has such a face (score 1.000, 0.80 to 1.02 of the height); of the 76 identity
 * photos none has, while two have a weaker second detection (a blurred background face at 0.980,
 * a small one at 0.32 of the height) and one a doubtful detection at 0.774.
 */
export const OTHER_PERSON = { minScore: 0.99, minRelativeHeight: 0.5 };

export function otherPeople(faces: readonly FaceBox[], primary: FaceBox): FaceBox[] {
  const h = primary.y2 - primary.y1;
  return faces.filter((f) => f !== primary && !sameBox(f, primary) && f.score >= OTHER_PERSON.minScore && f.y2 - f.y1 >= OTHER_PERSON.minRelativeHeight * h);
}

const sameBox = (a: FaceBox, b: FaceBox) => a.x1 === b.x1 && a.y1 === b.y1 && a.x2 === b.x2 && a.y2 === b.y2;

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
      const { analysis, details } = await analyzeMediaDetailed(bytes, 'image', { template: true });
      const primary = details.primary[0];
      if (primary) {
        const others = otherPeople(details.detections[0] ?? [], primary);
        if (others.length > 0) throw new ManyFacesError(`${others.length + 1} people are on the image; send an image of one person`);
      }
      if (!analysis.template) throw liteFail('no-template', 'the face was found but its landmarks could not be located; send a sharper, frontal photo');
      return analysis.template;
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
