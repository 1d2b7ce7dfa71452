// One folder: media with previews and a video player, every analysis with its scores against its
// threshold, gestures, best and action shots, collection matches, metadata, webhook deliveries,
// the audit history, and clearing its personal information.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Analysis, Folder, Media, Schema } from '../api';
import { allowed, type Who } from '../access';
import { formatBytes, formatDuration, formatTime, shortId, similarityVerdict, spoofingVerdict, statusLabel } from '../format';
import { navigate } from '../router';
import { api } from '../session';
import { Badge, ErrorNote, Loading, ScoreBar, Table, Thumb, useAction, useLoad } from '../ui';
import { DecisionForm } from './review';

const num = (x: unknown): number | undefined => (typeof x === 'number' && Number.isFinite(x) ? x : undefined);

export function FolderPage({ id, who }: { id: string; who: Who }) {
  const folder = useLoad(() => api.get<Folder>(`/api/folders/${id}`, { with_analyses: true }), [id]);
  const [preview, setPreview] = useState<Media | null>(null);
  const f = folder.data;
  const busy = f?.analyses?.some((a) => a.state === 'PROCESSING');
  // Live progress: poll while anything is still processing.
  useEffect(() => {
    if (!busy) return;
    const timer = setInterval(folder.reload, 1000);
    return () => clearInterval(timer);
  }, [busy, folder.reload]);
  if (folder.error) return <ErrorNote error={folder.error} />;
  if (!f) return <Loading what="the folder" />;
  const analyses = f.analyses ?? [];
  return (
    <section>
      <p>
        <a href="#/folders">← Folders</a>
      </p>
      <div class="page-head">
        <h2>
          Folder <span class="mono">{shortId(f.folder_id)}</span> <Badge status={f.system_resolution} />
        </h2>
        <FolderActions folder={f} who={who} onDone={folder.reload} />
      </div>
      <p class="muted">
        Created {formatTime(f.time_created)} · updated {formatTime(f.time_updated)} · <span class="mono">{f.folder_id}</span>
        {f.is_cleared ? ' · personal information cleared' : ''}
      </p>
      <h3>Media</h3>
      <div class="media-grid">
        {f.media.map((m) => (
          <button class="media-card" onClick={() => setPreview(m)} aria-label={`Preview ${m.original_name || m.media_type}`}>
            <Thumb src={m.thumb_url} alt={m.original_name} />
            <span class="media-type">{m.media_type.replace('_FOLDER', '').replace('_', ' ').toLowerCase()}</span>
            <small>{m.tags.join(', ') || 'no tags'}</small>
          </button>
        ))}
      </div>
      {preview ? (
        <MediaPreview
          media={preview}
          mayDelete={allowed(who, 'FOLDER', 'delete')}
          onClose={() => setPreview(null)}
          onDeleted={() => {
            setPreview(null);
            folder.reload();
          }}
        />
      ) : null}
      <h3>Analyses</h3>
      {analyses.length === 0 ? <p class="muted">No analysis yet.</p> : null}
      <div class="analyses">
        {analyses.map((a) => (
          <AnalysisCard analysis={a} who={who} onDecided={folder.reload} />
        ))}
      </div>
      <div class="grid-2">
        <div>
          <h3>Metadata</h3>
          <pre class="json">{JSON.stringify(f.meta_data ?? {}, null, 2)}</pre>
          {f.operator_comment || f.operator_status ? (
            <p>
              Operator: {f.operator_status ?? '—'} {f.operator_comment ? `· ${f.operator_comment}` : ''}
            </p>
          ) : null}
        </div>
        <Deliveries folderId={f.folder_id} />
      </div>
      {allowed(who, 'REPORT', 'read') ? <Reports folderId={f.folder_id} who={who} /> : null}
      {who.user_type === 'ADMIN' || who.user_type === 'CLIENT_ADMIN' ? <Audit objectType="FOLDER" objectId={f.folder_id} /> : null}
    </section>
  );
}

