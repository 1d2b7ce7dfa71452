// The analyzers of one container (worker or media function): face models and the collection
// indexes, which are kept for the life of the container as its cache.
import type { Analyzers } from '../layers/core/processing';
import { IndexedCollectionSearch } from '../layers/adapters/collection-search';
import { faceAnalyzer } from '../layers/adapters/vision';
import { coreDeps } from './wiring';
import { portLog } from './observability';

let containerAnalyzers: Analyzers | undefined;

export function analyzers(): Analyzers {
  containerAnalyzers ??= { faces: faceAnalyzer(), collections: new IndexedCollectionSearch(coreDeps().collections, coreDeps().blobs, undefined, portLog) };
  return containerAnalyzers;
}
