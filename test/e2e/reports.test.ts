// PDF reports and report templates over HTTP on the local runtime: each role's rights per the
// access matrix, attachments, a real folder (liveness with best shot, biometry, a collection match)
// rendered to PDF and read back with a PDF parser, and PI clearing taking the reports with it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { PDFDocument, PDFDict, PDFName, PDFRawStream } from 'pdf-lib';
import { PDFParse } from 'pdf-parse';
import sharp from 'sharp';
import { ADMIN, OzClient, createLoggedInUser, sharedFile, startRuntime } from '../support/local';
import type { LocalRuntime } from '../../infra/local/runtime';
import { SYSTEM_COMPANY_ID } from '../../layers/core/entities';
import { ACTION_SHOTS_TEMPLATE_ID, DEFAULT_TEMPLATE_ID } from '../../layers/core/reports/template';

const OBAMA = 'faces/face_recognition/examples/obama.jpg';
const OBAMA2 = 'faces/face_recognition/examples/obama2.jpg';
const BIDEN = 'faces/face_recognition/examples/biden.jpg';
const missing = [OBAMA, OBAMA2, BIDEN].filter((f) => !sharedFile(f));
const skip = missing.length ? `../shared/data is absent (${missing[0]})` : false;

let runtime: LocalRuntime;
let admin: OzClient;
const u: Record<string, OzClient> = {};
let companyA: string;
let folderId: string;
let analyses: { analysis_id: string; type: string; resolution_status: string }[] = [];

const photo = (field: string, f: string) => ({ field, name: `${field}.jpg`, bytes: fs.readFileSync(sharedFile(f)!) });

async function pdfText(bytes: Buffer): Promise<string> {
  const parser = new PDFParse({ data: bytes });
  try {
    return (await parser.getText()).text.replace(/\s+/g, ' ');
  } finally {
    await parser.destroy();
  }
}

/** Image XObjects drawn on the pages: what a reader would see as pictures. */
async function pdfImageCount(bytes: Buffer): Promise<number> {
  const pdf = await PDFDocument.load(bytes);
  let count = 0;
  for (const page of pdf.getPages()) {
    const xobjects = page.node.Resources()?.lookup(PDFName.of('XObject'));
    if (!(xobjects instanceof PDFDict)) continue;
    for (const ref of xobjects.values()) {
      const obj = pdf.context.lookup(ref);
      if (obj instanceof PDFRawStream && obj.dict.get(PDFName.of('Subtype')) === PDFName.of('Image')) count++;
    }
  }
  return count;
}

const download = async (url: string) => {
  const res = await fetch(url);
  return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()), type: res.headers.get('content-type') };
};

