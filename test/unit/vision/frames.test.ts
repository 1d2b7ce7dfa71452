import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { decodeImage, decodeShotSet, MediaError, sampleVideoFrames } from '../../../layers/vision';
import { readGzipEntries, readZipEntries } from '../../../layers/vision/frames';
import { gzipSync } from 'node:zlib';
import { sniff } from '../../../layers/vision/sniff';
import { withTempFile } from '../../../layers/vision/tools';
import { chooseStrategy, planSplit, probeVideoFile, sampleTargets, sampleVideoFileStreaming } from '../../../layers/vision/video';
import { withVisionSettings } from '../../../layers/vision/settings';
import { detectFaces } from '../../../layers/vision';
import { countingIndex, dataFile, ffmpegMake, makeCountingVideo, makeTestVideo, makeZip, skipMessage, withRotateTag } from './helpers';

async function rejectsWith(p: Promise<unknown>, code: string, msg?: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof MediaError, `expected MediaError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (msg) assert.match(e.message, msg);
    return true;
  });
}

const png = (w: number, h: number, colour = '#4080c0'): Promise<Buffer> =>
  sharp({ create: { width: w, height: h, channels: 3, background: colour } }).png().toBuffer();

describe('decodeImage', () => {
  it('returns packed RGB with the right size', async () => {
    const f = await decodeImage(await png(50, 30, '#ff0000'));
    assert.equal(f.width, 50);
    assert.equal(f.height, 30);
    assert.equal(f.data.length, 50 * 30 * 3);
    assert.deepEqual([...f.data.subarray(0, 3)], [255, 0, 0]);
  });

  it('caps the longest side at 1280 and keeps the aspect ratio', async () => {
    const f = await decodeImage(await png(2560, 1000));
    assert.equal(f.width, 1280);
    assert.equal(f.height, 500);
  });

  it('honours EXIF orientation', async () => {
    const jpeg = await sharp({ create: { width: 120, height: 80, channels: 3, background: '#808080' } }).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    const f = await decodeImage(jpeg);
    assert.equal(f.width, 80);
    assert.equal(f.height, 120);
  });

  it('turns gray and RGBA images into 3 channels', async () => {
    const gray = await sharp({ create: { width: 10, height: 10, channels: 3, background: '#777777' } }).toColourspace('b-w').png().toBuffer();
    const rgba = await sharp({ create: { width: 10, height: 10, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } }).png().toBuffer();
    const g = await decodeImage(gray);
    const a = await decodeImage(rgba);
    assert.equal(g.data.length, 300);
    assert.equal(a.data.length, 300);
    assert.equal(a.data[0], 255, 'transparent pixels are flattened on white');
  });

  it('rejects a video given as an image', async () => {
    await rejectsWith(decodeImage(makeTestVideo({ seconds: 1 })), 'UNSUPPORTED_MEDIA');
  });
});

describe('sampleVideoFrames', () => {
  it('samples evenly across the whole duration, not the first seconds', async () => {
    const video = makeCountingVideo(50, 10); // 5 s, frame n has luma 16 + 4n
    const frames = await sampleVideoFrames(video, 8);
    assert.equal(frames.length, 8);
    const idx = frames.map((f) => countingIndex(f.data));
    for (let i = 1; i < idx.length; i++) assert.ok(idx[i]! > idx[i - 1]!, `increasing: ${idx.join(',')}`);
    // centres of 8 equal slices of 50 frames: 3.1, 9.4, ..., 46.9
    assert.ok(idx[0]! <= 6, `first sample early: ${idx.join(',')}`);
    assert.ok(idx[7]! >= 43, `last sample late: ${idx.join(',')}`);
    for (let i = 0; i < 8; i++) {
      const expected = ((i + 0.5) * 50) / 8;
      assert.ok(Math.abs(idx[i]! - expected) <= 2.5, `sample ${i}: frame ${idx[i]} vs ${expected.toFixed(1)} (${idx.join(',')})`);
    }
  });

  it('returns what exists when the video has fewer frames than asked', async () => {
    const video = makeCountingVideo(3, 10);
    const frames = await sampleVideoFrames(video, 8);
    assert.equal(frames.length, 3);
    assert.deepEqual(frames.map((f) => countingIndex(f.data)), [0, 1, 2]);
  });

  it('scales so the longest side is at most 640', async () => {
    const frames = await sampleVideoFrames(makeTestVideo({ seconds: 1, size: '1280x720', rate: 10 }), 2);
    assert.equal(frames.length, 2);
    assert.equal(frames[0]!.width, 640);
    assert.equal(frames[0]!.height, 360);
    assert.equal(frames[0]!.data.length, 640 * 360 * 3);
  });

  it('honours rotation: a landscape stream tagged rotate=90 comes out portrait', async () => {
    const frames = await sampleVideoFrames(makeTestVideo({ seconds: 1, size: '320x240', rotate: 90 }), 4);
    assert.equal(frames.length, 4);
    for (const f of frames) {
      assert.equal(f.width, 240);
      assert.equal(f.height, 320);
    }
  });

  const photo = 'faces/face_recognition/examples/obama-720p.jpg';
  it('turns a sideways-stored phone video upright (display matrix -90, like an iPhone portrait clip)', { skip: dataFile(photo) ? false : skipMessage(photo) }, async () => {
    // store the upright picture rotated 90 degrees counter-clockwise, then tag it for display
    const sideways = ffmpegMake(['-loop', '1', '-framerate', '10', '-i', dataFile(photo)!, '-t', '1', '-vf', 'transpose=cclock', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'], 's.mp4');
    const upright = await sampleVideoFrames(withRotateTag(sideways, 270), 2);
    assert.equal(upright[0]!.width, 640);
    assert.equal(upright[0]!.height, 360);
    assert.equal((await detectFaces(upright[0]!)).length, 1, 'the face is upright and found');
    const raw = await sampleVideoFrames(sideways, 1);
    assert.equal(raw[0]!.width, 360);
    assert.equal((await detectFaces(raw[0]!)).length, 0, 'sideways, the detector misses it');
  });

  it('samples long videos from keyframes only, still spread over the whole duration', async () => {
    const video = makeCountingVideo(600, 30, { step: 1 / 3, gop: 30 }); // 20 s, a keyframe every second
    const probe = await withTempFile(video, (f) => probeVideoFile(f));
    assert.equal(probe.keyframes, 20);
    assert.equal(chooseStrategy(probe, 8), 'keyframes');
    const frames = await sampleVideoFrames(video, 8);
    assert.equal(frames.length, 8);
    const idx = frames.map((f) => countingIndex(f.data, 1 / 3));
    for (let i = 1; i < idx.length; i++) assert.ok(idx[i]! > idx[i - 1]!, idx.join(','));
    for (let i = 0; i < 8; i++) {
      const target = ((i + 0.5) * 600) / 8;
      assert.ok(idx[i]! >= target - 3 && idx[i]! <= target + 33, `sample ${i}: frame ${idx[i]} vs ${target} (${idx.join(',')})`);
    }
  });

  it('gives the same frames whichever decoding strategy is used', async () => {
    const video = makeCountingVideo(60, 10);
    const a = await sampleVideoFrames(video, 6, { strategy: 'all' });
    const b = await sampleVideoFrames(video, 6, { strategy: 'noref' });
    assert.equal(a.length, 6);
    assert.equal(b.length, 6);
    const ia = a.map((f) => countingIndex(f.data));
    const ib = b.map((f) => countingIndex(f.data));
    for (let i = 0; i < 6; i++) assert.ok(Math.abs(ia[i]! - ib[i]!) <= 2, `${ia} vs ${ib}`);
  });

  it('rejects a truncated video as CORRUPT_MEDIA', async () => {
    const v = makeTestVideo({ seconds: 2 });
    await rejectsWith(sampleVideoFrames(v.subarray(0, v.length >> 1)), 'CORRUPT_MEDIA');
  });
});

describe('decodeShotSet', () => {
  it('decodes the images of a ZIP and skips other entries', async () => {
    const zip = makeZip([
      { name: 'shots/', data: Buffer.alloc(0), method: 'store' },
      { name: 'shots/1.png', data: await png(40, 30) },
      { name: 'readme.txt', data: Buffer.from('not an image') },
      { name: 'shots/2.jpg', data: await sharp({ create: { width: 20, height: 60, channels: 3, background: '#000' } }).jpeg().toBuffer(), method: 'store' },
      { name: '__MACOSX/shots/._1.png', data: Buffer.from('resource fork') },
    ]);
    const frames = await decodeShotSet(zip);
    assert.equal(frames.length, 2);
    assert.deepEqual(frames.map((f) => [f.width, f.height]), [
      [40, 30],
      [20, 60],
    ]);
  });

  it('rejects path traversal as UNSAFE_ARCHIVE', async () => {
    const img = await png(8, 8);
    await rejectsWith(decodeShotSet(makeZip([{ name: '../evil.png', data: img }])), 'UNSAFE_ARCHIVE', /relative path/);
    await rejectsWith(decodeShotSet(makeZip([{ name: 'a/../../evil.png', data: img }])), 'UNSAFE_ARCHIVE');
    await rejectsWith(decodeShotSet(makeZip([{ name: '/etc/evil.png', data: img }])), 'UNSAFE_ARCHIVE', /absolute/);
    await rejectsWith(decodeShotSet(makeZip([{ name: '..\\evil.png', data: img }])), 'UNSAFE_ARCHIVE');
  });

  it('rejects entries lying about their size as UNSAFE_ARCHIVE', async () => {
    const big = Buffer.alloc(200_000, 7);
    await rejectsWith(decodeShotSet(makeZip([{ name: 'a.png', data: big, declaredSize: 100 }])), 'UNSAFE_ARCHIVE', /too many bytes/);
    await rejectsWith(decodeShotSet(makeZip([{ name: 'a.png', data: Buffer.alloc(100), declaredSize: 5000 }])), 'UNSAFE_ARCHIVE', /not enough bytes/);
  });

  it('rejects too many entries, oversized entries and oversized totals', async () => {
    const many = makeZip(Array.from({ length: 51 }, (_, i) => ({ name: `${i}.txt`, data: Buffer.from('x') })));
    await rejectsWith(decodeShotSet(many), 'UNSAFE_ARCHIVE', /51 entries/);
    const bomb = makeZip([{ name: 'bomb.png', data: Buffer.alloc(16 * 1024 * 1024) }]);
    assert.ok(bomb.length < 100_000, 'a zip bomb: tiny archive, huge entry');
    await rejectsWith(decodeShotSet(bomb), 'UNSAFE_ARCHIVE', /limit/);
    const limits = { maxEntries: 50, maxEntryBytes: 1000, maxTotalBytes: 1500 };
    await assert.rejects(readZipEntries(makeZip([{ name: 'a', data: Buffer.alloc(800) }, { name: 'b', data: Buffer.alloc(800) }]), limits), /expands to more than/);
  });

  it('rejects a ZIP with no image as TOO_FEW_FRAMES and a broken ZIP as CORRUPT_MEDIA', async () => {
    await rejectsWith(decodeShotSet(makeZip([{ name: 'a.txt', data: Buffer.from('hi') }])), 'TOO_FEW_FRAMES');
    const zip = makeZip([{ name: 'a.png', data: await png(8, 8) }]);
    await rejectsWith(decodeShotSet(zip.subarray(0, zip.length - 10)), 'CORRUPT_MEDIA');
  });
});

/** A ustar archive (what `tar czf` writes, without the checksum this reader does not need). */
function tar(entries: { name: string; data: Buffer; type?: string }[]): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const h = Buffer.alloc(512);
    h.write(e.name, 0, 100, 'utf8');
    h.write(e.data.length.toString(8).padStart(11, '0') + '\0', 124, 12, 'latin1');
    h.write(e.type ?? '0', 156, 1, 'latin1');
    h.write('ustar\0' + '00', 257, 8, 'latin1');
    blocks.push(h, e.data, Buffer.alloc((512 - (e.data.length % 512)) % 512));
  }
  return Buffer.concat([...blocks, Buffer.alloc(1024)]);
}

describe('gzip shot sets (application/x-gzip, changelog 3.20.1)', () => {
  it('a tar.gz of images is a shot set: its images in archive order, directories and hidden files skipped', async () => {
    const archive = gzipSync(tar([
      { name: 'shots/', data: Buffer.alloc(0), type: '5' },
      { name: 'shots/a.png', data: await png(40, 20, '#ff0000') },
      { name: 'shots/.DS_Store', data: Buffer.from('x') },
      { name: 'shots/b.png', data: await png(30, 60, '#00ff00') },
    ]));
    assert.deepEqual(sniff(archive), { kind: 'zip', mime: 'application/x-gzip' });
    const frames = await decodeShotSet(archive);
    assert.deepEqual(frames.map((f) => [f.width, f.height]), [[40, 20], [30, 60]]);
  });

  it('one gzipped image is a shot set of one', async () => {
    const frames = await decodeShotSet(gzipSync(await png(24, 24)));
    assert.equal(frames.length, 1);
  });

  it('refuses bombs, oversized and unsafe entries, and corrupt archives', async () => {
    const small = { maxEntries: 2, maxEntryBytes: 4096, maxTotalBytes: 8192 };
    assert.throws(() => readGzipEntries(gzipSync(Buffer.alloc(1_000_000)), small), (e: MediaError) => e.code === 'UNSAFE_ARCHIVE' && /expands/.test(e.message));
    assert.throws(() => readGzipEntries(gzipSync(tar([{ name: '../evil.png', data: Buffer.from('x') }])), small), (e: MediaError) => e.code === 'UNSAFE_ARCHIVE');
    assert.throws(() => readGzipEntries(gzipSync(tar([{ name: 'big.png', data: Buffer.alloc(5000) }])), small), (e: MediaError) => e.code === 'UNSAFE_ARCHIVE');
    const three = tar(['a', 'b', 'c'].map((n) => ({ name: `${n}.png`, data: Buffer.from(n) })));
    assert.throws(() => readGzipEntries(gzipSync(three), small), (e: MediaError) => e.code === 'UNSAFE_ARCHIVE' && /entries/.test(e.message));
    const truncated = gzipSync(tar([{ name: 'a.png', data: Buffer.alloc(3000) }]).subarray(0, 1000));
    assert.throws(() => readGzipEntries(truncated, small), (e: MediaError) => e.code === 'CORRUPT_MEDIA');
    await rejectsWith(decodeShotSet(gzipSync(tar([{ name: 'notes.txt', data: Buffer.from('no image') }]))), 'TOO_FEW_FRAMES');
  });
});

describe('split decoding (planSplit)', () => {
  const sample = (video: Buffer, split: boolean, count: number) =>
    withVisionSettings({ splitDecode: split }, () =>
      withTempFile(video, async (file) => {
        const probe = await probeVideoFile(file);
        return { probe, sampled: await sampleVideoFileStreaming(file, probe, { count, maxSide: 320, strategy: 'all' }) };
      }),
    );

  it('two processes split at a keyframe return exactly the frames of one pass, B-frames and open GOPs included', async () => {
    for (const extra of [[], ['-bf', '3', '-x264-params', 'open-gop=1']]) {
      const video = ffmpegMake(
        ['-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=30:duration=5', '-vf', 'noise=alls=8:allf=t', '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '30', ...extra, '-pix_fmt', 'yuv420p'],
        'g.mp4',
      );
      const one = await sample(video, false, 40);
      const two = await sample(video, true, 40);
      const targets = sampleTargets(one.probe, 40);
      const plan = planSplit(one.probe, 40, targets.offset, targets.step);
      assert.ok(plan && plan.first > 0 && plan.first < 40, `a split is planned (${JSON.stringify(plan)})`);
      assert.equal(two.sampled.attempt, 0, 'the split pass was used, not the one-pass fallback');
      assert.equal(two.sampled.frames.length, 40);
      assert.deepEqual(
        two.sampled.frames.map((f) => f.data.toString('base64')),
        one.sampled.frames.map((f) => f.data.toString('base64')),
      );
    }
  });

  it('picks the same frames on a counting video, and plans nothing without a second keyframe, with few frames or on a tie', async () => {
    const video = makeCountingVideo(150, 30, { step: 1.4, gop: 30 });
    const two = await sample(video, true, 40);
    const one = await sample(video, false, 40);
    assert.deepEqual(two.sampled.frames.map((f) => countingIndex(f.data, 1.4)), one.sampled.frames.map((f) => countingIndex(f.data, 1.4)));
    const probe = one.probe;
    assert.equal(planSplit({ ...probe, keyframeTimes: probe.keyframeTimes.slice(0, 1) }, 40, 0.05, 0.125), null);
    assert.equal(planSplit({ ...probe, frameTimes: probe.frameTimes.slice(0, 59) }, 10, 0.05, 0.125), null);
    // a frame exactly on a target: which side ffmpeg's arithmetic puts it is not sure
    assert.equal(planSplit(probe, 40, probe.frameTimes[3]! - probe.frameTimes[0]!, 0.1), null);
  });
});
