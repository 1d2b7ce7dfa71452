// Report templates: what a folder's PDF report shows, in a versioned format a company admin edits
// as JSON, without code. The same zod schema validates requests here and documents the format in
// the OpenAPI document (functions/api/schemas), so the two cannot drift.
import { z } from 'zod';
import { SYSTEM_COMPANY_ID } from '../entities';

/** The format this server writes and reads. A template of another version is refused, not guessed. */
export const REPORT_TEMPLATE_FORMAT_VERSION = 1;

/** The sections a template may show, in the order it lists them. The verification footer is always there. */
export const REPORT_SECTIONS = ['summary', 'metadata', 'analyses', 'media', 'best_shots', 'action_shots', 'collection_matches', 'operator'] as const;
export type ReportSection = (typeof REPORT_SECTIONS)[number];

export const REPORT_LANGUAGES = ['en', 'ru'] as const;
export type ReportLanguage = (typeof REPORT_LANGUAGES)[number];

/** Every label a report prints; a template overrides any of them (and so speaks any language). */
export const LABELS = {
  en: {
    title: 'Biometric check report',
    summary: 'Folder',
    folder_id: 'Folder ID',
    company: 'Company ID',
    owner: 'Created by (user ID)',
    created: 'Created',
    status: 'Folder status',
    system_resolution: 'System resolution',
    metadata: 'Metadata',
    analyses: 'Analyses',
    analysis_id: 'Analysis ID',
    type: 'Type',
    state: 'State',
    resolution: 'Result',
    score: 'Score',
    threshold: 'Threshold',
    started: 'Started',
    finished: 'Finished',
    duration: 'Processing',
    gesture: 'Gesture',
    error: 'Error',
    media: 'Media',
    best_shots: 'Best shots',
    action_shots: 'Action shots',
    collection_matches: 'Collection matches',
    person: 'Person ID',
    collection: 'Collection',
    confidence: 'Confidence',
    operator: 'Operator decisions',
    operator_status: 'Operator status',
    operator_comment: 'Operator comment',
    decided_by: 'Decided by',
    decided_at: 'Decided at',
    comment: 'Comment',
    none: 'None',
    verification: 'Verification',
    report_id: 'Report ID',
    generated: 'Generated',
    content_sha256: 'Content SHA-256',
    page: 'Page',
    cleared: 'This folder was cleared of personal information.',
  },
  ru: {
    title: 'Отчёт о биометрической проверке',
    summary: 'Папка',
    folder_id: 'ID папки',
    company: 'ID компании',
    owner: 'Создал (ID пользователя)',
    created: 'Создана',
    status: 'Статус папки',
    system_resolution: 'Решение системы',
    metadata: 'Метаданные',
    analyses: 'Анализы',
    analysis_id: 'ID анализа',
    type: 'Тип',
    state: 'Состояние',
    resolution: 'Результат',
    score: 'Оценка',
    threshold: 'Порог',
    started: 'Начат',
    finished: 'Завершён',
    duration: 'Обработка',
    gesture: 'Жест',
    error: 'Ошибка',
    media: 'Медиафайлы',
    best_shots: 'Лучшие кадры',
    action_shots: 'Кадры действий',
    collection_matches: 'Совпадения в коллекциях',
    person: 'ID персоны',
    collection: 'Коллекция',
    confidence: 'Уверенность',
    operator: 'Решения оператора',
    operator_status: 'Статус оператора',
    operator_comment: 'Комментарий оператора',
    decided_by: 'Решил',
    decided_at: 'Время решения',
    comment: 'Комментарий',
    none: 'Нет',
    verification: 'Проверка подлинности',
    report_id: 'ID отчёта',
    generated: 'Сформирован',
    content_sha256: 'SHA-256 содержимого',
    page: 'Стр.',
    cleared: 'Персональные данные этой папки удалены.',
  },
} as const satisfies Record<ReportLanguage, Record<string, string>>;
export type LabelKey = keyof (typeof LABELS)['en'];
export const LABEL_KEYS = Object.keys(LABELS.en) as LabelKey[];

const MAX_TEXT = 500;
const text = (max = MAX_TEXT) => z.string().max(max);

