import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crc32 } from 'node:zlib';
import { FORMAT_VERSION, SearchIndexFormatError, TemplateIndex, type SearchIndexFormatErrorCode } from '../../../layers/search';
import { idOf, noisyCopy, unitVector } from './synthetic';

const DIMS = 512;

function build(n: number, seed = 41): TemplateIndex {
  const ix = new TemplateIndex();
  ix.add(Array.from({ length: n }, (_, i) => ({ id: i % 7 === 0 ? `personne-é-${i}` : idOf('p', i), vector: unitVector(seed, i, DIMS) })));
  return ix;
}

const code = (fn: () => unknown): SearchIndexFormatErrorCode => {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof SearchIndexFormatError, `expected SearchIndexFormatError, got ${String(err)}`);
    return err.code;
  }
  assert.fail('expected an error');
};

/** rewrites the checksums of a whole set after a deliberate edit, so that deeper checks are reached */
function reseal(bufs: Buffer[]): Buffer[] {
  for (const b of bufs) b.writeUInt32LE(crc32(b.subarray(64)), 40);
  const list = Buffer.alloc(bufs.length * 4);
  bufs.forEach((b, i) => list.writeUInt32LE(b.readUInt32LE(40), i * 4));
  for (const b of bufs) {
    b.writeUInt32LE(crc32(list), 44);
    b.writeUInt32LE(crc32(b.subarray(0, 60)), 60);
  }
  return bufs;
}

test('shards round trip: same size, same answers, any shard order, a shard never exceeds the limit', () => {
  const ix = build(6000);
  ix.remove([idOf('p', 1), idOf('p', 2)]);
  const shards = ix.toShards(1 << 20);
  assert.ok(shards.length >= 12);
  assert.ok(shards.every((s) => s.length <= 1 << 20));
  assert.equal(shards[0]!.toString('latin1', 0, 4), 'OZTI');
  assert.equal(shards[0]!.readUInt16LE(4), FORMAT_VERSION);
  const back = TemplateIndex.fromShards([...shards].reverse());
  assert.equal(back.size, ix.size);
  assert.equal(back.has(idOf('p', 1)), false);
  assert.equal(back.has('personne-é-7'), true);
  for (let i = 0; i < 20; i++) {
    const q = noisyCopy(unitVector(41, i * 97, DIMS), 0.6, 42, i);
    assert.deepEqual(back.search(q, 10), ix.search(q, 10));
  }
  // the bytes are a function of the content and storage order
  assert.deepEqual(back.toShards(1 << 20), shards);
  // one big shard
  assert.equal(ix.toShards(64 << 20).length, 1);
});

test('an empty index round trips as one header-only shard; tiny limits are refused', () => {
  const empty = new TemplateIndex({ dims: 128 });
  const shards = empty.toShards(1024);
  assert.equal(shards.length, 1);
  assert.equal(shards[0]!.length, 64);
  const back = TemplateIndex.fromShards(shards);
  assert.equal(back.size, 0);
  assert.equal(back.dims, 128);
  assert.throws(() => build(3).toShards(1000), RangeError);
  assert.throws(() => build(3).toShards(0), RangeError);
});

test('corrupt, truncated or mismatched shards are rejected with a typed error', () => {
  const shards = build(600).toShards(256 << 10);
  assert.ok(shards.length >= 4);
  const copy = () => shards.map((s) => Buffer.from(s));

  let s = copy();
  s[1]![5000] = s[1]![5000]! ^ 0x01; // one bit in a vector
  assert.equal(code(() => TemplateIndex.fromShards(s)), 'CHECKSUM');

  s = copy();
  s[2]![s[2]!.length - 3] = s[2]![s[2]!.length - 3]! ^ 0x20; // inside the id table
  assert.equal(code(() => TemplateIndex.fromShards(s)), 'CHECKSUM');

  s = copy();
  s[0]!.writeUInt32LE(999, 12); // header field, checksum not updated
  assert.equal(code(() => TemplateIndex.fromShards(s)), 'CHECKSUM');

  s = copy();
  s[1] = s[1]!.subarray(0, s[1]!.length - 100);
  assert.equal(code(() => TemplateIndex.fromShards(s)), 'TRUNCATED');
  assert.equal(code(() => TemplateIndex.fromShards([shards[0]!.subarray(0, 40)])), 'TRUNCATED');
  assert.equal(code(() => TemplateIndex.fromShards(shards.slice(0, -1))), 'TRUNCATED');
  assert.equal(code(() => TemplateIndex.fromShards([])), 'TRUNCATED');
  assert.equal(code(() => TemplateIndex.fromShards([shards[0]!, shards[0]!, ...shards.slice(2)])), 'TRUNCATED');

  s = copy();
  s[0]!.write('JUNK', 0, 'latin1');
  assert.equal(code(() => TemplateIndex.fromShards(s)), 'BAD_MAGIC');

  s = copy();
  s[0]!.writeUInt16LE(FORMAT_VERSION + 1, 4);
  assert.equal(code(() => TemplateIndex.fromShards(reseal(s))), 'UNSUPPORTED_VERSION');

  s = copy();
  s[3] = Buffer.concat([s[3]!, Buffer.alloc(8)]);
  assert.equal(code(() => TemplateIndex.fromShards(s)), 'INCONSISTENT');

  // a shard of another index with the same shape: headers agree, the set checksum does not
  const other = build(600, 43).toShards(256 << 10);
  assert.equal(other[0]!.length, shards[0]!.length);
  assert.equal(code(() => TemplateIndex.fromShards([other[0]!, ...shards.slice(1)])), 'INCONSISTENT');

  // a NaN vector with valid checksums (written by something else than toShards)
  s = copy();
  s[0]!.writeFloatLE(NaN, 64 + 4 * 10);
  assert.equal(code(() => TemplateIndex.fromShards(reseal(s))), 'INCONSISTENT');

  // a duplicated id with valid checksums
  const two = new TemplateIndex({ dims: 4 });
  two.add([{ id: 'aa', vector: new Float32Array(4) }, { id: 'ab', vector: new Float32Array(4) }]);
  const dupShard = two.toShards(4096)[0]!;
  dupShard.write('aa', dupShard.length - 2, 'latin1');
  assert.equal(code(() => TemplateIndex.fromShards(reseal([dupShard]))), 'INCONSISTENT');

  // wrong dims for the caller
  assert.equal(code(() => TemplateIndex.fromShards(shards, { dims: 256 })), 'INCONSISTENT');
});

test('a shard in an unaligned Buffer (sliced from a larger one) still loads', () => {
  const ix = build(50);
  const [shard] = ix.toShards(1 << 20);
  const big = Buffer.alloc(shard!.length + 3);
  shard!.copy(big, 3);
  const back = TemplateIndex.fromShards([big.subarray(3)]);
  const q = unitVector(41, 7, DIMS);
  assert.deepEqual(back.search(q, 5), ix.search(q, 5));
});
