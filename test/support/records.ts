// Records as the core stores them, for tests that write to the storage ports directly.
import { randomUUID } from 'node:crypto';
import type { Analysis, Collection, Folder, Media, Person, PersonImage, WebhookDelivery } from '../../layers/core/entities';

export const folderRecord = (company: string, t: number, fields: Partial<Folder> = {}): Folder => ({
  folder_id: randomUUID(), company_id: company, user_id: 'u', time_created: t, time_updated: t, resolution_endpoint: null, resolution_comment: '[]',
  resolution_time: null, resolution_author_id: null, resolution_state_hash: null, operator_comment: null, operator_status: null, is_cleared: null, meta_data: {}, technical_meta_data: {},
  ...fields,
});

export const mediaRecord = (folder: Folder, t: number, fields: Partial<Media> = {}): Media => {
  const media_id = randomUUID();
  return {
    media_id, folder_id: folder.folder_id, company_id: folder.company_id, folder_time_created: folder.time_created, media_type: 'IMAGE_FOLDER', original_name: 'photo.jpg', tags: ['photo_selfie'],
    info: { thumb: null }, meta_data: {}, technical_meta_data: {}, time_created: t, time_updated: t, blob_key: `${folder.company_id}/${folder.folder_id}/${media_id}`,
    ...fields,
  };
};

export const analysisRecord = (folder: Folder, t: number, fields: Partial<Analysis> = {}): Analysis => ({
  analysis_id: randomUUID(), group_id: 'g', folder_id: folder.folder_id, company_id: folder.company_id, folder_time_created: folder.time_created, type: 'QUALITY', state: 'PROCESSING', resolution: null,
  resolution_operator: null, source_media: [], params: {}, results_data: null, results_media: [], meta_data: {}, technical_meta_data: {}, error_code: null, error_message: null,
  time_created: t, time_updated: t, time_task_send_to_broker: t, time_task_received: null, time_task_finished: null, attempts: 0,
  ...fields,
});

export const collectionRecord = (company: string, t: number, alias = 'c'): Collection => ({ collection_id: randomUUID(), company_id: company, alias, meta_data: {}, time_created: t, time_updated: t });

export const personRecord = (collection: Collection, t: number): Person => ({ person_id: randomUUID(), collection_id: collection.collection_id, company_id: collection.company_id, meta_data: {}, time_created: t, time_updated: t });

export const personImageRecord = (person: Person, t: number): PersonImage => {
  const media_id = randomUUID();
  return {
    media_id, person_id: person.person_id, collection_id: person.collection_id, company_id: person.company_id, media_type: 'IMAGE_FOLDER', original_name: 'p.jpg', tags: [],
    info: { thumb: null }, meta_data: {}, time_created: t, time_updated: t, blob_key: `${person.company_id}/collections/${media_id}`,
  };
};

export const webhookRecord = (folder: Folder, t: number, fields: Partial<WebhookDelivery> = {}): WebhookDelivery => ({
  delivery_id: randomUUID(), company_id: folder.company_id, folder_id: folder.folder_id, group_id: 'g', url: 'https://example.com/hook', outcome: 'PENDING', attempts: 0,
  last_status: null, last_error: null, response_excerpt: null, time_created: t, time_updated: t,
  ...fields,
});

/** A results_media entry saying the analysis found these persons. */
export const foundPersons = (persons: Person[]) =>
  persons.map((p) => ({ source_media_id: 'm', media_association_id: 'm', results_data: null, output_images: [], collection_persons: [{ person_id: p.person_id, collection_id: p.collection_id }] }));
