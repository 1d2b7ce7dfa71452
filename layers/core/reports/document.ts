// What a folder's report says, as plain data: headings, label/value rows, tables and captioned
// images. Built here from the folder and its template (no I/O); drawn by a ReportRenderer. The
// content hash printed in the footer is taken over this document, so anyone holding the same data
// can recompute it, and it does not depend on how a PDF library lays the pages out.
import { createHash } from 'node:crypto';
import type { CoreConfig } from '../deps';
import type { Analysis, Json, JsonObject, Media } from '../entities';
import { analysisResolutionStatus, folderStatus } from '../statuses';
import { analysisThresholds } from '../thresholds';
import type { FolderAggregate } from '../ports/folders';
import { LABELS, type LabelKey, type ReportTemplate } from './template';

export interface ReportImage {
  bytes: Buffer;
  caption: string;
}
export type Tone = 'good' | 'bad' | 'warn' | null;
export type ReportBlock =
  | { kind: 'heading'; text: string }
  | { kind: 'fields'; rows: [string, string][] }
  /** widths are fractions of the line; a cell may hold several lines ("\n"). */
  | { kind: 'table'; columns: string[]; widths: number[]; rows: { cells: string[]; tone: Tone }[] }
  | { kind: 'images'; items: ReportImage[] }
  | { kind: 'text'; text: string };

export interface ReportDocument {
  title: string;
  page_size: 'A4' | 'LETTER';
  logo: ReportImage | null;
  header: ReportImage | null;
  blocks: ReportBlock[];
  footer: { text: string; rows: [string, string][]; page_label: string };
}

/** The images a report may print, fetched by the use case: by media id, and the matched persons' photos by "<person_id>#<media_id>". */
export interface ReportImages {
  media: Map<string, Buffer>;
  persons: Map<string, Buffer>;
  logo: Buffer | null;
  header: Buffer | null;
}

export interface ReportInput {
  report_id: string;
  generated_at: number;
  agg: FolderAggregate;
  template: ReportTemplate;
  images: ReportImages;
  config: CoreConfig;
}

/** At most this many pictures per report: a folder of hundreds of media still renders in bounded time. */
export const MAX_REPORT_IMAGES = 48;
const MAX_VALUE_CHARS = 300;

/** "2026-12-03 12:30:00 UTC"; in table cells without the zone, which the column's label names. */
export const formatTime = (epoch: number | null | undefined, zone = true) =>
  epoch == null ? '' : new Date(epoch * 1000).toISOString().replace('T', ' ').replace(/\.\d+Z$/, zone ? ' UTC' : '');
const score = (v: unknown) => (typeof v === 'number' ? v.toFixed(4) : '');
const clip = (s: string) => (s.length > MAX_VALUE_CHARS ? `${s.slice(0, MAX_VALUE_CHARS - 1)}…` : s);
const valueText = (v: Json | undefined) => clip(v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v));
const toneOf = (status: string): Tone => (status === 'SUCCESS' ? 'good' : status === 'OPERATOR_REQUIRED' || status === 'PROCESSING' ? 'warn' : 'bad');

/** Output images (best and action shots) with their source, in the order the analyses made them. */
function outputsTagged(agg: FolderAggregate, tag: string): Media[] {
  const byId = new Map(agg.media.map((m) => [m.media_id, m]));
  const seen = new Set<string>();
  const out: Media[] = [];
  for (const a of agg.analyses) {
    for (const r of a.results_media) {
      for (const id of r.output_images) {
        const m = byId.get(id);
        if (m && m.tags.includes(tag) && !seen.has(id)) {
          seen.add(id);
          out.push(m);
        }
      }
    }
  }
  return out;
}

/** The folder's meta_data keys a template asks for ("*": every key, dotted paths into objects). */
export function metadataRows(meta: JsonObject, keys: string[]): [string, string][] {
  if (keys.includes('*')) {
    const rows: [string, string][] = [];
    const walk = (node: JsonObject, prefix: string) => {
      for (const [k, v] of Object.entries(node)) {
        const path = prefix ? `${prefix}.${k}` : k;
        if (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length) walk(v, path);
        else rows.push([path, valueText(v)]);
      }
    };
    walk(meta, '');
    return rows;
  }
  return keys.flatMap((key): [string, string][] => {
    let node: Json | undefined = meta;
    for (const part of key.split('.')) node = node !== null && typeof node === 'object' && !Array.isArray(node) ? node[part] : undefined;
    return node === undefined ? [] : [[key, valueText(node)]];
  });
}

