// Report templates and documents without a runtime: the template format, what a document holds
// per section and template, the content hash, and the PDF renderer read back with a PDF parser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PDFParse } from 'pdf-parse';
import sharp from 'sharp';
import { buildReportDocument, contentSha256, metadataRows, MAX_REPORT_IMAGES, type ReportDocument } from '../../layers/core/reports/document';
import { BUILTIN_TEMPLATES, ReportTemplateContent, ReportTemplatePatch, type ReportTemplate } from '../../layers/core/reports/template';
import { reportFileName } from '../../layers/core/reports/reports';
import { defaultConfig } from '../../layers/core/deps';
import { PdfReportRenderer } from '../../layers/report/pdf';
import { reportBenchFolder } from '../bench/report';

const template = (content: Record<string, unknown>): ReportTemplate => ({
  ...ReportTemplateContent.parse({ name: 't', ...content }),
  report_template_id: 't1',
  company_id: 'c1',
  user_id: 'u1',
  is_builtin: false,
  time_created: 0,
  time_updated: 0,
});
const texts = (doc: ReportDocument) => JSON.stringify(doc.blocks, (_k, v: unknown) => (Buffer.isBuffer(v) ? undefined : v));

test('template format: defaults, strictness, versions', () => {
  const parsed = ReportTemplateContent.parse({ name: 'Mine' });
  assert.equal(parsed.format_version, 1);
  assert.equal(parsed.language, 'en');
  assert.deepEqual(parsed.metadata_keys, ['*']);
  assert.equal(parsed.sections.length, 8);
  for (const bad of [{}, { name: '' }, { name: 'x', format_version: 2 }, { name: 'x', sections: [] }, { name: 'x', sections: ['summary', 'summary'] }, { name: 'x', labels: { nonsense: 'y' } }, { name: 'x', extra: 1 }, { name: 'x', language: 'xx' }, { name: 'x'.repeat(201) }]) {
    assert.equal(ReportTemplateContent.safeParse(bad).success, false, JSON.stringify(bad).slice(0, 80));
  }
  assert.equal(ReportTemplatePatch.safeParse({ language: 'ru' }).success, true);
  assert.equal(ReportTemplatePatch.safeParse({ is_builtin: false }).success, false);
  // Both built-ins are valid templates of the current format.
  for (const t of BUILTIN_TEMPLATES) {
    const { report_template_id: _i, company_id: _c, user_id: _u, is_builtin: _b, time_created: _t, time_updated: _tu, ...content } = t;
    assert.equal(ReportTemplateContent.safeParse(content).success, true, t.name);
  }
  assert.deepEqual(BUILTIN_TEMPLATES.map((t) => t.is_builtin), [true, true]);
});

test('metadata rows: every key with "*", dotted paths, absent keys skipped', () => {
  const meta = { a: 1, b: { c: 'x', d: [1, 2] }, e: {} };
  assert.deepEqual(metadataRows(meta, ['*']), [['a', '1'], ['b.c', 'x'], ['b.d', '[1,2]'], ['e', '{}']]);
  assert.deepEqual(metadataRows(meta, ['b.c', 'missing', 'a']), [['b.c', 'x'], ['a', '1']]);
  assert.deepEqual(metadataRows(meta, []), []);
  assert.equal(metadataRows({ long: 'y'.repeat(5000) }, ['*'])[0]![1].length, 300);
});

