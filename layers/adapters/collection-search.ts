// 1:N search for COLLECTION analyses. Each worker container keeps an index per collection
// (layers/search) and keeps it current from the change log written with every enrolment or
// deletion: only the changes since its cursor are read, never the whole collection again. A
// container starting cold loads the latest snapshot (checksummed shards in S3) plus the log since
// it; without a snapshot it reads the templates once and writes one. Hits are confirmed against
// the stored persons before they are returned, so a person deleted meanwhile is never reported.
import { TemplateIndex } from '../search';
import { collectionIndexKey } from '../core/collections';
import type { BlobStore, Log } from '../core/ports';
import { BlobNotFoundError } from '../core/ports';
import { UnknownCollectionError, type CollectionMatch, type CollectionSearch } from '../core/search';
import { CHANGE_LOG_TTL_SECONDS, type CollectionStore, type TemplateChange } from '../core/ports/collections';
import { similarityToScore } from '../vision';

/** A change commits at most this long after its log key's timestamp (transaction latency, clock skew). */
const SETTLE_SECONDS = 30;
/** Write a fresh snapshot after this many changes, or when the last one is this old. */
const SNAPSHOT_AFTER_CHANGES = 5_000;
const SNAPSHOT_MAX_AGE_SECONDS = 24 * 3600;
const SHARD_BYTES = 64 * 1024 * 1024;

const cursorAt = (epochSeconds: number) => `${Math.max(0, epochSeconds).toFixed(6).padStart(20, '0')}#`;

interface Manifest {
  cursor: string;
  createdAt: number;
  shards: string[];
  count: number;
}

interface Cached {
  version: number;
  index: TemplateIndex;
  /** Every change keyed below this has been applied; changes from it on are re-read each time. */
  cursor: string;
  snapshotAt: number;
  changesSinceSnapshot: number;
}

export class IndexedCollectionSearch implements CollectionSearch {
  private readonly cache = new Map<string, Cached>();

  constructor(
    private readonly collections: Pick<CollectionStore, 'getCollection' | 'collectionTemplates' | 'collectionChanges' | 'listCollections' | 'getPerson'>,
    private readonly blobs: BlobStore,
    private readonly now: () => number = () => Date.now() / 1000,
    private readonly log?: Log,
  ) {}

  private apply(index: TemplateIndex, changes: TemplateChange[]) {
    for (const c of changes) {
      if (c.op === 'add') index.add(c.entries.map((e) => ({ id: e.id, vector: e.template })));
      else index.remove(c.ids);
    }
  }

  private async loadSnapshot(companyId: string, collectionId: string): Promise<{ index: TemplateIndex; manifest: Manifest } | null> {
    try {
      const manifest = JSON.parse((await this.blobs.get(collectionIndexKey(companyId, collectionId))).toString('utf8')) as Manifest;
      // The change log since the snapshot must still exist (it expires), else rebuild from the records.
      if (this.now() - manifest.createdAt > CHANGE_LOG_TTL_SECONDS - SETTLE_SECONDS * 10) return null;
      const shards = await Promise.all(manifest.shards.map((key) => this.blobs.get(key)));
      return { index: TemplateIndex.fromShards(shards), manifest };
    } catch (err) {
      if (err instanceof BlobNotFoundError) return null;
      this.log?.error('index snapshot unusable, rebuilding from the records', { collection_id: collectionId, error: String(err) });
      return null;
    }
  }

  private async writeSnapshot(companyId: string, collectionId: string, cached: Cached) {
    const createdAt = this.now();
    const base = collectionIndexKey(companyId, collectionId).replace(/manifest\.json$/, `${Math.floor(createdAt)}`);
    const shards = cached.index.toShards(SHARD_BYTES);
    const keys = shards.map((_, i) => `${base}/shard-${i}.bin`);
    await Promise.all(shards.map((shard, i) => this.blobs.put(keys[i]!, shard, 'application/octet-stream')));
    const manifest: Manifest = { cursor: cached.cursor, createdAt, shards: keys, count: cached.index.size };
    await this.blobs.put(collectionIndexKey(companyId, collectionId), Buffer.from(JSON.stringify(manifest)), 'application/json');
    cached.snapshotAt = createdAt;
    cached.changesSinceSnapshot = 0;
  }

  private async indexFor(companyId: string, collectionId: string): Promise<TemplateIndex | null> {
    const collection = await this.collections.getCollection(companyId, collectionId);
    if (!collection) return null;
    const key = `${companyId}/${collectionId}`;
    let cached = this.cache.get(key);
    if (cached && cached.version === collection.version) return cached.index; // nothing committed since
    const readAt = this.now();
    let fresh = false;
    if (!cached) {
      const snapshot = await this.loadSnapshot(companyId, collectionId);
      if (snapshot) cached = { version: -1, index: snapshot.index, cursor: snapshot.manifest.cursor, snapshotAt: snapshot.manifest.createdAt, changesSinceSnapshot: 0 };
      else {
        const index = new TemplateIndex();
        const templates = await this.collections.collectionTemplates(companyId, collectionId);
        index.add(templates.map((t) => ({ id: `${t.person_id}#${t.media_id}`, vector: t.template })));
        cached = { version: -1, index, cursor: cursorAt(readAt - SETTLE_SECONDS), snapshotAt: 0, changesSinceSnapshot: 0 };
        fresh = true;
      }
    }
    // Re-applying changes is safe: adds replace by id, removes are idempotent, and order is kept.
    const changes = await this.collections.collectionChanges(companyId, collectionId, cached.cursor);
    this.apply(cached.index, changes);
    cached.changesSinceSnapshot += changes.length;
    const settled = cursorAt(readAt - SETTLE_SECONDS);
    if (settled > cached.cursor) cached.cursor = settled;
    cached.version = collection.version;
    this.cache.set(key, cached);
    if (fresh || cached.changesSinceSnapshot > SNAPSHOT_AFTER_CHANGES || this.now() - cached.snapshotAt > SNAPSHOT_MAX_AGE_SECONDS) {
      await this.writeSnapshot(companyId, collectionId, cached).catch((err: unknown) => this.log?.error('index snapshot not written', { collection_id: collectionId, error: String(err) }));
    }
    return cached.index;
  }

  async search(companyId: string, collectionId: string | null, template: Float32Array, count: number, threshold: number): Promise<CollectionMatch[]> {
    const ids = collectionId ? [collectionId] : (await this.collections.listCollections(companyId)).map((c) => c.collection_id);
    const best = new Map<string, CollectionMatch>();
    for (const id of ids) {
      const index = await this.indexFor(companyId, id);
      if (!index) throw new UnknownCollectionError(id);
      // A person may have several photos: ask for more hits than persons wanted.
      for (const hit of index.search(template, Math.max(count * 4, 16))) {
        const score = similarityToScore(hit.similarity);
        if (score < threshold) continue;
        const [person_id, media_id] = hit.id.split('#') as [string, string];
        const key = `${id}#${person_id}`;
        if ((best.get(key)?.score ?? -1) < score) best.set(key, { collection_id: id, person_id, media_id, score });
      }
    }
    const ranked = [...best.values()].sort((a, b) => b.score - a.score || a.person_id.localeCompare(b.person_id));
    const confirmed: CollectionMatch[] = [];
    for (const m of ranked) {
      if (confirmed.length >= count) break;
      if (await this.collections.getPerson(companyId, m.collection_id, m.person_id)) confirmed.push(m);
    }
    return confirmed;
  }
}
