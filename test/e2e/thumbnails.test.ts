// thumb_url and info.thumb: a small JPEG made at upload for images, videos and shot sets, gone
// with the media's bytes when the folder is cleared of personal information.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { ADMIN, OzClient, startRuntime } from '../support/local';
import { makeTestVideo, makeZip } from '../unit/vision/helpers';
import type { LocalRuntime } from '../../infra/local/runtime';

let runtime: LocalRuntime;
let client: OzClient;

before(async () => {
  runtime = await startRuntime();
  client = new OzClient(runtime.url);
  await client.login(ADMIN.email, ADMIN.password);
});
after(async () => {
  await runtime?.stop();
});

const jpegOf = (width: number, height: number, color: { r: number; g: number; b: number }) =>
  sharp({ create: { width, height, channels: 3, background: color } }).jpeg().toBuffer();

test('images, videos and shot sets get a thumbnail JPEG of at most 240 px, cleared with the folder', async () => {
  const photo = await jpegOf(1200, 800, { r: 200, g: 30, b: 30 });
  const shot = await jpegOf(300, 600, { r: 30, g: 30, b: 200 });
  const video = makeTestVideo({ seconds: 2, size: '640x360' });
  const zip = makeZip([{ name: 'a.jpg', data: shot }, { name: 'b.jpg', data: photo }]);
  const made = await client.upload('/api/folders/', [
    { field: 'image1', name: 'photo.jpg', bytes: photo, type: 'image/jpeg' },
    { field: 'video1', name: 'clip.mp4', bytes: video, type: 'video/mp4' },
    { field: 'shots1', name: 'shots.zip', bytes: zip, type: 'application/zip' },
  ]);
  assert.equal(made.status, 201, made.text);
  const byType = Object.fromEntries(made.body.media.map((m: any) => [m.media_type, m]));
  const expected = { IMAGE_FOLDER: [240, 160], VIDEO_FOLDER: [240, 135], SHOTS_SET: [120, 240] } as const;
  for (const [type, [w, h]] of Object.entries(expected)) {
    const media = byType[type];
    assert.ok(media, `${type} stored`);
    assert.deepEqual(media.info.thumb, { width: w, height: h, size: media.info.thumb.size, 'mime-type': 'image/jpeg' }, type);
    assert.equal(typeof media.thumb_url, 'string', type);
    const res = await fetch(media.thumb_url);
    assert.equal(res.status, 200, type);
    const bytes = Buffer.from(await res.arrayBuffer());
    assert.equal(bytes.length, media.info.thumb.size, type);
    const meta = await sharp(bytes).metadata();
    assert.equal(meta.format, 'jpeg', type);
    assert.deepEqual([meta.width, meta.height], [w, h], type);
    if (type === 'SHOTS_SET') {
      // The first frame of the set (blue), not the second (red).
      const { dominant } = await sharp(bytes).stats();
      assert.ok(dominant.b > 150 && dominant.r < 100, JSON.stringify(dominant));
    }
  }
  // Read again: the same thumbnail facts, a fresh URL.
  const read = await client.request('GET', `/api/folders/${made.body.folder_id}/`);
  assert.equal(read.status, 200);
  const thumbUrls = read.body.media.map((m: any) => m.thumb_url as string);
  assert.ok(thumbUrls.every((u: string) => typeof u === 'string'));

  const cleared = await client.request('POST', `/api/folders/${made.body.folder_id}/delete_pi`);
  assert.equal(cleared.status, 200, cleared.text);
  const after = await client.request('GET', `/api/folders/${made.body.folder_id}/`);
  for (const m of after.body.media) {
    assert.equal(m.thumb_url, null);
    assert.equal(m.info.thumb, null);
  }
  for (const url of thumbUrls) assert.equal((await fetch(url)).status, 404, 'the thumbnail bytes are deleted');
});

test('the Instant API stores no thumbnail', async () => {
  const photo = await jpegOf(400, 400, { r: 10, g: 200, b: 10 });
  const form = [{ field: 'image1', name: 'p.jpg', bytes: photo, type: 'image/jpeg' }];
  const res = await client.upload('/api/instant/folders', form, { analyses: [{ type: 'quality' }] });
  // No face in a flat picture: the analysis fails, but the media is answered without a thumbnail.
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.media.length, 1);
  for (const m of res.body.media) {
    assert.equal(m.thumb_url, null);
    assert.equal(m.info.thumb, null);
  }
});
