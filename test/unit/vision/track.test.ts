import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FaceBox } from '../../../layers/vision';
import { buildTracks, linkAffinity, primaryFaces, primaryTrack } from '../../../layers/vision/track';

const box = (x: number, y: number, h: number, score = 0.99): FaceBox => ({ x1: x, y1: y, x2: x + h * 0.8, y2: y + h, score });

describe('one face per media (tracking)', () => {
  it('links overlapping boxes, and nearby ones when sampling is sparse', () => {
    assert.ok(linkAffinity(box(100, 100, 100), box(105, 102, 100)) > 1);
    const near = linkAffinity(box(100, 100, 100), box(165, 110, 100));
    assert.ok(near >= 0 && near <= 1, String(near));
    assert.equal(linkAffinity(box(100, 100, 100), box(400, 100, 100)), -1);
    // a much smaller box is another face, not the same one moved
    assert.equal(linkAffinity(box(100, 100, 100), box(110, 110, 40)), -1);
  });

  it('keeps the same face across frames although the other one scores higher in some frames', () => {
    // the subject on the left is in every frame; an attacker's face on the right flickers in and out
    const frames: FaceBox[][] = [
      [box(100, 100, 120, 0.999), box(400, 80, 130, 0.98)],
      [box(104, 102, 120, 0.998)],
      [box(108, 100, 121, 0.97), box(402, 82, 130, 0.9999)],
      [box(110, 98, 119, 0.999)],
      [box(112, 99, 120, 0.999), box(404, 80, 131, 0.9999)],
    ];
    const p = primaryFaces(frames);
    assert.equal(p.length, 5);
    for (const b of p) assert.ok(b && b.x1 < 200, JSON.stringify(b));
  });

  it('chooses by detector score, ties by area, in a single image', () => {
    const p = primaryFaces([[box(0, 0, 300, 0.989), box(400, 100, 120, 1.0)]]);
    assert.equal(p[0]!.score, 1.0);
    const t = primaryFaces([[box(0, 0, 50, 0.9999), box(100, 100, 200, 0.9995)]]);
    assert.equal(t[0]!.y2 - t[0]!.y1, 200);
  });

  it('leaves frames without the primary face empty, and has no track without faces', () => {
    const p = primaryFaces([[box(100, 100, 100)], [], [box(102, 100, 100)]]);
    assert.ok(p[0] && p[1] === null && p[2]);
    assert.deepEqual(primaryFaces([[], []]), [null, null]);
    assert.equal(primaryTrack(buildTracks([[], []]), 2), null);
  });
});
