import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import type { EmulatorHandle } from '../../infra/local/emulators/dynamodb';
import { startS3 } from '../../infra/local/emulators/s3';
import { S3BlobStore } from '../../layers/adapters/s3-blob-store';
import { BlobNotFoundError } from '../../layers/core/ports';
import { s3Client, timed } from './helpers';

describe('S3BlobStore against s3rver', () => {
  let emulator: EmulatorHandle;
  let s3: S3Client;
  let store: S3BlobStore;

  before(async () => {
    emulator = await timed('s3rver', () => startS3());
    s3 = s3Client(emulator.endpoint);
    await s3.send(new CreateBucketCommand({ Bucket: 'oz-blobs' }));
    store = new S3BlobStore(s3, 'oz-blobs');
  });
  after(async () => {
    s3?.destroy();
    await emulator?.stop();
  });

  test('put, get, delete; get of a missing key throws BlobNotFoundError; delete of one does not', async () => {
    const body = Buffer.from([0, 1, 2, 250, 251, 252, 253, 254, 255]);
    await store.put('company/c1/folder/f1/media.bin', body, 'application/octet-stream');
    assert.deepEqual(await store.get('company/c1/folder/f1/media.bin'), body);

    await store.delete('company/c1/folder/f1/media.bin');
    await assert.rejects(store.get('company/c1/folder/f1/media.bin'), (err: unknown) => {
      assert.ok(err instanceof BlobNotFoundError);
      assert.equal(err.key, 'company/c1/folder/f1/media.bin');
      return true;
    });
    await store.delete('company/c1/folder/f1/media.bin');
    await store.delete('never/existed');
  });

  test('deletePrefix deletes every object under a prefix, and nothing else', async () => {
    const keys = Array.from({ length: 30 }, (_, i) => `c1/f1/m${i}`);
    for (let i = 0; i < keys.length; i += 10) await Promise.all(keys.slice(i, i + 10).map((k) => store.put(k, Buffer.from(k), 'text/plain')));
    await store.put('c1/f10/other', Buffer.from('x'), 'text/plain');
    assert.equal(await store.deletePrefix('c1/f1/'), 30);
    await assert.rejects(store.get('c1/f1/m7'), BlobNotFoundError);
    assert.deepEqual(await store.get('c1/f10/other'), Buffer.from('x'));
    assert.equal(await store.deletePrefix('c1/f1/'), 0);
    await assert.rejects(store.deletePrefix(''), /non-empty prefix/);
  });

  test('a large body round-trips', async () => {
    const big = Buffer.alloc(5 * 1024 * 1024 + 123);
    for (let i = 0; i < big.length; i += 4096) big[i] = i % 251;
    await store.put('big.bin', big, 'application/octet-stream');
    const back = await store.get('big.bin');
    assert.equal(back.length, big.length);
    assert.ok(back.equals(big));
  });

  test('presigned GET is fetchable and carries the content type', async () => {
    await store.put('photos/a b+c.jpg', Buffer.from('jpeg bytes'), 'image/jpeg');
    const url = await store.presignGet('photos/a b+c.jpg', 60);
    assert.match(url, /X-Amz-Signature=/);
    assert.match(url, /X-Amz-Expires=60/);
    const res = await fetch(url);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'image/jpeg');
    assert.equal(await res.text(), 'jpeg bytes');
  });

  test('presigned POST uploads with a size cap in the policy; the size is read without the bytes', async () => {
    const post = await store.presignPost('uploads/video.mp4', 'video/mp4', 1000, 300);
    assert.equal(post.fields['key'], 'uploads/video.mp4');
    assert.equal(post.fields['Content-Type'], 'video/mp4');
    // The signed policy carries the cap that S3 enforces (s3rver does not check policies).
    const policy = JSON.parse(Buffer.from(post.fields['Policy']!, 'base64').toString('utf8')) as { conditions: unknown[]; expiration: string };
    assert.ok(policy.conditions.some((c) => JSON.stringify(c) === '["content-length-range",1,1000]'), JSON.stringify(policy.conditions));
    assert.ok(Date.parse(policy.expiration) - Date.now() <= 300_000);
    const bytes = Buffer.from('not really an mp4');
    const form = new FormData();
    for (const [k, v] of Object.entries(post.fields)) form.append(k, v);
    form.append('file', new Blob([bytes], { type: 'video/mp4' }), 'video.mp4');
    const res = await fetch(post.url, { method: 'POST', body: form });
    assert.ok(res.status === 204 || res.status === 201 || res.status === 200, `${res.status} ${await res.text()}`);
    assert.equal(await store.size('uploads/video.mp4'), bytes.length);
    await assert.rejects(store.size('uploads/none.mp4'), BlobNotFoundError);
    assert.deepEqual(await store.get('uploads/video.mp4'), bytes);
    const head = await fetch(await store.presignGet('uploads/video.mp4', 60));
    assert.equal(head.headers.get('content-type'), 'video/mp4');
  });

  test('s3rver takes any access key, not only S3RVER', async () => {
    const other = new S3Client({
      endpoint: emulator.endpoint,
      region: 'eu-west-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'AKIAOTHERKEY', secretAccessKey: 'whatever' },
    });
    try {
      const blobs = new S3BlobStore(other, 'oz-blobs');
      await blobs.put('any-key', Buffer.from('ok'), 'text/plain');
      assert.equal((await blobs.get('any-key')).toString(), 'ok');
    } finally {
      other.destroy();
    }
  });

  test('a missing bucket is an error, not a missing blob', async () => {
    const other = new S3BlobStore(s3, 'no-such-bucket');
    await assert.rejects(other.get('k'), (err: unknown) => !(err instanceof BlobNotFoundError));
  });
});

test('s3rver with a dataDir keeps buckets and objects across stop/start', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'oz-s3-kept-'));
  try {
    const first = await startS3({ dataDir });
    let s3 = s3Client(first.endpoint);
    try {
      await s3.send(new CreateBucketCommand({ Bucket: 'kept-bucket' }));
      await new S3BlobStore(s3, 'kept-bucket').put('a/b', Buffer.from('persisted'), 'text/plain');
    } finally {
      s3.destroy();
      await first.stop();
    }
    const second = await startS3({ dataDir });
    s3 = s3Client(second.endpoint);
    try {
      assert.equal((await new S3BlobStore(s3, 'kept-bucket').get('a/b')).toString(), 'persisted');
    } finally {
      s3.destroy();
      await second.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