before(async () => {
  if (skip) return;
  runtime = await startRuntime();
  admin = new OzClient(runtime.url);
  await admin.login(ADMIN.email, ADMIN.password);
  companyA = (await admin.request('POST', '/api/companies', { json: { name: 'Reports A' } })).body.company_id;
  const companyB = (await admin.request('POST', '/api/companies', { json: { name: 'Reports B' } })).body.company_id;
  const systemCompany = SYSTEM_COMPANY_ID;
  const make = async (name: string, type: string, company: string) => {
    u[name] = (await createLoggedInUser(runtime.url, admin, { email: `${name.toLowerCase()}@reports.test`, password: 'reports-pass-1' }, { company_id: company, user_type: type })).client;
  };
  await make('CLIENT_ADMIN', 'CLIENT_ADMIN', companyA);
  await make('CLIENT', 'CLIENT', companyA);
  await make('CLIENT2', 'CLIENT', companyA);
  await make('CLIENT_OPERATOR', 'CLIENT_OPERATOR', companyA);
  await make('CLIENT_SERVICE', 'CLIENT_SERVICE', companyA);
  await make('OPERATOR', 'OPERATOR', systemCompany);
  await make('OUTSIDER', 'CLIENT_ADMIN', companyB);

  // A blacklist holding Obama, and a CLIENT's folder with two photos of him: liveness with best
  // shot, biometry, and a collection search that finds him.
  const collection = (await u.CLIENT_ADMIN!.request('POST', '/api/collections', { json: { alias: 'watchlist', company_id: companyA } })).body.collection_id;
  const enrolled = await u.CLIENT_ADMIN!.upload(`/api/collections/${collection}/persons`, [photo('photo1', OBAMA)], { 'media:tags': { photo1: ['photo_selfie'] } });
  assert.equal(enrolled.status, 201, enrolled.text);
  const folder = await u.CLIENT!.upload('/api/folders', [photo('selfie', OBAMA2), photo('other', OBAMA)], {
    'media:tags': { selfie: ['photo_selfie'], other: ['photo_selfie'] },
    'folder:meta_data': { transaction_id: 'tx-42', person: { iin: '900101300123' } },
  });
  assert.equal(folder.status, 201, folder.text);
  folderId = folder.body.folder_id;
  const started = await u.CLIENT!.request('POST', `/api/folders/${folderId}/analyses`, {
    json: { analyses: [{ type: 'quality', params: { extract_best_shot: true } }, { type: 'biometry' }, { type: 'collection', params: { collection_id: collection } }] },
  });
  assert.equal(started.status, 201, started.text);
  analyses = await Promise.all(started.body.map((a: { analysis_id: string }) => u.CLIENT!.waitForAnalysis(a.analysis_id, 120_000)));
});
after(async () => {
  await runtime?.stop();
});

test('report templates: built-ins for everyone, CRUD per the access matrix, the format validated', { skip }, async () => {
  const listed = await u.CLIENT!.request('GET', '/api/report_templates');
  assert.equal(listed.status, 200);
  assert.deepEqual(listed.body.slice(0, 2).map((t: { report_template_id: string }) => t.report_template_id), [DEFAULT_TEMPLATE_ID, ACTION_SHOTS_TEMPLATE_ID]);

  // CLIENT and CLIENT SERVICE read templates only.
  assert.equal((await u.CLIENT!.request('POST', '/api/report_templates', { json: { name: 'mine' } })).status, 403);
  assert.equal((await u.CLIENT_SERVICE!.request('POST', '/api/report_templates', { json: { name: 'mine' } })).status, 403);

  const made = await u.CLIENT_ADMIN!.request('POST', '/api/report_templates', {
    json: { name: 'Compliance', sections: ['summary', 'analyses', 'media', 'collection_matches', 'metadata'], metadata_keys: ['transaction_id'], labels: { folder_id: 'Case number' }, footer_text: 'Filed by Reports A' },
  });
  assert.equal(made.status, 201, made.text);
  assert.equal(made.body.company_id, companyA);
  assert.equal(made.body.format_version, 1);
  assert.equal(made.body.language, 'en');
  assert.equal(made.body.is_builtin, false);

  // The format is checked: an unknown section or field, a wrong version.
  for (const bad of [{ name: 'x', sections: ['summary', 'horoscope'] }, { name: 'x', colour: 'red' }, { name: 'x', format_version: 2 }, { sections: ['summary'] }]) {
    const res = await u.CLIENT_ADMIN!.request('POST', '/api/report_templates', { json: bad });
    assert.equal(res.status, 400, `${JSON.stringify(bad)}: ${res.text}`);
  }

  // CLIENT OPERATOR creates and edits, but does not delete; OPERATOR creates for any company.
  const byOperator = await u.CLIENT_OPERATOR!.request('POST', '/api/report_templates', { json: { name: 'Ops' } });
  assert.equal(byOperator.status, 201);
  const patched = await u.CLIENT_OPERATOR!.request('PATCH', `/api/report_templates/${byOperator.body.report_template_id}`, { json: { language: 'ru', sections: ['summary'] } });
  assert.equal(patched.status, 200, patched.text);
  assert.deepEqual([patched.body.language, patched.body.sections, patched.body.name], ['ru', ['summary'], 'Ops']);
  assert.equal((await u.CLIENT_OPERATOR!.request('DELETE', `/api/report_templates/${byOperator.body.report_template_id}`)).status, 403);
  const global = await u.OPERATOR!.request('POST', '/api/report_templates', { json: { name: 'For A', company_id: companyA } });
  assert.equal(global.status, 201, global.text);
  assert.equal(global.body.company_id, companyA);

  // Built-ins are read-only; other companies' templates are invisible.
  assert.equal((await u.CLIENT_ADMIN!.request('PATCH', `/api/report_templates/${DEFAULT_TEMPLATE_ID}`, { json: { name: 'hijack' } })).status, 403);
  assert.equal((await u.CLIENT_ADMIN!.request('DELETE', `/api/report_templates/${DEFAULT_TEMPLATE_ID}`)).status, 403);
  assert.equal((await u.OUTSIDER!.request('GET', `/api/report_templates/${made.body.report_template_id}`)).status, 404);
  assert.equal((await u.OUTSIDER!.request('PATCH', `/api/report_templates/${made.body.report_template_id}`, { json: { name: 'x' } })).status, 404);
  const outsiderList = await u.OUTSIDER!.request('GET', '/api/report_templates');
  assert.ok(!outsiderList.body.some((t: { company_id: string }) => t.company_id === companyA));
  assert.equal((await u.CLIENT!.request('GET', `/api/report_templates/${made.body.report_template_id}`)).status, 200);

  // CLIENT ADMIN deletes.
  assert.equal((await u.CLIENT_ADMIN!.request('DELETE', `/api/report_templates/${global.body.report_template_id}`)).status, 204);
  assert.equal((await u.CLIENT!.request('GET', `/api/report_templates/${global.body.report_template_id}`)).status, 404);
});

