// layers/vision behind the core's ports: its errors become the core's.
import { MediaRejectedError, NoFaceError as CoreNoFaceError, type LivenessAnalyzer, type MediaInspector } from '../layers/core/ports';
import { MediaError, NoFaceError, analyzeLiveness, inspectMedia } from '../layers/vision';

function translate(err: unknown): never {
  if (err instanceof MediaError) throw new MediaRejectedError(err.code, err.message);
  if (err instanceof NoFaceError) throw new CoreNoFaceError(err.message);
  throw err;
}

export const mediaInspector = (): MediaInspector => ({
  inspect: (bytes) => inspectMedia(bytes).catch(translate),
});

export const livenessAnalyzer = (): LivenessAnalyzer => ({
  analyze: async (bytes, kind) => {
    const result = await analyzeLiveness(bytes, kind).catch(translate);
    return {
      confidence_spoofing: result.confidenceSpoofing,
      frames_scored: result.framesScored,
      frames_with_face: result.framesWithFace,
      model: result.model,
    };
  },
});
