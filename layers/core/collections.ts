// Blacklist collections: persons with photos whose face templates a COLLECTION analysis searches.
// Only ADMIN and CLIENT ADMIN manage collections; CLIENT SERVICE may also add persons and photos.
import type { Caller } from './auth';
import type { CoreDeps } from './deps';
import { type Collection, type JsonObject, type Person, type PersonImage, type User } from './entities';
import { ApiError, ErrorCode, badStructure, badValue, forbidden, notFound } from './errors';
import { presignerFor, uploadPayload, type UploadedPart, type UploadPayloadInput } from './folders';
import { can, check, listScope, type Action, type ObjectKind } from './permissions';
import { MediaRejectedError, NoFaceError, type MediaInspector } from './ports';
import { ConflictError } from './ports/common';
import { metaDataOf } from './limits';

/** Extracts one face template from a photo (layers/vision); throws NoFaceError when there is none. */
export interface TemplateExtractor {
  extract(bytes: Buffer): Promise<Float32Array>;
}

/** Where the search index snapshot of a collection is kept (its manifest; shards beside it). */
export const collectionIndexKey = (companyId: string, collectionId: string) => `${companyId}/collections/${collectionId}/index/manifest.json`;


/** A matrix check on a collection's contents (COLLECTION, PERSON or PERSON_IMAGE rows). */
export const checkCollection = (user: User, kind: ObjectKind, action: Action, companyId: string) => check(user, kind, action, { company_id: companyId }, kind === 'COLLECTION' ? 'Collection' : 'Person');

export async function loadCollection(deps: Pick<CoreDeps, 'collections'>, caller: Caller, collectionId: string) {
  const scope = listScope(caller.user, 'COLLECTION');
  if (!scope) throw notFound('Collection');
  // Collections are found through their company: global roles search every company.
  const candidates = scope.company_id === null ? (await deps.collections.listCollections(null)).filter((c) => c.collection_id === collectionId) : [{ company_id: scope.company_id }];
  for (const c of candidates) {
    const found = await deps.collections.getCollection(c.company_id, collectionId);
    if (found) return found;
  }
  throw notFound('Collection');
}

/** POST /api/collections as the route's schema passed it: alias trimmed and not empty. */
export interface CollectionInput {
  alias: string;
  company_id?: string;
  meta_data?: JsonObject;
}

export async function createCollection(deps: Pick<CoreDeps, 'identity' | 'collections' | 'clock' | 'ids'>, caller: Caller, input: CollectionInput) {
  const companyId = input.company_id ?? caller.user.company_id;
  if (!can(caller.user, 'COMPANY', 'read', { company_id: companyId })) throw notFound('Company');
  checkCollection(caller.user, 'COLLECTION', 'create', companyId);
  if (!(await deps.identity.getCompany(companyId))) throw badValue(`Company ${companyId} does not exist`);
  const now = deps.clock.now();
  const collection: Collection = { collection_id: deps.ids.uuid(), company_id: companyId, alias: input.alias, meta_data: metaDataOf(input.meta_data), time_created: now, time_updated: now };
  await deps.collections.putCollection(collection);
  return collection;
}

export async function listCollections(deps: Pick<CoreDeps, 'collections'>, caller: Caller) {
  const scope = listScope(caller.user, 'COLLECTION');
  if (!scope) throw forbidden();
  return deps.collections.listCollections(scope.company_id);
}

export async function getCollection(deps: Pick<CoreDeps, 'collections'>, caller: Caller, collectionId: string) {
  const { version: _v, ...collection } = await loadCollection(deps, caller, collectionId);
  return collection;
}

const inUse = (what: string) => new ApiError(400, ErrorCode.INVALID_VALUE, `${what} has related analyses: delete those COLLECTION analyses first (DELETE /api/analyses/{analysis_id})`);