test('template attachments: a logo is used at once; oversized and non-image files are refused', { skip }, async () => {
  const t = (await u.CLIENT_ADMIN!.request('POST', '/api/report_templates', { json: { name: 'Branded' } })).body;
  const logo = await sharp({ create: { width: 300, height: 100, channels: 3, background: { r: 20, g: 90, b: 160 } } }).png().toBuffer();
  const up = await u.CLIENT_ADMIN!.upload(`/api/report_templates/${t.report_template_id}/attachments`, [{ field: 'logo', name: 'logo.png', bytes: logo }]);
  assert.equal(up.status, 201, up.text);
  assert.deepEqual([up.body.kind, up.body.content_type, up.body.width, up.body.height], ['logo', 'image/png', 300, 100]);
  assert.equal((await download(up.body.url)).bytes.length, logo.length);
  const after = await u.CLIENT!.request('GET', `/api/report_templates/${t.report_template_id}`);
  assert.equal(after.body.logo_attachment_id, up.body.attachment_id);
  assert.equal((await u.CLIENT!.request('GET', `/api/report_templates/${t.report_template_id}/attachments`)).body.length, 1);

  // CLIENT may read attachments but not add them; CLIENT OPERATOR adds, only CLIENT ADMIN deletes.
  assert.equal((await u.CLIENT!.upload(`/api/report_templates/${t.report_template_id}/attachments`, [{ field: 'logo', name: 'l.png', bytes: logo }])).status, 403);
  const header = await u.CLIENT_OPERATOR!.upload(`/api/report_templates/${t.report_template_id}/attachments`, [{ field: 'file', name: 'h.png', bytes: logo }], { kind: 'header' });
  assert.equal(header.status, 201, header.text);
  assert.equal((await u.CLIENT_OPERATOR!.request('DELETE', `/api/report_templates/${t.report_template_id}/attachments/${header.body.attachment_id}`)).status, 403);

  const big = Buffer.alloc(3 * 1024 * 1024, 7);
  const tooBig = await u.CLIENT_ADMIN!.upload(`/api/report_templates/${t.report_template_id}/attachments`, [{ field: 'logo', name: 'big.png', bytes: big }]);
  assert.equal(tooBig.status, 413, tooBig.text);
  const text = await u.CLIENT_ADMIN!.upload(`/api/report_templates/${t.report_template_id}/attachments`, [{ field: 'logo', name: 'logo.txt', bytes: Buffer.from('not a picture at all') }]);
  assert.equal(text.status, 400, text.text);
  assert.equal(text.body.error_code, 5);
  const noKind = await u.CLIENT_ADMIN!.upload(`/api/report_templates/${t.report_template_id}/attachments`, [{ field: 'file', name: 'x.png', bytes: logo }]);
  assert.equal(noKind.status, 400);
  assert.equal((await u.CLIENT_ADMIN!.request('PATCH', `/api/report_templates/${t.report_template_id}`, { json: { logo_attachment_id: header.body.attachment_id } })).status, 400);

  // Deleting the logo takes it out of the template.
  assert.equal((await u.CLIENT_ADMIN!.request('DELETE', `/api/report_templates/${t.report_template_id}/attachments/${up.body.attachment_id}`)).status, 204);
  assert.equal((await u.CLIENT!.request('GET', `/api/report_templates/${t.report_template_id}`)).body.logo_attachment_id, null);
});

