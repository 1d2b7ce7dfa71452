// A new check: drop photos, videos and shot sets, tag them, choose the analyses and their params,
// then follow the folder until every analysis is final.
import { useState } from 'preact/hooks';
import type { Folder, Schema, User } from '../api';
import type { Who } from '../access';
import { DOCUMENTED_TAGS, defaultTags, fileKind, formatBytes, type FileKind } from '../format';
import { hrefOf, navigate } from '../router';
import { api } from '../session';
import { ErrorNote, useAction, useLoad } from '../ui';

interface Picked {
  file: File;
  kind: FileKind;
  tags: string[];
}

type Kind = 'quality' | 'biometry' | 'collection';

export const fieldName = (kind: FileKind, index: number) => `${kind === 'photo' ? 'image' : kind === 'video' ? 'video' : 'shots'}${index + 1}`;

export function NewCheckPage({ who, user }: { who: Who; user: User }) {
  const [files, setFiles] = useState<Picked[]>([]);
  const [rejected, setRejected] = useState<string[]>([]);
  const [over, setOver] = useState(false);
  const [chosen, setChosen] = useState<Record<Kind, boolean>>({ quality: true, biometry: false, collection: false });
  const [threshold, setThreshold] = useState('0.5');
  const [actionShots, setActionShots] = useState(false);
  const [collectionId, setCollectionId] = useState('');
  const [meta, setMeta] = useState('');
  const [stage, setStage] = useState('');
  const admin = who.user_type === 'ADMIN';
  const may: Record<Kind, boolean> = {
    quality: admin || user.can_start_analysis_quality,
    biometry: admin || user.can_start_analysis_biometry,
    collection: admin || user.can_start_analysis_collection,
  };
  const collections = useLoad(() => (may.collection ? api.get<Schema<'CollectionList'>>('/api/collections') : Promise.resolve([])), []);

  const add = (list: FileList | null) => {
    if (!list) return;
    const ok: Picked[] = [];
    const bad: string[] = [];
    for (const file of Array.from(list)) {
      const kind = fileKind(file);
      if (kind) ok.push({ file, kind, tags: defaultTags(kind) });
      else bad.push(file.name);
    }
    setFiles((f) => [...f, ...ok]);
    setRejected(bad);
  };
  const submit = useAction(async () => {
    const form = new FormData();
    const tags: Record<string, string[]> = {};
    const counters: Record<FileKind, number> = { photo: 0, video: 0, shots: 0 };
    for (const p of files) {
      const field = fieldName(p.kind, counters[p.kind]++);
      form.append(field, p.file, p.file.name);
      tags[field] = p.tags;
    }
    const folderMeta: Record<string, string> = {};
    for (const line of meta.split('\n')) {
      const i = line.indexOf('=');
      if (i > 0) folderMeta[line.slice(0, i).trim()] = line.slice(i + 1).trim();
    }
    form.append('payload', JSON.stringify({ 'media:tags': tags, 'folder:meta_data': folderMeta }));
    setStage('Uploading…');
    const folder = await api.upload<Folder>('/api/folders', form);
    const analyses: Schema<'AnalysisRequestItem'>[] = [];
    if (chosen.quality) analyses.push({ type: 'quality', params: { threshold_spoofing: Number(threshold), extract_best_shot: true, ...(actionShots ? { extract_action_shots: true } : {}) } });
    if (chosen.biometry) analyses.push({ type: 'biometry' });
    if (chosen.collection) analyses.push({ type: 'collection', params: collectionId ? { collection_id: collectionId } : {} });
    if (analyses.length) {
      setStage('Starting the analyses…');
      await api.post(`/api/folders/${folder.folder_id}/analyses`, { analyses });
    }
    navigate(hrefOf('folders', folder.folder_id));
  });
  const none = !chosen.quality && !chosen.biometry && !chosen.collection;
  return (
    <section>
      <h2>New check</h2>
      <div
        class={`dropzone ${over ? 'over' : ''}`}
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => {
          e.preventDefault();
          setOver(false);
          add(e.dataTransfer?.files ?? null);
        }}
      >
        <p>Drop photos, videos or ZIP shot sets here, or</p>
        <label class="file-button">
          choose files
          <input type="file" name="files" multiple accept="image/*,video/*,.zip" class="visually-hidden" onChange={(e) => add(e.currentTarget.files)} />
        </label>
      </div>
      {rejected.length ? <p class="error-note">Not a photo, video or ZIP shot set: {rejected.join(', ')}</p> : null}
      {files.map((p, i) => (
        <div class="picked" aria-label={`File ${p.file.name}`}>
          <div>
            <strong>{p.file.name}</strong> <small class="muted">{p.kind} · {formatBytes(p.file.size)}</small>
          </div>
          <fieldset class="tags">
            <legend class="visually-hidden">Tags of {p.file.name}</legend>
            {DOCUMENTED_TAGS[p.kind].map((t) => (
              <label class="tag">
                <input
                  type="checkbox"
                  checked={p.tags.includes(t)}
                  onChange={(e) => {
                    const on = e.currentTarget.checked;
                    setFiles(files.map((q, j) => (j === i ? { ...q, tags: on ? [...q.tags, t] : q.tags.filter((x) => x !== t) } : q)));
                  }}
                />
                {t}
              </label>
            ))}
          </fieldset>
          <button class="secondary outline small" onClick={() => setFiles(files.filter((_, j) => j !== i))}>
            Remove
          </button>
        </div>
      ))}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit.run();
        }}
      >
        <fieldset>
          <legend>Analyses</legend>
          <label>
            <input type="checkbox" name="quality" disabled={!may.quality} checked={chosen.quality && may.quality} onChange={(e) => setChosen({ ...chosen, quality: e.currentTarget.checked })} />
            Liveness (quality)
          </label>
          {chosen.quality ? (
            <div class="params">
              <label>
                Spoofing threshold
                <input type="number" name="threshold_spoofing" min="0" max="1" step="0.05" value={threshold} onInput={(e) => setThreshold(e.currentTarget.value)} />
              </label>
              <label>
                <input type="checkbox" checked={actionShots} onChange={(e) => setActionShots(e.currentTarget.checked)} />
                Action shots of gestures
              </label>
            </div>
          ) : null}
          <label>
            <input type="checkbox" name="biometry" disabled={!may.biometry} checked={chosen.biometry && may.biometry} onChange={(e) => setChosen({ ...chosen, biometry: e.currentTarget.checked })} />
            Face matching (biometry, needs two media)
          </label>
          <label>
            <input type="checkbox" name="collection" disabled={!may.collection} checked={chosen.collection && may.collection} onChange={(e) => setChosen({ ...chosen, collection: e.currentTarget.checked })} />
            Blacklist search (collection)
          </label>
          {chosen.collection ? (
            <label>
              Collection
              <select value={collectionId} onChange={(e) => setCollectionId(e.currentTarget.value)}>
                <option value="">every collection of the company</option>
                {(collections.data ?? []).map((c) => (
                  <option value={c.collection_id}>{c.alias}</option>
                ))}
              </select>
            </label>
          ) : null}
        </fieldset>
        <label>
          Folder metadata <small class="muted">(one key=value a line)</small>
          <textarea name="meta" rows={2} value={meta} onInput={(e) => setMeta(e.currentTarget.value)} />
        </label>
        <ErrorNote error={submit.error} />
        <button type="submit" disabled={files.length === 0 || submit.busy || none} aria-busy={submit.busy}>
          {submit.busy ? stage : 'Upload and analyse'}
        </button>
      </form>
    </section>
  );
}
