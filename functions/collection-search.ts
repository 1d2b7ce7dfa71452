// 1:N search for COLLECTION analyses: an in-memory index per collection (layers/search), built
// from the stored templates and rebuilt whenever the collection's version moves (every add or
// delete bumps it), so a person added is found by the next analysis. Hits are checked against
// the store before they are returned, so a person deleted meanwhile is never reported.
import { TemplateIndex } from '../layers/search';
import { UnknownCollectionError, type CollectionMatch, type CollectionSearch } from '../layers/core/search';
import type { Store } from '../layers/core/store';
import { similarityToScore } from '../layers/vision';

interface Cached {
  version: number;
  index: TemplateIndex;
}

export class IndexedCollectionSearch implements CollectionSearch {
  private readonly cache = new Map<string, Cached>();

  constructor(private readonly store: Store) {}

  private async indexFor(companyId: string, collectionId: string): Promise<TemplateIndex | null> {
    const collection = await this.store.getCollection(companyId, collectionId);
    if (!collection) return null;
    const key = `${companyId}/${collectionId}`;
    const cached = this.cache.get(key);
    if (cached && cached.version === collection.version) return cached.index;
    const index = new TemplateIndex();
    const templates = await this.store.collectionTemplates(companyId, collectionId);
    index.add(templates.map((t) => ({ id: `${t.person_id}#${t.media_id}`, vector: t.template })));
    this.cache.set(key, { version: collection.version, index });
    return index;
  }

  async search(companyId: string, collectionId: string | null, template: Float32Array, count: number, threshold: number): Promise<CollectionMatch[]> {
    const ids = collectionId ? [collectionId] : (await this.store.listCollections(companyId)).map((c) => c.collection_id);
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
      if (await this.store.getPerson(companyId, m.collection_id, m.person_id)) confirmed.push(m);
    }
    return confirmed;
  }
}