test('a CLIENT generates the report of its own folder: the PDF shows the folder, every analysis and the pictures', { skip }, async () => {
  const t = (await u.CLIENT_ADMIN!.request('POST', '/api/report_templates', { json: { name: 'With logo', metadata_keys: ['transaction_id', 'person.iin'] } })).body;
  const logo = await sharp({ create: { width: 240, height: 80, channels: 3, background: { r: 200, g: 40, b: 40 } } }).jpeg().toBuffer();
  assert.equal((await u.CLIENT_ADMIN!.upload(`/api/report_templates/${t.report_template_id}/attachments`, [{ field: 'logo', name: 'logo.jpg', bytes: logo }])).status, 201);

  const made = await u.CLIENT!.request('POST', `/api/folders/${folderId}/reports`, { json: { report_template_id: t.report_template_id } });
  assert.equal(made.status, 201, made.text);
  assert.ok(made.body.file_name.includes(folderId) && made.body.file_name.endsWith('.pdf'), made.body.file_name);
  const file = await download(made.body.file_url);
  assert.equal(file.status, 200);
  assert.equal(file.bytes.subarray(0, 5).toString(), '%PDF-');
  assert.equal(file.bytes.length, made.body.size);
  const text = await pdfText(file.bytes);
  assert.ok(text.includes(folderId), 'the folder id is printed');
  assert.equal(analyses.length, 3);
  for (const a of analyses) {
    assert.ok(text.includes(a.analysis_id), `analysis ${a.analysis_id} is listed`);
    assert.ok(text.includes(a.resolution_status), `its result ${a.resolution_status} is printed`);
  }
  assert.ok(text.includes('tx-42') && text.includes('900101300123'), 'the chosen metadata keys are printed');
  assert.ok(text.includes(made.body.report_id) && text.includes(made.body.content_sha256), 'the verification footer');
  // The logo, the two photos, the best shot and the matched person's photo.
  assert.ok((await pdfImageCount(file.bytes)) >= 5, `images: ${await pdfImageCount(file.bytes)}`);

  // The built-in action-shot template (Russian labels) and the default one.
  const ru = await u.CLIENT!.request('POST', `/api/folders/${folderId}/reports`, { json: { report_template_id: ACTION_SHOTS_TEMPLATE_ID } });
  assert.equal(ru.status, 201, ru.text);
  assert.ok((await pdfText((await download(ru.body.file_url)).bytes)).includes('Отчёт о биометрической идентификации'));
  const plain = await u.CLIENT!.request('POST', `/api/folders/${folderId}/reports/`);
  assert.equal(plain.status, 201, plain.text);
  assert.equal(plain.body.report_template_id, DEFAULT_TEMPLATE_ID);

  // Listing and reading: the owner, the company's service and operators; not another CLIENT, not another company.
  const listed = await u.CLIENT!.request('GET', `/api/folders/${folderId}/reports`);
  assert.deepEqual(listed.body.map((r: { report_id: string }) => r.report_id), [made.body.report_id, ru.body.report_id, plain.body.report_id]);
  assert.equal((await u.CLIENT_SERVICE!.request('GET', `/api/reports/${made.body.report_id}`)).status, 200);
  assert.equal((await u.OPERATOR!.request('GET', `/api/reports/${made.body.report_id}`)).status, 200);
  assert.equal((await u.CLIENT2!.request('GET', `/api/reports/${made.body.report_id}`)).status, 404);
  assert.equal((await u.CLIENT2!.request('POST', `/api/folders/${folderId}/reports`)).status, 404);
  assert.equal((await u.OUTSIDER!.request('GET', `/api/reports/${made.body.report_id}`)).status, 404);
  assert.equal((await u.OUTSIDER!.request('GET', `/api/folders/${folderId}/reports`)).status, 404);

  // Another company's template cannot print this folder.
  const foreign = (await u.OUTSIDER!.request('POST', '/api/report_templates', { json: { name: 'B' } })).body;
  assert.equal((await u.CLIENT!.request('POST', `/api/folders/${folderId}/reports`, { json: { report_template_id: foreign.report_template_id } })).status, 404);
  assert.equal((await admin.request('POST', `/api/folders/${folderId}/reports`, { json: { report_template_id: foreign.report_template_id } })).status, 400);

  // Only ADMIN and CLIENT ADMIN delete reports.
  assert.equal((await u.CLIENT!.request('DELETE', `/api/reports/${plain.body.report_id}`)).status, 403);
  assert.equal((await u.CLIENT_OPERATOR!.request('DELETE', `/api/reports/${plain.body.report_id}`)).status, 403);
  assert.equal((await u.CLIENT_ADMIN!.request('DELETE', `/api/reports/${plain.body.report_id}`)).status, 204);
  assert.equal((await u.CLIENT!.request('GET', `/api/reports/${plain.body.report_id}`)).status, 404);
  assert.equal((await download(plain.body.file_url)).status, 404);
});

