/**
 * One face per media: faces detected in each frame are linked into tracks across frames, and the
 * primary track is the one every analysis of the media uses (liveness, template, best shot,
 * gestures). A spoof video may show the attacker's own live face beside the phone: whichever face
 * is primary, liveness and biometry then judge the same one, so an attack cannot pass liveness on
 * one face and biometry on another.
 *
 * Linking (frames in order): a detection continues the track whose last box overlaps it most
 * (IoU >= 0.2), or, when none overlaps (sparse sampling, fast motion), the nearest track whose last
 * box centre lies within 0.75 box heights and whose height is within a factor 1.6; otherwise it
 * starts a new track. Each track takes at most one detection per frame (greedy, best link first).
 * Primary track: the highest detector score summed over the frames (a face missing from a frame
 * adds 0 there, so a face seen throughout beats one that flickers in and out), near-ties (within
 * 1e-3 per frame) going to the larger mean area. In a single image this is simply the highest
 * detector score, ties by area (shared notes/models.md).
 */
import { area, SCORE_TIE, type FaceBox } from './faces';

export interface Track {
  /** per frame: the track's face, or null where it was not seen */
  boxes: Array<FaceBox | null>;
  /** sum of detector scores over the frames */
  scoreSum: number;
  /** frames where the track has a face */
  frames: number;
  meanArea: number;
}

function iou(a: FaceBox, b: FaceBox): number {
  const ix = Math.max(0, Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1));
  const iy = Math.max(0, Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1));
  const inter = ix * iy;
  const u = area(a) + area(b) - inter;
  return u > 0 ? inter / u : 0;
}

/** Link affinity of a detection to a track's last box: > 1 for overlaps (1 + IoU), 0..1 by distance, -1 for no link. */
export function linkAffinity(last: FaceBox, det: FaceBox): number {
  const o = iou(last, det);
  if (o >= 0.2) return 1 + o;
  const hl = last.y2 - last.y1;
  const hd = det.y2 - det.y1;
  if (hl <= 0 || hd <= 0) return -1;
  const ratio = Math.max(hl, hd) / Math.min(hl, hd);
  if (ratio > 1.6) return -1;
  const d = Math.hypot((last.x1 + last.x2 - det.x1 - det.x2) / 2, (last.y1 + last.y2 - det.y1 - det.y2) / 2) / Math.max(hl, hd);
  if (d > 0.75) return -1;
  return 1 - d / 0.75;
}

/** Links per-frame detections into tracks. */
export function buildTracks(detections: ReadonlyArray<readonly FaceBox[]>): Track[] {
  const n = detections.length;
  const tracks: Array<{ boxes: Array<FaceBox | null>; last: FaceBox }> = [];
  for (let f = 0; f < n; f++) {
    const dets = detections[f] ?? [];
    const pairs: Array<{ t: number; d: number; a: number }> = [];
    for (let t = 0; t < tracks.length; t++) {
      for (let d = 0; d < dets.length; d++) {
        const a = linkAffinity(tracks[t]!.last, dets[d]!);
        if (a >= 0) pairs.push({ t, d, a });
      }
    }
    pairs.sort((x, y) => y.a - x.a);
    const usedT = new Set<number>();
    const usedD = new Set<number>();
    for (const p of pairs) {
      if (usedT.has(p.t) || usedD.has(p.d)) continue;
      usedT.add(p.t);
      usedD.add(p.d);
      const tr = tracks[p.t]!;
      tr.boxes[f] = dets[p.d]!;
      tr.last = dets[p.d]!;
    }
    for (let d = 0; d < dets.length; d++) {
      if (usedD.has(d)) continue;
      const boxes: Array<FaceBox | null> = new Array<FaceBox | null>(n).fill(null);
      boxes[f] = dets[d]!;
      tracks.push({ boxes, last: dets[d]! });
    }
  }
  return tracks.map((t) => {
    for (let f = 0; f < n; f++) if (t.boxes[f] === undefined) t.boxes[f] = null;
    const seen = t.boxes.filter((b): b is FaceBox => b !== null);
    return {
      boxes: t.boxes,
      scoreSum: seen.reduce((s, b) => s + b.score, 0),
      frames: seen.length,
      meanArea: seen.reduce((s, b) => s + area(b), 0) / Math.max(1, seen.length),
    };
  });
}

/** The primary track (see the file comment), or null when no frame has a face. */
export function primaryTrack(tracks: readonly Track[], frameCount: number): Track | null {
  let best: Track | null = null;
  const tie = SCORE_TIE * Math.max(1, frameCount);
  for (const t of tracks) {
    if (t.frames === 0) continue;
    if (!best || t.scoreSum > best.scoreSum + tie || (t.scoreSum >= best.scoreSum - tie && t.meanArea > best.meanArea)) best = t;
  }
  return best;
}

/** Per frame, the primary face (or null): what every analysis of the media uses. */
export function primaryFaces(detections: ReadonlyArray<readonly FaceBox[]>): Array<FaceBox | null> {
  const p = primaryTrack(buildTracks(detections), detections.length);
  return p ? p.boxes : detections.map(() => null);
}