function FolderActions({ folder, who, onDone }: { folder: Folder; who: Who; onDone: () => void }) {
  const mayDelete = allowed(who, 'FOLDER', 'delete');
  const clear = useAction(async () => {
    await api.del(`/api/folders/${folder.folder_id}/pi`);
    onDone();
  });
  const remove = useAction(async () => {
    await api.del(`/api/folders/${folder.folder_id}`);
    navigate('#/folders');
  });
  if (!mayDelete) return null;
  return (
    <div class="actions">
      {!folder.is_cleared ? (
        <button class="secondary outline small" aria-busy={clear.busy} onClick={() => confirm('Delete the media files and personal data of this folder? Results and statuses stay.') && void clear.run()}>
          Clear personal information
        </button>
      ) : null}
      <button class="danger outline small" aria-busy={remove.busy} onClick={() => confirm('Delete this folder with its media and analyses?') && void remove.run()}>
        Delete folder
      </button>
      <ErrorNote error={clear.error ?? remove.error} />
    </div>
  );
}

function MediaPreview({ media, mayDelete, onClose, onDeleted }: { media: Media; mayDelete: boolean; onClose: () => void; onDeleted: () => void }) {
  const remove = useAction(async () => {
    await api.del(`/api/media/${media.media_id}`);
    onDeleted();
  });
  const isVideo = media.media_type === 'VIDEO_FOLDER';
  const info = media.info;
  const close = useRef<HTMLButtonElement>(null);
  // Keyboard: focus moves into the dialog, Escape closes it, focus returns where it was.
  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    close.current?.focus();
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('keydown', onKey);
      before?.focus();
    };
  }, [onClose]);
  return (
    <dialog open aria-label="Media preview">
      <article class="preview">
        <header>
          <button ref={close} aria-label="Close" class="close-button secondary outline small" onClick={onClose}>
            Close
          </button>
          <strong>{media.original_name || media.media_type}</strong>
        </header>
        {!media.original_url ? (
          <p class="muted">The file is no longer stored.</p>
        ) : isVideo ? (
          <video src={media.original_url} controls playsInline preload="metadata" poster={media.thumb_url ?? undefined} />
        ) : media.media_type === 'SHOTS_SET' ? (
          <p>
            <Thumb src={media.thumb_url} alt="first shot" large /> <a href={media.original_url}>Download the shot set</a>
          </p>
        ) : (
          <img src={media.original_url} alt={media.original_name} class="preview-img" />
        )}
        <footer class="muted">
          {info.video ? `${info.video.width}×${info.video.height}, ${formatDuration(info.video.duration)}, ${info.video.FPS} fps, ${formatBytes(info.video.size)}` : null}
          {info.original && 'width' in info.original ? `${info.original.width}×${info.original.height}, ${formatBytes(info.original.size)}` : null}
          {' · '}
          {media.tags.join(', ')}
          {mayDelete ? (
            <>
              {' '}
              <button class="danger outline small" onClick={() => confirm('Delete this media file?') && void remove.run()}>
                Delete media
              </button>
            </>
          ) : null}
          <ErrorNote error={remove.error} />
        </footer>
      </article>
    </dialog>
  );
}

