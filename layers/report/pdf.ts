// Draws a ReportDocument (layers/core/reports/document.ts) as a PDF with pdf-lib: pure JavaScript,
// no browser, so it runs in the function that already has the images. Text uses DejaVu Sans
// (embedded as a subset) so Cyrillic, Kazakh and other Latin-extended labels print; pictures are
// shrunk to thumbnails with sharp first, which keeps a report of many photos small.
import * as fs from 'node:fs';
import * as path from 'node:path';
import fontkit from '@pdf-lib/fontkit';
import { PDFDocument, rgb, type PDFFont, type PDFImage, type PDFPage } from 'pdf-lib';
import sharp from 'sharp';
import type { ReportDocument, ReportImage, Tone } from '../core/reports/document';
import type { ReportRenderer } from '../core/ports/reports';

const PAGE = { A4: [595.28, 841.89], LETTER: [612, 792] } as const;
const MARGIN = 40;
const FOOTER_HEIGHT = 58;
const THUMB_SIDE = 360; // pixels: sharp enough printed at 120 pt
const THUMB_PT = 118;
const COLORS = {
  text: rgb(0.12, 0.12, 0.14),
  muted: rgb(0.42, 0.44, 0.48),
  rule: rgb(0.82, 0.84, 0.87),
  head: rgb(0.93, 0.94, 0.96),
  good: rgb(0.86, 0.95, 0.88),
  bad: rgb(0.99, 0.88, 0.88),
  warn: rgb(1, 0.95, 0.82),
  accent: rgb(0.11, 0.3, 0.55),
};
const toneColor = (tone: Tone) => (tone ? COLORS[tone] : null);

