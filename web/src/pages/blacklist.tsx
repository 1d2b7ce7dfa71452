// Blacklist: collections, persons with their photos, adding and removing persons and photos, and
// searching a face against a collection (a COLLECTION analysis, as the documents run it).
import { useState } from 'preact/hooks';
import type { Analysis, Folder, Schema } from '../api';
import { allowed, type Who } from '../access';
import { formatTime, shortId } from '../format';
import { hrefOf } from '../router';
import { api } from '../session';
import { Badge, ErrorNote, Loading, Thumb, useAction, useLoad } from '../ui';

type Collection = Schema<'Collection'>;
type Person = Schema<'Person'>;

export function BlacklistPage({ who, id }: { who: Who; id?: string }) {
  const list = useLoad(() => api.get<Collection[]>('/api/collections'), []);
  const [alias, setAlias] = useState('blacklist');
  const create = useAction(async () => {
    await api.post('/api/collections', { alias });
    list.reload();
  });
  const current = list.data?.find((c) => c.collection_id === id) ?? (id ? undefined : list.data?.[0]);
  return (
    <section>
      <h2>Blacklist</h2>
      <ErrorNote error={list.error} />
      {!list.data ? <Loading what="collections" /> : null}
      <div class="split">
        <aside aria-label="Collections">
          <ul class="pick-list">
            {(list.data ?? []).map((c) => (
              <li>
                <a href={hrefOf('blacklist', c.collection_id)} aria-current={c === current ? 'true' : undefined}>
                  {c.alias}
                </a>
              </li>
            ))}
          </ul>
          {list.data && list.data.length === 0 ? <p class="muted">No collection yet.</p> : null}
          {allowed(who, 'COLLECTION', 'create') ? (
            <form
              aria-label="New collection"
              onSubmit={(e) => {
                e.preventDefault();
                void create.run();
              }}
            >
              <input name="alias" aria-label="Alias" placeholder="alias" value={alias} onInput={(e) => setAlias(e.currentTarget.value)} required />
              <button type="submit" class="small" disabled={create.busy}>
                New collection
              </button>
              <ErrorNote error={create.error} />
            </form>
          ) : null}
        </aside>
        <div>{current ? <CollectionView collection={current} who={who} key={current.collection_id} /> : null}</div>
      </div>
    </section>
  );
}

function CollectionView({ collection, who }: { collection: Collection; who: Who }) {
  const persons = useLoad(() => api.get<Person[]>(`/api/collections/${collection.collection_id}/persons`), [collection.collection_id]);
  const [files, setFiles] = useState<FileList | null>(null);
  const [name, setName] = useState('');
  const add = useAction(async (element: HTMLFormElement) => {
    const form = new FormData();
    Array.from(files ?? []).forEach((f, i) => form.append(`image${i + 1}`, f, f.name));
    form.append('payload', JSON.stringify({ 'person:meta_data': name ? { name } : {} }));
    await api.upload(`/api/collections/${collection.collection_id}/persons`, form);
    setName('');
    setFiles(null);
    element.reset();
    persons.reload();
  });
  return (
    <>
      <h3>
        {collection.alias} <small class="muted mono">{shortId(collection.collection_id)}</small>
      </h3>
      <SearchForm collection={collection} who={who} />
      {allowed(who, 'PERSON', 'create') ? (
        <form
          class="inline-form"
          aria-label="Add a person"
          onSubmit={(e) => {
            e.preventDefault();
            void add.run(e.currentTarget);
          }}
        >
          <input name="person_name" aria-label="Name" placeholder="Name (kept in the person's metadata)" value={name} onInput={(e) => setName(e.currentTarget.value)} />
          <input name="person_photos" aria-label="Photos" type="file" accept="image/*" multiple required onChange={(e) => setFiles(e.currentTarget.files)} />
          <button type="submit" class="small" disabled={add.busy} aria-busy={add.busy}>
            Add person
          </button>
          <ErrorNote error={add.error} />
        </form>
      ) : null}
      <ErrorNote error={persons.error} />
      {persons.data?.length === 0 ? <p class="muted">No person in this collection.</p> : null}
      <div class="persons">
        {(persons.data ?? []).map((p) => (
          <PersonCard person={p} who={who} onChange={persons.reload} key={p.person_id} />
        ))}
      </div>
    </>
  );
}