function AnalysisCard({ analysis: a, who, onDecided }: { analysis: Analysis; who: Who; onDecided: () => void }) {
  const confs = (a.confs ?? {}) as Record<string, unknown>;
  const took = a.time_task_finished && a.time_created ? a.time_task_finished - a.time_created : null;
  return (
    <article class="analysis" aria-label={`${a.type} analysis`}>
      <header class="analysis-head">
        <strong>{a.type.toLowerCase()}</strong>
        <Badge status={a.resolution_status} />
        <small class="muted">
          {a.state === 'PROCESSING' ? 'running…' : `${statusLabel(a.state)}${took !== null ? ` in ${formatDuration(took)}` : ''}`} · <span class="mono">{shortId(a.analysis_id)}</span>
        </small>
      </header>
      {a.error_message ? (
        <p class="error-note">
          {a.error_message} (error {a.error_code})
        </p>
      ) : null}
      {a.results_media.map((r) => {
        const data = (r.results_data ?? {}) as Record<string, unknown>;
        const spoof = num(data['confidence_spoofing']);
        const similarity = num(data['min_confidence']) ?? (a.type === 'COLLECTION' ? num(data['max_confidence']) : undefined);
        const gesture = data['gesture'] as { tag: string; passed: boolean; message: string } | undefined;
        const source = a.source_media.find((m) => m.media_id === r.source_media_id);
        return (
          <div class="result-row">
            <Thumb src={source?.thumb_url} alt="source" />
            <div class="result-body">
              {spoof !== undefined ? <ScoreBar name="spoofing" verdict={spoofingVerdict(spoof, num(confs['threshold_spoofing']) ?? 0.5)} /> : null}
              {similarity !== undefined ? (
                <ScoreBar name={a.type === 'COLLECTION' ? 'best match' : 'similarity'} verdict={similarityVerdict(similarity, num(confs['threshold_max']) ?? num(confs['threshold']) ?? num(confs['decision_threshold']) ?? 0.85)} />
              ) : null}
              {gesture ? (
                <p>
                  Gesture <code>{gesture.tag}</code>: <Badge status={gesture.passed ? 'SUCCESS' : 'DECLINED'} text={gesture.passed ? 'done' : 'missing'} /> <small>{gesture.message}</small>
                </p>
              ) : null}
              {r.output_images.length ? (
                <div class="shots">
                  {r.output_images.map((img) => (
                    <figure>
                      <Thumb src={img.original_url} alt={img.tags.join(' ')} large />
                      <figcaption>{img.tags.includes('best_shot') ? 'best shot' : img.tags.filter((t) => t !== 'action_shot').join(' ') || 'action shot'}</figcaption>
                    </figure>
                  ))}
                </div>
              ) : null}
              {r.collection_persons.length ? <Matches persons={r.collection_persons as unknown as MatchRow[]} /> : null}
            </div>
          </div>
        );
      })}
      {a.resolution_status === 'OPERATOR_REQUIRED' && allowed(who, 'ANALYSIS', 'resolve') ? <DecisionForm analysisId={a.analysis_id ?? a.analyse_id ?? ''} onDone={onDecided} /> : null}
    </article>
  );
}

interface MatchRow {
  person_id: string;
  collection_id: string;
  media_id: string;
  confidence: number;
}

function Matches({ persons }: { persons: MatchRow[] }) {
  return (
    <div class="matches">
      <strong>Collection matches</strong>
      {persons.map((p) => (
        <MatchCard match={p} />
      ))}
    </div>
  );
}

function MatchCard({ match }: { match: MatchRow }) {
  const images = useLoad(() => api.get<Schema<'PersonImageList'>>(`/api/collections/${match.collection_id}/persons/${match.person_id}/images`), [match.person_id]);
  const image = images.data?.find((i) => i.media_id === match.media_id) ?? images.data?.[0];
  return (
    <div class="match">
      <Thumb src={image?.original_url} alt="matched person" />
      <div>
        <a href={`#/blacklist/${match.collection_id}`}>person {shortId(match.person_id)}</a>
        <br />
        <small>similarity {match.confidence.toFixed(3)}</small>
      </div>
    </div>
  );
}

type Report = Schema<'Report'>;

