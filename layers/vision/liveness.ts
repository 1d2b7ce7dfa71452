/**
 * Passive anti-spoofing on one detected face.
 *
 * fr_liveness.onnx (shipped, faceplugin-face-recognition-js@0.0.1), fed as measured best in shared
 * notes/models.md: B,G,R planes (not the vendor JS's RGB), raw 0..255, Silent-Face crop of the JS
 * square box (side = box height, centred) with scale 2.7, bilinear to 128x128; softmax;
 * p_live = p[0]; spoof = 1 - p_live.
 *
 * MiniFASNetV2 / MiniFASNetV1SE (optional, Apache-2.0, only from OZ_MODEL_DIR): 80x80 BGR raw
 * 0..255, Silent-Face crop of the detector box with scale 2.7 (V2) / 4.0 (V1SE); softmax; index 1
 * = real. They scored better on the held-out acceptance set, so MiniFASNetV2 is used automatically
 * when present. OZ_LIVENESS_MODEL = auto (default) | fr_liveness | minifasnet | minifasnet-ensemble
 * (V2 + V1SE, p_real averaged as Silent-Face does).
 */
import { findOptionalModel, resolveModel, type ModelName } from '../../models/manifest';
import { squareBox, type FaceBox } from './faces';
import { roiToTensor, type Rect } from './imageops';
import { getModel, outputData, runModel, softmax } from './onnx';
import type { Frame } from './types';
import { visionSettings } from './settings';

export interface LivenessNet {
  model: ModelName;
  /** network input side */
  size: number;
  /** Silent-Face crop scale */
  scale: number;
  /** which box the crop is built around */
  box: 'square' | 'detector';
  /** softmax index of the live/real class */
  realIndex: number;
}

export const NETS: Readonly<Record<'fr_liveness' | 'MiniFASNetV2' | 'MiniFASNetV1SE', LivenessNet>> = {
  fr_liveness: { model: 'fr_liveness', size: 128, scale: 2.7, box: 'square', realIndex: 0 },
  MiniFASNetV2: { model: 'MiniFASNetV2', size: 80, scale: 2.7, box: 'detector', realIndex: 1 },
  MiniFASNetV1SE: { model: 'MiniFASNetV1SE', size: 80, scale: 4.0, box: 'detector', realIndex: 1 },
};

export interface LivenessChoice {
  /** reported model name, e.g. "fr_liveness" or "MiniFASNetV2" */
  name: string;
  nets: LivenessNet[];
}

/** Which liveness network(s) to use now (the livenessModel setting, optional files in OZ_MODEL_DIR). */
export function chooseLivenessModel(): LivenessChoice {
  const want = visionSettings().livenessModel.trim().toLowerCase();
  const v2 = (): boolean => findOptionalModel('MiniFASNetV2') !== null;
  const requireOptional = (name: ModelName): void => {
    resolveModel(name); // throws MODEL_NOT_FOUND / MODEL_CHECKSUM_MISMATCH with a clear message
  };
  switch (want) {
    case 'fr_liveness':
      return { name: 'fr_liveness', nets: [NETS.fr_liveness] };
    case 'minifasnet':
    case 'minifasnetv2':
      requireOptional('MiniFASNetV2');
      return { name: 'MiniFASNetV2', nets: [NETS.MiniFASNetV2] };
    case 'minifasnet-ensemble':
      requireOptional('MiniFASNetV2');
      requireOptional('MiniFASNetV1SE');
      return { name: 'MiniFASNetV2+MiniFASNetV1SE', nets: [NETS.MiniFASNetV2, NETS.MiniFASNetV1SE] };
    case 'auto':
    case '':
      return v2() ? { name: 'MiniFASNetV2', nets: [NETS.MiniFASNetV2] } : { name: 'fr_liveness', nets: [NETS.fr_liveness] };
    default:
      throw new Error(`OZ_LIVENESS_MODEL=${want} is not one of auto, fr_liveness, minifasnet, minifasnet-ensemble`);
  }
}

/**
 * Silent-Face-Anti-Spoofing's CropImage._get_new_box: scale the box about its centre (scale capped
 * so it fits), shift it back inside the frame, truncate to integers; the crop includes both corners.
 */
export function silentFaceCrop(box: Rect, width: number, height: number, scale: number): Rect {
  const s = Math.min((height - 1) / box.h, (width - 1) / box.w, scale);
  const nw = box.w * s;
  const nh = box.h * s;
  const cx = box.x + box.w / 2;
  const cy = box.y + box.h / 2;
  let ltx = cx - nw / 2;
  let lty = cy - nh / 2;
  let rbx = cx + nw / 2;
  let rby = cy + nh / 2;
  if (ltx < 0) {
    rbx -= ltx;
    ltx = 0;
  }
  if (lty < 0) {
    rby -= lty;
    lty = 0;
  }
  if (rbx > width - 1) {
    ltx -= rbx - width + 1;
    rbx = width - 1;
  }
  if (rby > height - 1) {
    lty -= rby - height + 1;
    rby = height - 1;
  }
  const x1 = Math.max(0, Math.trunc(ltx));
  const y1 = Math.max(0, Math.trunc(lty));
  const x2 = Math.min(width - 1, Math.trunc(rbx));
  const y2 = Math.min(height - 1, Math.trunc(rby));
  return { x: x1, y: y1, w: x2 - x1 + 1, h: y2 - y1 + 1 };
}

/** The crop a network sees for a face, in frame pixels. */
export function livenessCrop(net: LivenessNet, frame: Frame, face: FaceBox): Rect | null {
  let b: Rect;
  if (net.box === 'square') {
    const q = squareBox(face, frame.width, frame.height);
    b = { x: q.x1, y: q.y1, w: q.x2 - q.x1, h: q.y2 - q.y1 };
  } else {
    const x1 = Math.trunc(face.x1);
    const y1 = Math.trunc(face.y1);
    b = { x: x1, y: y1, w: Math.trunc(face.x2) - x1, h: Math.trunc(face.y2) - y1 };
  }
  if (b.w < 2 || b.h < 2) return null;
  return silentFaceCrop(b, frame.width, frame.height, net.scale);
}

/** p(real) of one network on one face; null when the face box is too thin to crop. */
export async function livenessProbability(net: LivenessNet, frame: Frame, face: FaceBox): Promise<number | null> {
  const crop = livenessCrop(net, frame, face);
  if (!crop) return null;
  const m = await getModel(net.model);
  const input = roiToTensor(frame, crop, net.size, net.size, { order: 'BGR', mean: 0, std: 1 });
  const out = await runModel(m, input, [1, 3, net.size, net.size]);
  const p = softmax(outputData(out, 'output'));
  return p[net.realIndex] ?? 0;
}

/**
 * Spoof score of one face in [0, 1] (1 = attack): 1 - mean p(real) over the chosen networks;
 * null when the face cannot be cropped (degenerate box), which counts as no face.
 */
export async function spoofScore(frame: Frame, face: FaceBox, choice: LivenessChoice = chooseLivenessModel()): Promise<number | null> {
  let sum = 0;
  for (const net of choice.nets) {
    const p = await livenessProbability(net, frame, face);
    if (p === null) return null;
    sum += p;
  }
  const s = 1 - sum / choice.nets.length;
  return Math.min(1, Math.max(0, s));
}