/** The editable part of a template: everything a company admin may set. */
export const ReportTemplateContent = z
  .object({
    format_version: z.literal(REPORT_TEMPLATE_FORMAT_VERSION).default(REPORT_TEMPLATE_FORMAT_VERSION).meta({ description: 'The template format version (1)' }),
    name: text(200).min(1).meta({ description: 'Shown in lists (1 to 200 characters)' }),
    language: z.enum(REPORT_LANGUAGES).default('en').meta({ description: 'The default labels: en or ru (override any label for other languages)' }),
    title: text().optional().meta({ description: "The report's title; default: the language's" }),
    sections: z
      .array(z.enum(REPORT_SECTIONS))
      .min(1)
      .max(REPORT_SECTIONS.length)
      .refine((s) => new Set(s).size === s.length, 'a section is listed twice')
      .default([...REPORT_SECTIONS])
      .meta({ description: `Which sections, in order: ${REPORT_SECTIONS.join(', ')}. The verification footer is always printed.` }),
    labels: z
      .partialRecord(z.enum(LABEL_KEYS as [LabelKey, ...LabelKey[]]), text(200))
      .default({})
      .meta({ description: `Label overrides by key (${LABEL_KEYS.join(', ')})` }),
    metadata_keys: z
      .array(text(200).min(1))
      .max(100)
      .default(['*'])
      .meta({ description: 'Which folder meta_data keys to print (dotted paths allowed); ["*"] prints all, [] none' }),
    logo_attachment_id: z.string().max(64).nullable().default(null).meta({ description: "An attachment of this template (kind logo) printed at the top right" }),
    header_attachment_id: z.string().max(64).nullable().default(null).meta({ description: 'An attachment of this template (kind header) printed across the top' }),
    page_size: z.enum(['A4', 'LETTER']).default('A4'),
    footer_text: text().default('').meta({ description: 'A line printed above the verification footer' }),
  })
  .strict();
export type ReportTemplateContent = z.output<typeof ReportTemplateContent>;

/** A PATCH: any editable field; the result is validated as a whole. */
export const ReportTemplatePatch = ReportTemplateContent.partial().strict();

export interface ReportTemplate extends ReportTemplateContent {
  report_template_id: string;
  company_id: string;
  /** Who created it (null for the built-in templates). */
  user_id: string | null;
  is_builtin: boolean;
  time_created: number;
  time_updated: number;
}

export const ATTACHMENT_KINDS = ['logo', 'header'] as const;
export type AttachmentKind = (typeof ATTACHMENT_KINDS)[number];

export interface ReportTemplateAttachment {
  attachment_id: string;
  report_template_id: string;
  company_id: string;
  kind: AttachmentKind;
  original_name: string;
  content_type: string;
  size: number;
  width: number;
  height: number;
  time_created: number;
  blob_key: string;
}

// ---- the built-in templates ----------------------------------------------------------------

const builtin = (id: string, content: z.input<typeof ReportTemplateContent>): ReportTemplate => ({
  ...ReportTemplateContent.parse(content),
  report_template_id: id,
  company_id: SYSTEM_COMPANY_ID,
  user_id: null,
  is_builtin: true,
  time_created: 1733011200, // 2024-12-01, when these layouts were fixed
  time_updated: 1733011200,
});

export const DEFAULT_TEMPLATE_ID = '00000000-0000-4000-8000-000000000001';
export const ACTION_SHOTS_TEMPLATE_ID = '00000000-0000-4000-8000-000000000002';

/**
 * Read-only, visible to every company; copy one (POST with its fields) to change it. The second
 * follows changelog 5.3.0: a report for Kazakhstan's biometric-identification rules, whose
 * thumbnails come from the action shots (one per gesture) and which leads with the liveness result.
 */
export const BUILTIN_TEMPLATES: readonly ReportTemplate[] = [
  builtin(DEFAULT_TEMPLATE_ID, { name: 'Default report' }),
  builtin(ACTION_SHOTS_TEMPLATE_ID, {
    name: 'Action-shot report (changelog 5.3.0, Kazakhstan biometric identification)',
    language: 'ru',
    title: 'Отчёт о биометрической идентификации (проверка живости по действиям)',
    sections: ['summary', 'action_shots', 'analyses', 'best_shots', 'collection_matches', 'operator', 'metadata'],
    footer_text: 'Снимки действий извлечены из видео, на котором человек выполняет жесты (изменения API 5.3.0).',
  }),
];

export const builtinTemplate = (id: string) => BUILTIN_TEMPLATES.find((t) => t.report_template_id === id) ?? null;
