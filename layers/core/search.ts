// 1:N search over a company's collections (the COLLECTION analysis). The adapter keeps an index per
// collection; the core only asks for the best matches.
export interface CollectionMatch {
  collection_id: string;
  person_id: string;
  media_id: string;
  /** Calibrated similarity 0..1, like BIOMETRY scores. */
  score: number;
}

export interface CollectionSearch {
  /**
   * The best `count` matches at or above `threshold` for a face template, in one collection or,
   * with collectionId null, in every collection of the company; best first, one per person.
   */
  search(companyId: string, collectionId: string | null, template: Float32Array, count: number, threshold: number): Promise<CollectionMatch[]>;
}

export class UnknownCollectionError extends Error {
  constructor(public readonly collectionId: string) {
    super(`collection ${collectionId} not found`);
  }
}
