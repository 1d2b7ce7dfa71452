import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { COUNT_DETECT, DETECT_DEFAULTS, ManyPeopleError, NoFaceError, SELFIE_DETECT, decodeImage, detectFaces, onePersonTemplate } from '../../../layers/vision';
import { dataFile, skipMessage } from './helpers';

const GROUP = 'faces/face_recognition/examples/knn_examples/test/obama_and_biden.jpg';
const ONE = 'faces/face_recognition/examples/obama.jpg';

/** The photo shrunk so that its smallest face is `facePx` tall, centred on a large gray canvas. */
async function smallFacesOnCanvas(rel: string, facePx: number, canvas = { width: 1280, height: 960 }): Promise<Buffer> {
  const bytes = readFileSync(dataFile(rel)!);
  const faces = await detectFaces(await decodeImage(bytes), DETECT_DEFAULTS);
  const smallest = Math.min(...faces.map((f) => f.y2 - f.y1));
  const meta = await sharp(bytes).metadata();
  const width = Math.round((meta.width! * facePx) / smallest);
  const shrunk = await sharp(bytes).resize({ width }).png().toBuffer();
  return sharp({ create: { ...canvas, channels: 3, background: '#808080' } })
    .composite([{ input: shrunk, gravity: 'centre' }])
    .jpeg({ quality: 92 })
    .toBuffer();
}

describe('counting faces apart from the selfie path', () => {
  it('counts three faces of about 28 px in a 1280x960 photo that the selfie preset ignores', { skip: dataFile(GROUP) ? false : skipMessage(GROUP) }, async () => {
    const frame = await decodeImage(await smallFacesOnCanvas(GROUP, 28));
    assert.equal((await detectFaces(frame, SELFIE_DETECT)).length, 0, 'the selfie minimum size rules them out');
    assert.ok((await detectFaces(frame, { ...COUNT_DETECT, tiles: false })).length < 3, 'squeezed whole to 320x240 they are too small for the detector');
    const counted = await detectFaces(frame, COUNT_DETECT);
    assert.equal(counted.length, 3);
    for (const f of counted) assert.ok(f.y2 - f.y1 < 60, `a small face, not a big false one: ${f.y2 - f.y1}`);
  });

  it('refuses such a group photo as "3 people", not as "no face"', { skip: dataFile(GROUP) ? false : skipMessage(GROUP) }, async () => {
    const bytes = await smallFacesOnCanvas(GROUP, 28);
    await assert.rejects(onePersonTemplate(bytes), (e: unknown) => e instanceof ManyPeopleError && e.people === 3);
  });

  it('one small face is still "no face" for the selfie path', { skip: dataFile(ONE) ? false : skipMessage(ONE) }, async () => {
    const bytes = await smallFacesOnCanvas(ONE, 30);
    assert.equal((await detectFaces(await decodeImage(bytes), COUNT_DETECT)).length, 1);
    await assert.rejects(onePersonTemplate(bytes), NoFaceError);
  });

  const TWO = 'faces/face_recognition/examples/two_people.jpg';
  it('two people with large faces are two people (the whole-frame pass suffices beside a large main face)', { skip: dataFile(TWO) ? false : skipMessage(TWO) }, async () => {
    await assert.rejects(onePersonTemplate(readFileSync(dataFile(TWO)!)), (e: unknown) => e instanceof ManyPeopleError && e.people === 2);
  });

  it('a photo of one person gives its template', { skip: dataFile(ONE) ? false : skipMessage(ONE) }, async () => {
    const t = await onePersonTemplate(readFileSync(dataFile(ONE)!));
    assert.equal(t?.vector.length, 512);
  });
});
