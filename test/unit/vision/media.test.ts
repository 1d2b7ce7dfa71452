import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { describe, it, before } from 'node:test';
import sharp from 'sharp';
import { inspectMedia, MediaError } from '../../../layers/vision';
import { sniff } from '../../../layers/vision/sniff';
import { ffmpegMake, makeHugePng, makeTestVideo, makeZip } from './helpers';

async function rejectsWith(p: Promise<unknown>, code: string, msg?: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof MediaError, `expected MediaError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (msg) assert.match(e.message, msg);
    return true;
  });
}

describe('inspectMedia: images', () => {
  let png: Buffer;
  let jpeg: Buffer;
  before(async () => {
    png = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#336699' } }).png().toBuffer();
    jpeg = await sharp({ create: { width: 120, height: 80, channels: 3, background: '#aa8844' } })
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toBuffer();
  });

  it('recognises a PNG from its bytes, with size and md5', async () => {
    const info = await inspectMedia(png);
    assert.equal(info.kind, 'image');
    assert.equal(info.mime, 'image/png');
    assert.equal(info.width, 64);
    assert.equal(info.height, 48);
    assert.equal(info.size, png.length);
    assert.equal(info.md5, createHash('md5').update(png).digest('hex'));
  });

  it('reports JPEG dimensions after EXIF orientation (6 = rotate 90)', async () => {
    const meta = await sharp(jpeg).metadata();
    assert.equal(meta.orientation, 6);
    const info = await inspectMedia(jpeg);
    assert.equal(info.mime, 'image/jpeg');
    assert.equal(info.width, 80);
    assert.equal(info.height, 120);
  });

  it('recognises WebP, GIF, TIFF and BMP', async () => {
    const base = sharp({ create: { width: 32, height: 24, channels: 3, background: '#808080' } });
    const cases: Array<[Buffer, string]> = [
      [await base.clone().webp().toBuffer(), 'image/webp'],
      [await base.clone().gif().toBuffer(), 'image/gif'],
      [await base.clone().tiff().toBuffer(), 'image/tiff'],
      [ffmpegMake(['-f', 'lavfi', '-i', 'testsrc=size=32x24', '-frames:v', '1'], 'x.bmp'), 'image/bmp'],
    ];
    for (const [bytes, mime] of cases) {
      const info = await inspectMedia(bytes);
      assert.equal(info.kind, 'image', mime);
      assert.equal(info.mime, mime);
      assert.equal(info.width, 32, mime);
      assert.equal(info.height, 24, mime);
    }
  });

  it('ignores what a name would say: a PNG is a PNG whatever it is called', () => {
    assert.equal(sniff(png).kind, 'image');
  });

  it('rejects a truncated JPEG as CORRUPT_MEDIA', async () => {
    const big = await sharp({ create: { width: 400, height: 300, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 128, sigma: 40 } } }).jpeg().toBuffer();
    await rejectsWith(inspectMedia(big.subarray(0, Math.floor(big.length / 2))), 'CORRUPT_MEDIA');
  });

  it('rejects a 10000x10000 PNG (decompression bomb) as IMAGE_TOO_LARGE', async () => {
    const bomb = makeHugePng(10000, 10000);
    assert.ok(bomb.length < 1_000_000);
    await rejectsWith(inspectMedia(bomb), 'IMAGE_TOO_LARGE', /10000x10000/);
  });

  it('rejects HEIC with a clear message', async () => {
    const heic = Buffer.alloc(64);
    heic.writeUInt32BE(24, 0);
    heic.write('ftypheic', 4, 'latin1');
    heic.write('mif1heic', 16, 'latin1');
    await rejectsWith(inspectMedia(heic), 'UNSUPPORTED_MEDIA', /HEIC images are not supported; send JPEG or PNG/);
  });

  it('rejects random bytes, empty input, PDF and SVG as UNSUPPORTED_MEDIA', async () => {
    await rejectsWith(inspectMedia(randomBytes(4096)), 'UNSUPPORTED_MEDIA');
    await rejectsWith(inspectMedia(Buffer.alloc(0)), 'UNSUPPORTED_MEDIA', /empty/);
    await rejectsWith(inspectMedia(Buffer.from('%PDF-1.7\n1 0 obj\n<<>>\nendobj\n')), 'UNSUPPORTED_MEDIA', /PDF/);
    await rejectsWith(inspectMedia(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>')), 'UNSUPPORTED_MEDIA', /SVG/);
  });
});

describe('inspectMedia: videos', () => {
  let mp4: Buffer;
  before(() => {
    mp4 = makeTestVideo({ seconds: 2, size: '320x240', rate: 25 });
  });

  it('recognises an MP4 and reports duration, fps, frames and size', async () => {
    const info = await inspectMedia(mp4);
    assert.equal(info.kind, 'video');
    assert.equal(info.mime, 'video/mp4');
    assert.equal(info.width, 320);
    assert.equal(info.height, 240);
    assert.equal(info.fps, 25);
    assert.equal(info.frames, 50);
    assert.ok(Math.abs((info.duration ?? 0) - 2) < 0.05, String(info.duration));
    assert.equal(info.rotation, 0);
    assert.equal(info.size, mp4.length);
    assert.equal(info.md5, createHash('md5').update(mp4).digest('hex'));
  });

  it('reports rotated videos with display dimensions', async () => {
    const info = await inspectMedia(makeTestVideo({ seconds: 1, rotate: 90 }));
    assert.equal(info.width, 240);
    assert.equal(info.height, 320);
    assert.ok(info.rotation === 90 || info.rotation === 270, String(info.rotation));
  });

  it('recognises WebM, MKV, MOV and AVI', async () => {
    const src = ['-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=10:duration=1'];
    const cases: Array<[Buffer, string]> = [
      [ffmpegMake([...src, '-c:v', 'libvpx', '-b:v', '200k'], 'x.webm'), 'video/webm'],
      [ffmpegMake([...src, '-c:v', 'libx264', '-preset', 'ultrafast'], 'x.mkv'), 'video/x-matroska'],
      [ffmpegMake([...src, '-c:v', 'libx264', '-preset', 'ultrafast'], 'x.mov'), 'video/quicktime'],
      [ffmpegMake([...src, '-c:v', 'mjpeg'], 'x.avi'), 'video/x-msvideo'],
    ];
    for (const [bytes, mime] of cases) {
      const info = await inspectMedia(bytes);
      assert.equal(info.kind, 'video', mime);
      assert.equal(info.mime, mime);
      assert.equal(info.width, 160, mime);
      assert.equal(info.height, 120, mime);
      assert.ok((info.duration ?? 0) > 0.8, `${mime} duration ${info.duration}`);
    }
  });

  it('rejects a truncated MP4 as CORRUPT_MEDIA (moov at the end, and faststart)', async () => {
    await rejectsWith(inspectMedia(mp4.subarray(0, Math.floor(mp4.length * 0.6))), 'CORRUPT_MEDIA');
    const fast = makeTestVideo({ seconds: 2, faststart: true });
    await rejectsWith(inspectMedia(fast.subarray(0, Math.floor(fast.length * 0.5))), 'CORRUPT_MEDIA');
  });

  it('rejects an MP4 header followed by garbage as CORRUPT_MEDIA', async () => {
    await rejectsWith(inspectMedia(Buffer.concat([mp4.subarray(0, 32), randomBytes(20000)])), 'CORRUPT_MEDIA');
  });

  it('rejects an audio-only file as UNSUPPORTED_MEDIA', async () => {
    const audio = ffmpegMake(['-f', 'lavfi', '-i', 'sine=frequency=440:duration=1', '-c:a', 'aac'], 'a.mp4');
    await rejectsWith(inspectMedia(audio), 'UNSUPPORTED_MEDIA', /no video stream/);
  });
});

describe('inspectMedia: zip', () => {
  it('detects a ZIP shot set with size, md5 and mime', async () => {
    const zip = makeZip([{ name: 'a.txt', data: Buffer.from('hello') }]);
    const info = await inspectMedia(zip);
    assert.deepEqual(info, { kind: 'zip', mime: 'application/zip', size: zip.length, md5: createHash('md5').update(zip).digest('hex') });
  });
});
