// The review queue: OPERATOR_REQUIRED analyses, the faces side by side (the reference photo and
// the best shot of the selfie), decided with a comment; the list updates.
import { useState } from 'preact/hooks';
import type { Analysis, Folder, Media } from '../api';
import type { Who } from '../access';
import { formatTime, shortId, similarityVerdict } from '../format';
import { hrefOf } from '../router';
import { api } from '../session';
import { ErrorNote, Loading, ScoreBar, Thumb, useAction, useLoad } from '../ui';

export function DecisionForm({ analysisId, onDone }: { analysisId: string; onDone: () => void }) {
  const [comment, setComment] = useState('');
  const decide = useAction(async (resolution: 'SUCCESS' | 'DECLINED') => {
    await api.patch(`/api/analyses/${analysisId}`, { resolution_status: resolution, comment: comment || null });
    onDone();
  });
  return (
    <form class="decision" aria-label="Decision" onSubmit={(e) => e.preventDefault()}>
      <label>
        Comment
        <input name="comment" maxLength={2000} placeholder="Why (kept with the decision)" value={comment} onInput={(e) => setComment(e.currentTarget.value)} />
      </label>
      <div class="actions">
        <button type="button" class="ok" disabled={decide.busy} onClick={() => void decide.run('SUCCESS')}>
          Approve
        </button>
        <button type="button" class="danger" disabled={decide.busy} onClick={() => void decide.run('DECLINED')}>
          Decline
        </button>
      </div>
      <ErrorNote error={decide.error} />
    </form>
  );
}

/** The picture a person looks at for a media: the best shot made from it if any, else the file or its thumbnail. */
export function faceOf(media: Media, folder: Folder): string | null {
  for (const a of folder.analyses ?? []) {
    for (const r of a.results_media) {
      if (r.source_media_id !== media.media_id) continue;
      const best = r.output_images.find((i) => i.tags.includes('best_shot'));
      if (best?.original_url) return best.original_url;
    }
  }
  return media.media_type === 'IMAGE_FOLDER' ? (media.original_url ?? media.thumb_url) : media.thumb_url;
}

export function ReviewPage({ who: _who }: { who: Who }) {
  const queue = useLoad(() => api.get<{ total: number; items: Folder[] }>('/api/folders', { 'analyse.resolution_status': 'OPERATOR_REQUIRED', with_analyses: true, limit: 50 }), []);
  const cases: { folder: Folder; analysis: Analysis }[] = [];
  for (const f of queue.data?.items ?? []) for (const a of f.analyses ?? []) if (a.resolution_status === 'OPERATOR_REQUIRED') cases.push({ folder: f, analysis: a });
  return (
    <section>
      <div class="page-head">
        <h2>Review queue</h2>
        <button class="secondary outline small" onClick={queue.reload}>
          Refresh
        </button>
      </div>
      <ErrorNote error={queue.error} />
      {queue.loading && !queue.data ? <Loading what="the queue" /> : null}
      {queue.data && cases.length === 0 ? <p class="muted">Nothing waits for a decision.</p> : null}
      {cases.map(({ folder, analysis }) => {
        const data = (analysis.results_data ?? {}) as Record<string, number>;
        const confs = (analysis.confs ?? {}) as Record<string, number>;
        const reference = analysis.source_media.find((m) => m.tags.some((t) => t.startsWith('photo_id'))) ?? analysis.source_media[0];
        const others = analysis.source_media.filter((m) => m !== reference);
        return (
          <article class="case" aria-label={`Case ${shortId(analysis.analysis_id)}`}>
            <header>
              <strong>{analysis.type.toLowerCase()}</strong> in folder <a href={hrefOf('folders', folder.folder_id)}>{shortId(folder.folder_id)}</a> · {formatTime(analysis.time_created)}
            </header>
            <div class="side-by-side">
              {reference ? (
                <figure>
                  <Thumb src={faceOf(reference, folder)} alt="reference" large />
                  <figcaption>reference · {reference.tags.join(', ') || reference.media_type}</figcaption>
                </figure>
              ) : null}
              {others.map((m) => (
                <figure>
                  <Thumb src={faceOf(m, folder)} alt="best shot" large />
                  <figcaption>{m.media_type === 'VIDEO_FOLDER' ? 'best shot of the video' : m.tags.join(', ')}</figcaption>
                </figure>
              ))}
            </div>
            {typeof data['min_confidence'] === 'number' ? <ScoreBar name="similarity" verdict={similarityVerdict(data['min_confidence'], confs['threshold_max'] ?? confs['threshold'] ?? 0.85)} /> : null}
            <DecisionForm analysisId={analysis.analysis_id ?? ''} onDone={queue.reload} />
          </article>
        );
      })}
    </section>
  );
}