export async function deleteCollection(deps: Pick<CoreDeps, 'collections' | 'blobs'>, caller: Caller, collectionId: string) {
  const collection = await loadCollection(deps, caller, collectionId);
  checkCollection(caller.user, 'COLLECTION', 'delete', collection.company_id);
  let images: PersonImage[];
  try {
    images = await deps.collections.deleteCollection(collection.company_id, collectionId);
  } catch (err) {
    if (err instanceof ConflictError) throw inUse('A person of this collection');
    throw err;
  }
  await Promise.allSettled([...images.map((i) => deps.blobs.delete(i.blob_key)), deps.blobs.delete(collectionIndexKey(collection.company_id, collectionId))]);
}

async function imagesFrom(deps: Pick<CoreDeps, 'blobs' | 'clock' | 'ids' | 'config'>, inspector: MediaInspector, extractor: TemplateExtractor, person: Person, parts: UploadedPart[], payloadIn: UploadPayloadInput) {
  const payload = uploadPayload(payloadIn, deps.config);
  if (parts.length === 0) throw badStructure('Send at least one photo of the person as a multipart file part');
  if (parts.length > 20) throw badValue('At most 20 photos in one request');
  const now = deps.clock.now();
  return Promise.all(
    parts.map(async (part) => {
      const reject = (message: string) => badValue(`Photo "${part.field}" was rejected: ${message}`, { field: part.field });
      let inspected;
      try {
        inspected = await inspector.inspect(part.bytes);
      } catch (err) {
        if (err instanceof MediaRejectedError) throw reject(err.message);
        throw err;
      }
      if (inspected.kind !== 'image') throw reject('persons are enrolled from photos, not videos or archives');
      let template: Float32Array;
      try {
        template = await extractor.extract(part.bytes);
      } catch (err) {
        if (err instanceof NoFaceError) throw new ApiError(400, ErrorCode.TAG_ERROR, `Could not locate face on source media [${part.field}]`, { field: part.field });
        if (err instanceof MediaRejectedError) throw reject(err.message);
        throw err;
      }
      const media_id = deps.ids.uuid();
      const image: PersonImage = {
        media_id,
        person_id: person.person_id,
        collection_id: person.collection_id,
        company_id: person.company_id,
        media_type: 'IMAGE_FOLDER',
        original_name: part.filename ?? part.field,
        tags: payload.tags[part.field] ?? [],
        info: { thumb: null, original: { md5: inspected.md5, width: inspected.width ?? 0, height: inspected.height ?? 0, size: inspected.size, 'mime-type': inspected.mime } },
        meta_data: payload.mediaMeta[part.field] ?? {},
        time_created: now,
        time_updated: now,
        blob_key: `${person.company_id}/collections/${person.collection_id}/${person.person_id}/${media_id}`,
      };
      await deps.blobs.put(image.blob_key, part.bytes, inspected.mime);
      return { image, template };
    }),
  );
}

/** Stores the photos, then their records; if the records cannot be written, the photos go too. */
async function saveImages(deps: Pick<CoreDeps, 'collections' | 'blobs' | 'clock' | 'ids' | 'config'>, inspector: MediaInspector, extractor: TemplateExtractor, person: Person, parts: UploadedPart[], payloadIn: UploadPayloadInput, isNew: boolean) {
  const images = await imagesFrom(deps, inspector, extractor, person, parts, payloadIn);
  try {
    await deps.collections.putPersonImages(person, images, isNew);
  } catch (err) {
    await Promise.allSettled(images.map((i) => deps.blobs.delete(i.image.blob_key)));
    throw err;
  }
  return images.map((i) => i.image);
}

export async function imageView(deps: Pick<CoreDeps, 'blobs' | 'config'>, image: PersonImage) {
  const { blob_key, ...rest } = image;
  return { ...rest, person_image_id: image.media_id, image_id: image.media_id, original_url: await presignerFor(deps)(blob_key), thumb_url: null };
}

async function personView(deps: Pick<CoreDeps, 'blobs' | 'config'>, person: Person, images?: PersonImage[]) {
  return { ...person, ...(images ? { images: await Promise.all(images.map((i) => imageView(deps, i))) } : {}) };
}