test('PI clearing deletes the folder reports, files and records', { skip }, async () => {
  const made = await u.CLIENT_OPERATOR!.request('POST', `/api/folders/${folderId}/reports`);
  assert.equal(made.status, 201, made.text);
  assert.ok((await u.CLIENT!.request('GET', `/api/folders/${folderId}/reports`)).body.length >= 1);
  const cleared = await u.CLIENT_ADMIN!.request('DELETE', `/api/folders/${folderId}/pi`);
  assert.equal(cleared.status, 200, cleared.text);
  assert.deepEqual((await u.CLIENT!.request('GET', `/api/folders/${folderId}/reports`)).body, []);
  assert.equal((await u.CLIENT!.request('GET', `/api/reports/${made.body.report_id}`)).status, 404);
  assert.equal((await download(made.body.file_url)).status, 404);
  // A report of the cleared folder says so and prints no picture of it.
  const after = await u.CLIENT!.request('POST', `/api/folders/${folderId}/reports`);
  assert.equal(after.status, 201);
  const bytes = (await download(after.body.file_url)).bytes;
  assert.ok((await pdfText(bytes)).includes('cleared of personal information'));
  assert.equal(await pdfImageCount(bytes), 0);
});

test('deleting a folder deletes its reports, files and records', { skip }, async () => {
  const folder = await u.CLIENT!.upload('/api/folders', [photo('selfie', OBAMA)], { 'media:tags': { selfie: ['photo_selfie'] } });
  assert.equal(folder.status, 201, folder.text);
  const made = await u.CLIENT!.request('POST', `/api/folders/${folder.body.folder_id}/reports`);
  assert.equal(made.status, 201, made.text);
  assert.equal((await download(made.body.file_url)).status, 200);
  assert.equal((await u.CLIENT_ADMIN!.request('DELETE', `/api/folders/${folder.body.folder_id}`)).status, 204);
  assert.equal((await u.CLIENT_ADMIN!.request('GET', `/api/reports/${made.body.report_id}`)).status, 404);
  assert.equal((await download(made.body.file_url)).status, 404);
});