const fontBytes = new Map<string, { regular: Buffer; bold: Buffer }>();
/** The DejaVu fonts ship in an npm package (dejavu-fonts-ttf); a renderer's fontDir overrides where they are. */
function fonts(fontDir: string | undefined) {
  const dir = fontDir ?? path.dirname(require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf'));
  let loaded = fontBytes.get(dir);
  if (!loaded) {
    loaded = { regular: fs.readFileSync(path.join(dir, 'DejaVuSans.ttf')), bold: fs.readFileSync(path.join(dir, 'DejaVuSans-Bold.ttf')) };
    fontBytes.set(dir, loaded);
  }
  return loaded;
}

/** A thumbnail as JPEG, or null when the bytes are not a decodable picture (then only the caption prints). */
async function thumbnail(image: ReportImage, side = THUMB_SIDE): Promise<Buffer | null> {
  try {
    return await sharp(image.bytes, { limitInputPixels: 50_000_000 })
      .rotate()
      .resize(side, side, { fit: 'inside', withoutEnlargement: true })
      .flatten({ background: '#ffffff' })
      .jpeg({ quality: 82 })
      .toBuffer();
  } catch {
    return null;
  }
}

/** Lays blocks out top to bottom, adding pages as they fill; footers are drawn at the end (page n of N). */
class Layout {
  page!: PDFPage;
  y = 0;
  readonly pages: PDFPage[] = [];

  constructor(
    readonly pdf: PDFDocument,
    readonly size: readonly [number, number],
    readonly font: PDFFont,
    readonly bold: PDFFont,
  ) {
    this.newPage();
  }

  get width() {
    return this.size[0] - 2 * MARGIN;
  }

  newPage() {
    this.page = this.pdf.addPage([...this.size]);
    this.pages.push(this.page);
    this.y = this.size[1] - MARGIN;
  }

  /** Starts a new page unless `height` still fits above the footer. */
  ensure(height: number) {
    if (this.y - height < MARGIN + FOOTER_HEIGHT) this.newPage();
  }

  /** Splits text into lines that fit `width` at `size` (hard breaks on "\n"; long words are cut). */
  wrap(text: string, width: number, size: number, font = this.font): string[] {
    const lines: string[] = [];
    for (const paragraph of text.split('\n')) {
      let line = '';
      for (const word of paragraph.split(' ')) {
        const candidate = line ? `${line} ${word}` : word;
        if (font.widthOfTextAtSize(candidate, size) <= width) {
          line = candidate;
          continue;
        }
        if (line) lines.push(line);
        line = word;
        while (font.widthOfTextAtSize(line, size) > width && line.length > 1) {
          let cut = line.length - 1;
          while (cut > 1 && font.widthOfTextAtSize(line.slice(0, cut), size) > width) cut--;
          lines.push(line.slice(0, cut));
          line = line.slice(cut);
        }
      }
      lines.push(line);
    }
    return lines;
  }

  text(text: string, x: number, y: number, size: number, font = this.font, color = COLORS.text) {
    this.page.drawText(text, { x, y, size, font, color });
  }
}

export class PdfReportRenderer implements ReportRenderer {
  /** fontDir: a folder with DejaVuSans.ttf and DejaVuSans-Bold.ttf (OZ_REPORT_FONT_DIR) */
  constructor(private readonly options: { fontDir?: string } = {}) {}

  async render(document: ReportDocument): Promise<Buffer> {
    const pdf = await PDFDocument.create();
    pdf.registerFontkit(fontkit);
    const { regular, bold } = fonts(this.options.fontDir);
    const font = await pdf.embedFont(regular, { subset: true });
    const boldFont = await pdf.embedFont(bold, { subset: true });
    pdf.setTitle(document.title);
    pdf.setProducer('oz-open');
    pdf.setCreator('oz-open report renderer');
    const out = new Layout(pdf, PAGE[document.page_size], font, boldFont);
    const embed = async (image: ReportImage, side?: number): Promise<PDFImage | null> => {
      const jpeg = await thumbnail(image, side);
      return jpeg ? pdf.embedJpg(jpeg) : null;
    };

    // Header picture across the top, then the title with the logo at its right.
    if (document.header) {
      const img = await embed(document.header, 1600);
      if (img) {
        const scale = Math.min(out.width / img.width, 80 / img.height);
        out.page.drawImage(img, { x: MARGIN, y: out.y - img.height * scale, width: img.width * scale, height: img.height * scale });
        out.y -= img.height * scale + 12;
      }
    }
    let logoWidth = 0;
    if (document.logo) {
      const img = await embed(document.logo, 600);
      if (img) {
        const scale = Math.min(110 / img.width, 44 / img.height);
        logoWidth = img.width * scale + 12;
        out.page.drawImage(img, { x: MARGIN + out.width - img.width * scale, y: out.y - img.height * scale, width: img.width * scale, height: img.height * scale });
      }
    }
    const titleLines = out.wrap(document.title, out.width - logoWidth, 17, boldFont);
    for (const line of titleLines) {
      out.text(line, MARGIN, out.y - 17, 17, boldFont, COLORS.accent);
      out.y -= 22;
    }
    out.y = Math.min(out.y, out.size[1] - MARGIN - (document.header ? 0 : 48)) - 6;

    for (const block of document.blocks) {
      switch (block.kind) {
        case 'heading':
          out.ensure(40);
          out.y -= 10;
          out.text(block.text, MARGIN, out.y - 12, 12.5, boldFont, COLORS.accent);
          out.y -= 17;
          out.page.drawLine({ start: { x: MARGIN, y: out.y }, end: { x: MARGIN + out.width, y: out.y }, thickness: 0.7, color: COLORS.rule });
          out.y -= 6;
          break;
        case 'text':
          for (const line of out.wrap(block.text, out.width, 9.5)) {
            out.ensure(14);
            out.text(line, MARGIN, out.y - 10, 9.5);
            out.y -= 13;
          }
          break;
        case 'fields': {
          const labelWidth = out.width * 0.3;
          for (const [label, value] of block.rows) {
            const labels = out.wrap(label, labelWidth - 8, 9, boldFont);
            const values = out.wrap(value, out.width - labelWidth, 9);
            const height = Math.max(labels.length, values.length) * 12 + 3;
            out.ensure(height);
            labels.forEach((l, i) => out.text(l, MARGIN, out.y - 10 - i * 12, 9, boldFont, COLORS.muted));
            values.forEach((v, i) => out.text(v, MARGIN + labelWidth, out.y - 10 - i * 12, 9));
            out.y -= height;
          }
          break;
        }
        case 'table': {
          const widths = block.widths.map((w) => w * out.width);
          const drawRow = (cells: string[], font: PDFFont, size: number, fill: ReturnType<typeof rgb> | null) => {
            const wrapped = cells.map((c, i) => out.wrap(c, widths[i]! - 8, size, font));
            const height = Math.max(...wrapped.map((w) => w.length)) * (size + 3) + 7;
            out.ensure(height);
            if (fill) out.page.drawRectangle({ x: MARGIN, y: out.y - height, width: out.width, height, color: fill });
            let x = MARGIN;
            wrapped.forEach((lines, i) => {
              lines.forEach((l, j) => out.text(l, x + 4, out.y - 4 - size - j * (size + 3), size, font));
              x += widths[i]!;
            });
            out.y -= height;
            out.page.drawLine({ start: { x: MARGIN, y: out.y }, end: { x: MARGIN + out.width, y: out.y }, thickness: 0.4, color: COLORS.rule });
          };
          out.ensure(70); // a header never stands alone at the foot of a page
          drawRow(block.columns, boldFont, 8, COLORS.head);
          for (const row of block.rows) drawRow(row.cells, font, 7.5, toneColor(row.tone));
          out.y -= 4;
          break;
        }
        case 'images': {
          const perRow = Math.max(1, Math.floor((out.width + 10) / (THUMB_PT + 10)));
          const embedded = await Promise.all(block.items.map(async (item) => ({ item, img: await embed(item) })));
          for (let i = 0; i < embedded.length; i += perRow) {
            const row = embedded.slice(i, i + perRow);
            const captions = row.map(({ item }) => out.wrap(item.caption, THUMB_PT, 7).slice(0, 3));
            const height = THUMB_PT + 6 + Math.max(...captions.map((c) => c.length)) * 9 + 6;
            out.ensure(height);
            row.forEach(({ img }, j) => {
              const x = MARGIN + j * (THUMB_PT + 10);
              out.page.drawRectangle({ x, y: out.y - THUMB_PT, width: THUMB_PT, height: THUMB_PT, borderColor: COLORS.rule, borderWidth: 0.6 });
              if (img) {
                const scale = Math.min(THUMB_PT / img.width, THUMB_PT / img.height);
                const [w, h] = [img.width * scale, img.height * scale];
                out.page.drawImage(img, { x: x + (THUMB_PT - w) / 2, y: out.y - THUMB_PT + (THUMB_PT - h) / 2, width: w, height: h });
              }
              captions[j]!.forEach((line, k) => out.text(line, x, out.y - THUMB_PT - 10 - k * 9, 7, font, COLORS.muted));
            });
            out.y -= height;
          }
          break;
        }
      }
    }

    // Verification footer on every page: the report id, when, the content hash, page n of N.
    const total = out.pages.length;
    out.pages.forEach((page, i) => {
      let y = MARGIN + FOOTER_HEIGHT - 12;
      page.drawLine({ start: { x: MARGIN, y: y + 6 }, end: { x: MARGIN + out.width, y: y + 6 }, thickness: 0.6, color: COLORS.rule });
      if (document.footer.text) {
        page.drawText(out.wrap(document.footer.text, out.width, 7)[0] ?? '', { x: MARGIN, y: y - 4, size: 7, font, color: COLORS.muted });
        y -= 11;
      }
      for (const [label, value] of document.footer.rows) {
        page.drawText(`${label}: ${value}`, { x: MARGIN, y: y - 4, size: 7, font, color: COLORS.muted });
        y -= 10;
      }
      const pageText = `${document.footer.page_label} ${i + 1} / ${total}`;
      page.drawText(pageText, { x: MARGIN + out.width - font.widthOfTextAtSize(pageText, 7), y: MARGIN - 14, size: 7, font, color: COLORS.muted });
    });
    return Buffer.from(await pdf.save());
  }
}
