// Folders: the documented filters (time range, resolution status, analysis type, meta_data) and paging.
import { useState } from 'preact/hooks';
import type { Folder } from '../api';
import { mayOpen, type Who } from '../access';
import { dayToEpoch, formatTime, metaFilter, shortId } from '../format';
import { hrefOf, navigate } from '../router';
import { api } from '../session';
import { Badge, ErrorNote, Loading, Pager, Table, Thumb, useLoad } from '../ui';

export const PAGE_SIZE = 20;
const STATUSES = ['', 'SUCCESS', 'DECLINED', 'OPERATOR_REQUIRED', 'PROCESSING', 'FAILED'];
const TYPES = ['', 'QUALITY', 'BIOMETRY', 'COLLECTION'];

export function FoldersPage({ who, query }: { who: Who; query: URLSearchParams }) {
  const filters = { from: query.get('from') ?? '', to: query.get('to') ?? '', status: query.get('status') ?? '', type: query.get('type') ?? '', meta: query.get('meta') ?? '' };
  const offset = Number(query.get('offset') ?? 0) || 0;
  const [draft, setDraft] = useState(filters);
  const list = useLoad(
    () =>
      api.get<{ total: number; items: Folder[] }>('/api/folders', {
        offset,
        limit: PAGE_SIZE,
        with_analyses: true,
        'time_created.min': dayToEpoch(filters.from),
        'time_created.max': dayToEpoch(filters.to, true),
        'analyse.resolution_status': filters.status,
        'analyse.type': filters.type,
        meta_data: metaFilter(filters.meta),
      }),
    [query.toString()],
  );
  const apply = (next: typeof filters, nextOffset = 0) => navigate(hrefOf('folders', undefined, { ...next, offset: nextOffset ? String(nextOffset) : undefined }));
  return (
    <section>
      <div class="page-head">
        <h2>Folders</h2>
        {mayOpen(who, 'new') ? (
          <a href="#/new" role="button" class="small">
            New check
          </a>
        ) : null}
      </div>
      <form
        class="filters"
        aria-label="Filters"
        onSubmit={(e) => {
          e.preventDefault();
          apply(draft);
        }}
      >
        <label>
          From
          <input type="date" name="from" value={draft.from} onInput={(e) => setDraft({ ...draft, from: e.currentTarget.value })} />
        </label>
        <label>
          To
          <input type="date" name="to" value={draft.to} onInput={(e) => setDraft({ ...draft, to: e.currentTarget.value })} />
        </label>
        <label>
          Status
          <select name="status" value={draft.status} onChange={(e) => setDraft({ ...draft, status: e.currentTarget.value })}>
            {STATUSES.map((s) => (
              <option value={s}>{s ? s.replace('_', ' ').toLowerCase() : 'any'}</option>
            ))}
          </select>
        </label>
        <label>
          Analysis
          <select name="type" value={draft.type} onChange={(e) => setDraft({ ...draft, type: e.currentTarget.value })}>
            {TYPES.map((s) => (
              <option value={s}>{s ? s.toLowerCase() : 'any'}</option>
            ))}
          </select>
        </label>
        <label>
          Metadata
          <input name="meta" placeholder="key=value" value={draft.meta} onInput={(e) => setDraft({ ...draft, meta: e.currentTarget.value })} />
        </label>
        <div class="filter-actions">
          <button type="submit">Filter</button>
          <button
            type="button"
            class="secondary outline"
            onClick={() => {
              const empty = { from: '', to: '', status: '', type: '', meta: '' };
              setDraft(empty);
              apply(empty);
            }}
          >
            Clear
          </button>
        </div>
      </form>
      <ErrorNote error={list.error} />
      {list.loading && !list.data ? <Loading what="folders" /> : null}
      {list.data ? (
        <>
          <Table
            label="Folders"
            rows={list.data.items}
            rowKey={(f) => f.folder_id}
            empty="No folders match."
            columns={[
              { title: '', class: 'col-thumb', cell: (f) => <Thumb src={f.media.find((m) => m.thumb_url)?.thumb_url} alt="" /> },
              {
                title: 'Folder',
                cell: (f) => (
                  <a href={hrefOf('folders', f.folder_id)} class="mono">
                    {shortId(f.folder_id)}
                  </a>
                ),
              },
              { title: 'Created', cell: (f) => formatTime(f.time_created) },
              { title: 'Media', cell: (f) => f.media.length },
              { title: 'Analyses', cell: (f) => (f.analyses ?? []).map((a) => <Badge status={a.resolution_status} text={`${a.type.toLowerCase()}: ${a.resolution_status.replace('_', ' ').toLowerCase()}`} />) },
              { title: 'Result', cell: (f) => <Badge status={f.system_resolution} /> },
            ]}
          />
          <Pager offset={offset} limit={PAGE_SIZE} total={list.data.total} onPage={(o) => apply(filters, o)} />
        </>
      ) : null}
    </section>
  );
}