test('document: sections in template order, labels overridden, thresholds and decisions shown', async () => {
  const { agg, images } = await reportBenchFolder();
  const doc = buildReportDocument({ report_id: 'r1', generated_at: 1_800_000_000, agg, images, config: defaultConfig, template: template({ sections: ['analyses', 'summary'], labels: { folder_id: 'Case' } }) });
  const headings = doc.blocks.filter((b) => b.kind === 'heading').map((b) => (b as { text: string }).text);
  assert.deepEqual(headings, ['Analyses', 'Folder']);
  const all = texts(doc);
  assert.ok(all.includes('"Case"'));
  assert.ok(all.includes('< 0.5') && all.includes('≥ 0.85'), 'thresholds in force, defaults included');
  for (const a of agg.analyses) assert.ok(all.includes(a.analysis_id));
  assert.equal(doc.blocks.some((b) => b.kind === 'images'), false, 'no picture sections asked for');

  const full = buildReportDocument({ report_id: 'r1', generated_at: 1_800_000_000, agg, images, config: defaultConfig, template: template({}) });
  const fullText = texts(full);
  assert.ok(fullText.includes('Same person: scar matches the document') && fullText.includes('operator@bank.test'));
  assert.ok(fullText.includes('tx-2026-0042'));
  const pictures = full.blocks.flatMap((b) => (b.kind === 'images' ? b.items : []));
  assert.equal(pictures.length, 2 + 4 + 2, 'two photos, four best shots, two matched persons');
  assert.ok(pictures.length <= MAX_REPORT_IMAGES);

  // Russian labels from the language alone.
  const ru = buildReportDocument({ report_id: 'r1', generated_at: 1_800_000_000, agg, images, config: defaultConfig, template: template({ language: 'ru' }) });
  assert.equal(ru.title, 'Отчёт о биометрической проверке');
});

test('content hash: covers text and pictures, stable for the same input', async () => {
  const { agg, images } = await reportBenchFolder();
  const input = { report_id: 'r1', generated_at: 1_800_000_000, agg, images, config: defaultConfig, template: template({}) };
  const a = buildReportDocument(input);
  const b = buildReportDocument(input);
  const hashRow = a.footer.rows.at(-1)!;
  assert.match(hashRow[1], /^[0-9a-f]{64}$/);
  assert.equal(hashRow[1], b.footer.rows.at(-1)![1]);
  // Recomputable: the hash is over the document without its own row.
  a.footer.rows.pop();
  assert.equal(contentSha256(a), hashRow[1]);
  // A changed picture or a changed time changes it.
  const otherImages = { ...images, media: new Map([...images.media].map(([k, v], i) => [k, i === 0 ? Buffer.concat([v, Buffer.from([0])]) : v])) };
  assert.notEqual(buildReportDocument({ ...input, images: otherImages }).footer.rows.at(-1)![1], hashRow[1]);
  assert.notEqual(buildReportDocument({ ...input, generated_at: 1_800_000_001 }).footer.rows.at(-1)![1], hashRow[1]);
});

test('renderer: a valid PDF whose text holds the folder, the analyses and the hash; bad pictures are skipped', async () => {
  const { agg, images } = await reportBenchFolder();
  images.media.set(agg.media[0]!.media_id, Buffer.from('not an image'));
  const doc = buildReportDocument({ report_id: 'r-unit', generated_at: 1_800_000_000, agg, images, config: defaultConfig, template: BUILTIN_TEMPLATES[1]! });
  const pdf = await new PdfReportRenderer().render(doc);
  assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
  const parser = new PDFParse({ data: pdf });
  const text = (await parser.getText()).text.replace(/\s+/g, ' ');
  await parser.destroy();
  assert.ok(text.includes(agg.folder.folder_id));
  assert.ok(text.includes('Отчёт о биометрической идентификации'), 'Cyrillic prints');
  assert.ok(text.includes(doc.footer.rows.at(-1)![1]));
  for (const a of agg.analyses) assert.ok(text.includes(a.analysis_id), a.analysis_id);
  assert.match(text, /Стр\. 1 \/ \d/);
  // A logo wider than tall still renders.
  const wide = await sharp({ create: { width: 2000, height: 100, channels: 3, background: '#333' } }).png().toBuffer();
  assert.equal((await new PdfReportRenderer().render({ ...doc, logo: { bytes: wide, caption: '' }, header: { bytes: wide, caption: '' } })).subarray(0, 5).toString(), '%PDF-');
});

test('file name: contains folder_id and the UTC time', () => {
  assert.equal(reportFileName('f-1', 1_800_000_000.25), 'report_f-1_20270115T080000Z.pdf');
});
