// layers/vision behind the core's ports: its errors become the core's.
import { MediaRejectedError, NoFaceError as CoreNoFaceError, type FaceAnalyzer, type Log, type MediaInspector, type MediaSnapshotter } from '../core/ports';
import type { TemplateExtractor } from '../core/collections';
import { MediaError, NoFaceError, TEMPLATE_MODEL, analyzeMedia, compareTemplates, decodeShotSet, inspectMedia, makeSnapshot, makeThumbnail, ManyPeopleError, onePersonTemplate, shotSetVideo, templateModelId } from '../vision';

function translate(err: unknown): never {
  if (err instanceof MediaError) throw new MediaRejectedError(err.code, err.message);
  if (err instanceof NoFaceError) throw new CoreNoFaceError(err.message);
  if (err instanceof ManyPeopleError) throw new MediaRejectedError(err.code, `${err.people} people are on the image; enrol a photo of one person`);
  throw err;
}

/** `log` hears of thumbnails that could not be made (the media is kept anyway). */
export const mediaInspector = (log?: Log): MediaInspector => ({
  inspect: async (bytes) => {
    const inspected = await inspectMedia(bytes).catch(translate);
    // A shot set is accepted only if it opens safely (limits, no path tricks) and holds an image.
    if (inspected.kind === 'zip') {
      const frames = await decodeShotSet(bytes).catch(translate);
      if (frames.length === 0) throw new MediaRejectedError('EMPTY_SHOT_SET', 'the archive holds no image');
    }
    // The thumbnail is a convenience: media that inspected fine is never refused for want of one.
    const thumb = await makeThumbnail(bytes, inspected.kind).catch((err: unknown) => {
      log?.error('thumbnail failed', { kind: inspected.kind, error: (err as Error)?.message });
      return undefined;
    });
    return { ...inspected, thumb };
  },
  shotSetVideo: (bytes) => shotSetVideo(bytes).catch(translate),
});

export const mediaSnapshotter = (): MediaSnapshotter => ({
  snapshot: (bytes, kind, atSeconds) => makeSnapshot(bytes, kind, atSeconds).catch(translate),
});

const asTemplate = (vector: Float32Array) => ({ model: TEMPLATE_MODEL, modelId: templateModelId(), dims: vector.length, vector });

export const faceAnalyzer = (): FaceAnalyzer => ({
  analyze: async (bytes, kind, request) => {
    const r = await analyzeMedia(bytes, kind, request).catch(translate);
    return {
      confidence_spoofing: r.confidenceSpoofing,
      template: r.template?.vector,
      best_shot: r.bestShot,
      action_shot: r.actionShot,
      gesture: r.gesture,
      frames_scored: r.framesScored,
      frames_with_face: r.framesWithFace,
    };
  },
  compare: (a, b) => compareTemplates(asTemplate(a), asTemplate(b)).score,
});

/** A person is enrolled from a photo of that person alone: group photos are refused. */
export const templateExtractor = (): TemplateExtractor => ({
  extract: async (bytes) => {
    const template = await onePersonTemplate(bytes).catch(translate);
    if (!template) throw new CoreNoFaceError('no face template');
    return template.vector;
  },
});
