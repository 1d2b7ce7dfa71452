// How the console writes times, sizes, scores and statuses. Pure functions (unit-tested).

/** Epoch seconds -> "2026-12-03 11:29" in the browser's zone (or UTC when asked). */
export function formatTime(epochSeconds: number | null | undefined, utc = false): string {
  if (epochSeconds === null || epochSeconds === undefined || !Number.isFinite(epochSeconds)) return '—';
  const d = new Date(epochSeconds * 1000);
  const p = (n: number) => String(n).padStart(2, '0');
  const [y, mo, da, h, mi] = utc
    ? [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes()]
    : [d.getFullYear(), d.getMonth() + 1, d.getDate(), d.getHours(), d.getMinutes()];
  return `${y}-${p(mo)}-${p(da)} ${p(h)}:${p(mi)}`;
}

export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—';
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}

export const formatPercent = (x: number | null | undefined, digits = 1): string =>
  x === null || x === undefined || !Number.isFinite(x) ? '—' : `${(x * 100).toFixed(digits)} %`;

export const formatScore = (x: number | null | undefined): string => (x === null || x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(3));

export type Tone = 'ok' | 'bad' | 'warn' | 'busy' | 'neutral';

/** The colour a resolution / state is shown in. */
export function statusTone(status: string | null | undefined): Tone {
  switch ((status ?? '').toUpperCase()) {
    case 'SUCCESS':
    case 'FINISHED':
    case 'DELIVERED':
      return 'ok';
    case 'DECLINED':
    case 'FAILED':
      return 'bad';
    case 'OPERATOR_REQUIRED':
      return 'warn';
    case 'PROCESSING':
    case 'PENDING':
      return 'busy';
    default:
      return 'neutral';
  }
}

export const statusLabel = (status: string | null | undefined): string => (status ? status.replace(/_/g, ' ').toLowerCase() : '—');

export interface ScoreVerdict {
  /** the score shown (what the analysis answered) */
  score: number;
  threshold: number;
  /** which side passes: below the threshold (spoofing) or at/above it (similarity) */
  passes: boolean;
  label: string;
}

/** QUALITY: confidence_spoofing below threshold_spoofing (default 0.5) is a live person. */
export function spoofingVerdict(score: number, threshold = 0.5): ScoreVerdict {
  const passes = score < threshold;
  return { score, threshold, passes, label: passes ? 'live' : 'attack' };
}

/** BIOMETRY / COLLECTION: a similarity at or above the threshold is the same person. */
export function similarityVerdict(score: number, threshold = 0.85): ScoreVerdict {
  const passes = score >= threshold;
  return { score, threshold, passes, label: passes ? 'match' : 'no match' };
}

/** "key==value" for the folder list's meta_data filter, from what a person types ("key=value" too). */
export function metaFilter(input: string): string | undefined {
  const t = input.trim();
  if (!t) return undefined;
  if (t.includes('==')) return t;
  const i = t.indexOf('=');
  return i > 0 ? `${t.slice(0, i).trim()}==${t.slice(i + 1).trim()}` : undefined;
}

/** A date input's "YYYY-MM-DD" as epoch seconds at the start (or end) of that day, local time. */
export function dayToEpoch(day: string, end = false): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return undefined;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), end ? 23 : 0, end ? 59 : 0, end ? 59 : 0);
  return Math.floor(d.getTime() / 1000);
}

export const shortId = (id: string | null | undefined): string => (id ? id.slice(0, 8) : '—');

/** Tags a media may carry, as the documents list them (the new-check tag picker offers these). */
export const DOCUMENTED_TAGS = {
  photo: ['photo_selfie', 'photo_id', 'photo_id_front', 'photo_id_back'],
  video: [
    'video_selfie',
    'video_selfie_blank',
    'video_selfie_oneshot',
    'video_selfie_left',
    'video_selfie_right',
    'video_selfie_down',
    'video_selfie_high',
    'video_selfie_smile',
    'video_selfie_eyes',
    'video_selfie_scan',
    'video_selfie_zoom_in',
    'video_selfie_zoom_out',
    'orientation_portrait',
    'orientation_landscape',
  ],
  shots: ['video_selfie', 'video_selfie_blank', 'video_selfie_oneshot', 'orientation_portrait', 'orientation_landscape'],
} as const;

export type FileKind = 'photo' | 'video' | 'shots';

/** What a dropped file is, from its type or name, and the tags it gets by default. */
export function fileKind(file: { name: string; type: string }): FileKind | null {
  const name = file.name.toLowerCase();
  if (file.type.startsWith('image/') || /\.(jpe?g|png|webp|bmp|gif|tiff?)$/.test(name)) return 'photo';
  if (file.type.startsWith('video/') || /\.(mp4|mov|webm|mkv|avi|m4v)$/.test(name)) return 'video';
  if (file.type === 'application/zip' || file.type === 'application/x-zip-compressed' || name.endsWith('.zip')) return 'shots';
  return null;
}

export const defaultTags = (kind: FileKind): string[] =>
  kind === 'photo' ? ['photo_selfie'] : kind === 'video' ? ['video_selfie', 'video_selfie_blank'] : ['video_selfie', 'video_selfie_blank'];