function PersonCard({ person, who, onChange }: { person: Person; who: Who; onChange: () => void }) {
  const base = `/api/collections/${person.collection_id}/persons/${person.person_id}`;
  const images = useLoad(() => api.get<Schema<'PersonImageList'>>(`${base}/images`), [person.person_id]);
  const remove = useAction(async () => {
    await api.del(base);
    onChange();
  });
  const removeImage = useAction(async (mediaId: string) => {
    await api.del(`${base}/images/${mediaId}`);
    images.reload();
  });
  const addImage = useAction(async (list: FileList | null) => {
    if (!list?.length) return;
    const form = new FormData();
    Array.from(list).forEach((f, i) => form.append(`image${i + 1}`, f, f.name));
    await api.upload(`${base}/images`, form);
    images.reload();
  });
  const mayDelete = allowed(who, 'PERSON', 'delete');
  const name = (person.meta_data as Record<string, unknown>)?.['name'];
  return (
    <article class="person" aria-label={`Person ${typeof name === 'string' ? name : shortId(person.person_id)}`}>
      <header>
        <strong>{typeof name === 'string' ? name : 'person'}</strong> <small class="mono muted">{shortId(person.person_id)}</small>
      </header>
      <div class="person-photos">
        {(images.data ?? []).map((img) => (
          <figure>
            <Thumb src={img.original_url} alt="person photo" />
            {mayDelete && (images.data?.length ?? 0) > 1 ? (
              <button class="link small" aria-label="Remove photo" onClick={() => void removeImage.run(img.media_id)}>
                remove
              </button>
            ) : null}
          </figure>
        ))}
      </div>
      <small class="muted">added {formatTime(person.time_created)}</small>
      <ErrorNote error={remove.error ?? removeImage.error ?? addImage.error} />
      {allowed(who, 'PERSON_IMAGE', 'create') || mayDelete ? (
        <footer class="actions">
          {allowed(who, 'PERSON_IMAGE', 'create') ? (
            <label class="file-button small">
              add photo
              <input type="file" accept="image/*" class="visually-hidden" onChange={(e) => void addImage.run(e.currentTarget.files)} />
            </label>
          ) : null}
          {mayDelete ? (
            <button class="danger outline small" onClick={() => confirm('Remove this person from the collection?') && void remove.run()}>
              Remove
            </button>
          ) : null}
        </footer>
      ) : null}
    </article>
  );
}

/** Searches a photo against the collection: a folder with the photo and a COLLECTION analysis. */
function SearchForm({ collection, who }: { collection: Collection; who: Who }) {
  const [file, setFile] = useState<File | null>(null);
  const [result, setResult] = useState<{ folder: Folder; analysis: Analysis } | null>(null);
  const search = useAction(async () => {
    if (!file) return;
    setResult(null);
    const form = new FormData();
    form.append('image1', file, file.name);
    form.append('payload', JSON.stringify({ 'media:tags': { image1: ['photo_selfie'] } }));
    const folder = await api.upload<Folder>('/api/folders', form);
    const [started] = await api.post<Analysis[]>(`/api/folders/${folder.folder_id}/analyses`, { analyses: [{ type: 'collection', params: { collection_id: collection.collection_id } }] });
    let analysis = started!;
    const deadline = Date.now() + 60_000;
    while (analysis.state === 'PROCESSING' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 700));
      analysis = await api.get<Analysis>(`/api/analyses/${analysis.analysis_id}`);
    }
    setResult({ folder, analysis });
  });
  if (!allowed(who, 'FOLDER', 'create') || !allowed(who, 'ANALYSIS', 'create')) return null;
  const persons = result?.analysis.results_media.flatMap((r) => r.collection_persons as { person_id: string; confidence: number }[]) ?? [];
  return (
    <details class="search" open>
      <summary>Search a face in {collection.alias}</summary>
      <form
        class="inline-form"
        aria-label="Search a face"
        onSubmit={(e) => {
          e.preventDefault();
          void search.run();
        }}
      >
        <input name="search_photo" aria-label="Photo to search" type="file" accept="image/*" required onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)} />
        <button type="submit" class="small" disabled={!file || search.busy} aria-busy={search.busy}>
          Search
        </button>
      </form>
      <ErrorNote error={search.error} />
      {result ? (
        <div class="search-result" role="status">
          <Badge status={result.analysis.resolution_status} text={persons.length ? `found (${persons.length})` : result.analysis.state === 'FAILED' ? 'failed' : 'not found'} />{' '}
          {result.analysis.error_message ? <span>{result.analysis.error_message}</span> : null}
          {persons.map((p) => (
            <span>
              {' '}
              person <span class="mono">{shortId(p.person_id)}</span> (similarity {p.confidence.toFixed(3)})
            </span>
          ))}{' '}
          · <a href={hrefOf('folders', result.folder.folder_id)}>the search folder</a>
        </div>
      ) : null}
    </details>
  );
}