/** The folder's PDF reports: generate one with a template, download, delete (per the REPORT row). */
function Reports({ folderId, who }: { folderId: string; who: Who }) {
  const list = useLoad(() => api.get<Schema<'ReportList'>>(`/api/folders/${folderId}/reports`), [folderId]);
  const templates = useLoad(() => api.get<Schema<'ReportTemplateList'>>('/api/report_templates'), []);
  const [template, setTemplate] = useState('');
  const generate = useAction(async () => {
    const made = await api.post<Report>(`/api/folders/${folderId}/reports`, template ? { report_template_id: template } : {});
    list.reload();
    window.open(made.file_url, '_blank', 'noopener');
  });
  const remove = useAction(async (r: Report) => {
    await api.del(`/api/reports/${r.report_id}`);
    list.reload();
  });
  const mayCreate = allowed(who, 'REPORT', 'create');
  const mayDelete = allowed(who, 'REPORT', 'delete');
  return (
    <div>
      <h3>Reports</h3>
      {mayCreate ? (
        <div class="actions">
          <select aria-label="Report template" value={template} onChange={(e) => setTemplate(e.currentTarget.value)}>
            <option value="">Default report</option>
            {(templates.data ?? []).slice(1).map((t) => (
              <option value={t.report_template_id}>{t.name}</option>
            ))}
          </select>
          <button class="small" aria-busy={generate.busy} onClick={() => void generate.run()}>
            Report (PDF)
          </button>
        </div>
      ) : null}
      <ErrorNote error={list.error ?? generate.error ?? remove.error} />
      {list.data ? (
        <Table
          label="Reports"
          rows={list.data}
          rowKey={(r) => r.report_id}
          empty="No report yet."
          columns={[
            { title: 'When', cell: (r) => formatTime(r.time_created) },
            { title: 'File', cell: (r) => <a href={r.file_url} target="_blank" rel="noopener">{r.file_name}</a> },
            { title: 'Size', cell: (r) => formatBytes(r.size) },
            { title: 'Content SHA-256', cell: (r) => <span class="mono" title={r.content_sha256}>{r.content_sha256.slice(0, 12)}…</span> },
            ...(mayDelete
              ? [{ title: '', cell: (r: Report) => <button class="danger outline small" onClick={() => confirm('Delete this report?') && void remove.run(r)}>Delete</button> }]
              : []),
          ]}
        />
      ) : null}
    </div>
  );
}

function Deliveries({ folderId }: { folderId: string }) {
  const list = useLoad(() => api.get<Schema<'WebhookDeliveryList'>>(`/api/folders/${folderId}/webhooks`), [folderId]);
  return (
    <div>
      <h3>Webhook deliveries</h3>
      <ErrorNote error={list.error} />
      {list.data ? (
        <Table
          label="Webhook deliveries"
          rows={list.data}
          rowKey={(d) => d.delivery_id}
          empty="No webhook for this folder."
          columns={[
            { title: 'When', cell: (d) => formatTime(d.time_created) },
            { title: 'URL', cell: (d) => <span class="mono wrap">{d.url}</span> },
            { title: 'Outcome', cell: (d) => <Badge status={d.outcome} /> },
            { title: 'Tries', cell: (d) => `${d.attempts}${d.last_status ? ` (HTTP ${d.last_status})` : ''}` },
          ]}
        />
      ) : null}
    </div>
  );
}

export function Audit({ objectType, objectId }: { objectType?: string; objectId?: string }) {
  const list = useLoad(() => api.get<Schema<'AuditPage'>>('/api/audit', { object_type: objectType, object_id: objectId, limit: 50 }), [objectType, objectId]);
  return (
    <div>
      <h3>Audit history</h3>
      <ErrorNote error={list.error} />
      {list.data ? (
        <Table
          label="Audit history"
          rows={list.data.items}
          rowKey={(e) => e.audit_id}
          empty="Nothing recorded."
          columns={[
            { title: 'When', cell: (e) => formatTime(e.time_created) },
            { title: 'Who', cell: (e) => e.email ?? 'system' },
            { title: 'What', cell: (e) => e.action },
            ...(objectId ? [] : [{ title: 'Object', cell: (e: Schema<'AuditEntry'>) => `${e.object_type.toLowerCase()} ${shortId(e.object_id)}` }]),
          ]}
        />
      ) : null}
    </div>
  );
}