/** POST /api/collections/{id}/persons/: photos plus a payload with media:tags and person:meta_data. */
export async function createPerson(deps: Pick<CoreDeps, 'collections' | 'blobs' | 'clock' | 'ids' | 'config'>, inspector: MediaInspector, extractor: TemplateExtractor, caller: Caller, collectionId: string, parts: UploadedPart[], payloadIn: UploadPayloadInput) {
  const collection = await loadCollection(deps, caller, collectionId);
  checkCollection(caller.user, 'PERSON', 'create', collection.company_id);
  const meta = metaDataOf(payloadIn['person:meta_data'], 'person:meta_data');
  const now = deps.clock.now();
  const person: Person = { person_id: deps.ids.uuid(), collection_id: collectionId, company_id: collection.company_id, meta_data: meta, time_created: now, time_updated: now };
  const images = await saveImages(deps, inspector, extractor, person, parts, payloadIn, true);
  return personView(deps, person, images);
}

export async function loadPerson(deps: Pick<CoreDeps, 'collections'>, caller: Caller, collectionId: string, personId: string) {
  const collection = await loadCollection(deps, caller, collectionId);
  const person = await deps.collections.getPerson(collection.company_id, collectionId, personId);
  if (!person) throw notFound('Person');
  return { collection, person };
}

export async function addPersonImages(deps: Pick<CoreDeps, 'collections' | 'blobs' | 'clock' | 'ids' | 'config'>, inspector: MediaInspector, extractor: TemplateExtractor, caller: Caller, collectionId: string, personId: string, parts: UploadedPart[], payloadIn: UploadPayloadInput) {
  const { collection, person } = await loadPerson(deps, caller, collectionId, personId);
  checkCollection(caller.user, 'PERSON_IMAGE', 'create', collection.company_id);
  const images = await saveImages(deps, inspector, extractor, person, parts, payloadIn, false);
  return Promise.all(images.map((i) => imageView(deps, i)));
}

export async function listPersons(deps: Pick<CoreDeps, 'collections'>, caller: Caller, collectionId: string) {
  const collection = await loadCollection(deps, caller, collectionId);
  return deps.collections.listPersons(collection.company_id, collectionId);
}

export async function getPerson(deps: Pick<CoreDeps, 'collections' | 'blobs' | 'config'>, caller: Caller, collectionId: string, personId: string) {
  const { collection, person } = await loadPerson(deps, caller, collectionId, personId);
  return personView(deps, person, await deps.collections.listPersonImages(collection.company_id, collectionId, personId));
}

export async function listPersonImages(deps: Pick<CoreDeps, 'collections' | 'blobs' | 'config'>, caller: Caller, collectionId: string, personId: string) {
  const { collection } = await loadPerson(deps, caller, collectionId, personId);
  return Promise.all((await deps.collections.listPersonImages(collection.company_id, collectionId, personId)).map((i) => imageView(deps, i)));
}

export async function deletePerson(deps: Pick<CoreDeps, 'collections' | 'blobs'>, caller: Caller, collectionId: string, personId: string) {
  const { collection } = await loadPerson(deps, caller, collectionId, personId);
  checkCollection(caller.user, 'PERSON', 'delete', collection.company_id);
  let images: PersonImage[];
  try {
    images = await deps.collections.deletePerson(collection.company_id, collectionId, personId);
  } catch (err) {
    if (err instanceof ConflictError) throw inUse('This person');
    throw err;
  }
  await Promise.allSettled(images.map((i) => deps.blobs.delete(i.blob_key)));
}

export async function deletePersonImage(deps: Pick<CoreDeps, 'collections' | 'blobs'>, caller: Caller, collectionId: string, personId: string, mediaId: string) {
  const { collection } = await loadPerson(deps, caller, collectionId, personId);
  checkCollection(caller.user, 'PERSON_IMAGE', 'delete', collection.company_id);
  const image = await deps.collections.deletePersonImage(collection.company_id, collectionId, personId, mediaId);
  if (!image) throw notFound('Person image');
  await deps.blobs.delete(image.blob_key);
}