/** An analysis' headline score: the one its resolution was decided by. */
function headlineScore(a: Analysis): number | undefined {
  const data = a.results_data ?? {};
  switch (a.type) {
    case 'QUALITY': {
      // The worst (highest) attack score over its media decides.
      const scores = a.results_media.map((r) => r.results_data?.['confidence_spoofing']).filter((v): v is number => typeof v === 'number');
      return scores.length ? Math.max(...scores) : undefined;
    }
    case 'BIOMETRY':
      return typeof data['min_confidence'] === 'number' ? data['min_confidence'] : undefined;
    case 'COLLECTION':
      return typeof data['max_confidence'] === 'number' ? data['max_confidence'] : undefined;
    default:
      return undefined;
  }
}

function gestureLines(a: Analysis, L: Record<LabelKey, string>): string[] {
  return a.results_media.flatMap((r) => {
    const g = r.results_data?.['gesture'];
    if (!g || typeof g !== 'object' || Array.isArray(g)) return [];
    return [`${L.gesture}: ${String(g['tag'] ?? '')} ${g['passed'] === true ? '✓' : '✗'}`];
  });
}

export function buildReportDocument(input: ReportInput): ReportDocument {
  const { agg, template, images, config } = input;
  const L: Record<LabelKey, string> = { ...LABELS[template.language], ...template.labels };
  const blocks: ReportBlock[] = [];
  let imageBudget = MAX_REPORT_IMAGES;
  const take = (items: ReportImage[]) => {
    const kept = items.slice(0, Math.max(0, imageBudget));
    imageBudget -= kept.length;
    return kept;
  };
  const mediaImage = (m: Media, caption: string) => {
    const bytes = images.media.get(m.media_id);
    return bytes ? [{ bytes, caption }] : [];
  };
  const status = folderStatus(agg.analyses);
  const sources = agg.media.filter((m) => m.media_type !== 'IMAGE_RESULT_ANALYSIS_SINGLE');
  const bestShots = outputsTagged(agg, 'best_shot');
  const actionShots = outputsTagged(agg, 'action_shot');

  for (const section of template.sections) {
    switch (section) {
      case 'summary':
        blocks.push({ kind: 'heading', text: L.summary });
        blocks.push({
          kind: 'fields',
          rows: [
            [L.folder_id, agg.folder.folder_id],
            [L.company, agg.folder.company_id],
            [L.owner, agg.folder.user_id],
            [L.created, formatTime(agg.folder.time_created)],
            [L.status, status.resolution_status],
            [L.system_resolution, status.system_resolution],
          ],
        });
        if (agg.folder.is_cleared) blocks.push({ kind: 'text', text: L.cleared });
        break;
      case 'metadata': {
        const rows = metadataRows(agg.folder.meta_data, template.metadata_keys);
        if (!rows.length) break;
        blocks.push({ kind: 'heading', text: L.metadata }, { kind: 'fields', rows });
        break;
      }
      case 'analyses': {
        blocks.push({ kind: 'heading', text: L.analyses });
        if (!agg.analyses.length) {
          blocks.push({ kind: 'text', text: L.none });
          break;
        }
        const rows = agg.analyses.map((a) => {
          const resolution = analysisResolutionStatus(a);
          const t = analysisThresholds(a, config);
          const result = [resolution, ...gestureLines(a, L), ...(a.error_code !== null ? [`${L.error} ${a.error_code}: ${a.error_message ?? ''}`] : [])];
          const threshold = t ? `${t.passes === 'below' ? '<' : '≥'} ${t.value}${t.band ? `\n(${t.band[0]}–${t.band[1]})` : ''}` : '';
          const took = a.time_task_finished != null ? `${Math.max(0, a.time_task_finished - a.time_created).toFixed(2)} s` : '';
          return {
            cells: [`${a.type}\n${a.analysis_id}`, result.join('\n'), score(headlineScore(a)), threshold, [formatTime(a.time_created, false), formatTime(a.time_task_finished, false), took].filter(Boolean).join('\n')],
            tone: toneOf(resolution),
          };
        });
        blocks.push({
          kind: 'table',
          columns: [`${L.type} / ${L.analysis_id}`, L.resolution, L.score, L.threshold, `${L.started} / ${L.finished} (UTC) / ${L.duration}`],
          widths: [0.36, 0.2, 0.11, 0.12, 0.21],
          rows,
        });
        break;
      }
      case 'media': {
        blocks.push({ kind: 'heading', text: L.media });
        const items = sources.flatMap((m) => {
          const caption = `${m.media_type} · ${m.tags.join(', ')}`;
          if (m.media_type === 'IMAGE_FOLDER') return mediaImage(m, caption);
          // Changelog 5.3.0: a video's thumbnail comes from its action shot, else its best shot.
          const shot = [...actionShots, ...bestShots].find((o) => o.media_association_id === m.media_id);
          return shot ? mediaImage(shot, caption) : [];
        });
        blocks.push({
          kind: 'table',
          columns: [L.media, L.type, 'Tags'],
          widths: [0.4, 0.2, 0.4],
          rows: sources.map((m) => ({ cells: [m.media_id, m.media_type, m.tags.join(', ')], tone: null })),
        });
        const kept = take(items);
        if (kept.length) blocks.push({ kind: 'images', items: kept });
        break;
      }
      case 'best_shots': {
        const kept = take(bestShots.flatMap((m) => mediaImage(m, `${L.best_shots}: ${m.media_association_id ?? ''}`)));
        if (!kept.length) break;
        blocks.push({ kind: 'heading', text: L.best_shots }, { kind: 'images', items: kept });
        break;
      }
      case 'action_shots': {
        const kept = take(actionShots.flatMap((m) => mediaImage(m, m.tags.filter((t) => t !== 'action_shot').join(', ') || L.action_shots)));
        if (!kept.length) break;
        blocks.push({ kind: 'heading', text: L.action_shots }, { kind: 'images', items: kept });
        break;
      }
      case 'collection_matches': {
        const matches = agg.analyses.flatMap((a) => a.results_media.flatMap((r) => r.collection_persons.map((person) => ({ person }))));
        const collection = agg.analyses.filter((a) => a.type === 'COLLECTION');
        if (!collection.length) break;
        blocks.push({ kind: 'heading', text: L.collection_matches });
        if (!matches.length) {
          blocks.push({ kind: 'text', text: L.none });
          break;
        }
        blocks.push({
          kind: 'table',
          columns: [L.person, L.collection, L.confidence],
          widths: [0.4, 0.4, 0.2],
          rows: matches.map(({ person }) => ({
            cells: [String(person['person_id'] ?? ''), String(person['collection_id'] ?? ''), score(person['confidence'])],
            tone: null,
          })),
        });
        const photos = take(
          matches.flatMap(({ person }) => {
            const bytes = images.persons.get(`${String(person['person_id'])}#${String(person['media_id'])}`);
            return bytes ? [{ bytes, caption: `${L.person}: ${String(person['person_id'])}` }] : [];
          }),
        );
        if (photos.length) blocks.push({ kind: 'images', items: photos });
        break;
      }
      case 'operator': {
        const decided = agg.analyses.filter((a) => a.resolution_operator);
        const folderNotes: [string, string][] = [
          ...(agg.folder.operator_status ? [[L.operator_status, agg.folder.operator_status] as [string, string]] : []),
          ...(agg.folder.operator_comment ? [[L.operator_comment, clip(agg.folder.operator_comment)] as [string, string]] : []),
        ];
        if (!decided.length && !folderNotes.length) break;
        blocks.push({ kind: 'heading', text: L.operator });
        if (folderNotes.length) blocks.push({ kind: 'fields', rows: folderNotes });
        if (decided.length) {
          blocks.push({
            kind: 'table',
            columns: [L.analysis_id, L.resolution, `${L.decided_by} / ${L.decided_at} (UTC)`, L.comment],
            widths: [0.37, 0.15, 0.25, 0.23],
            rows: decided.map((a) => {
              const d = a.resolution_operator!;
              return {
                cells: [a.analysis_id, String(d['resolution_status'] ?? ''), `${String(d['email'] ?? d['user_id'] ?? '')}\n${formatTime(d['time'] as number, false)}`, clip(String(d['comment'] ?? ''))],
                tone: toneOf(String(d['resolution_status'] ?? '')),
              };
            }),
          });
        }
        break;
      }
    }
  }

  const document: ReportDocument = {
    title: template.title ?? L.title,
    page_size: template.page_size,
    logo: images.logo ? { bytes: images.logo, caption: '' } : null,
    header: images.header ? { bytes: images.header, caption: '' } : null,
    blocks,
    footer: {
      text: template.footer_text,
      rows: [
        [L.report_id, input.report_id],
        [L.generated, formatTime(input.generated_at)],
      ],
      page_label: L.page,
    },
  };
  document.footer.rows.push([L.content_sha256, contentSha256(document)]);
  return document;
}

/**
 * SHA-256 over the document as JSON, images replaced by the SHA-256 of their bytes, before the
 * hash itself is added to the footer: the report id and generation time are part of what it covers.
 */
export function contentSha256(document: ReportDocument): string {
  const digest = (b: Buffer) => createHash('sha256').update(b).digest('hex');
  const canonical = JSON.stringify(document, (_key, value: unknown) => {
    if (value && typeof value === 'object' && 'bytes' in value && Buffer.isBuffer((value as ReportImage).bytes)) {
      const image = value as ReportImage;
      return { caption: image.caption, sha256: digest(image.bytes) };
    }
    return value;
  });
  return createHash('sha256').update(canonical).digest('hex');
}
