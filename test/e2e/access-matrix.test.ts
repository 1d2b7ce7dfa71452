// The access matrix over HTTP, generated from the same table the checks read (ACCESS_MATRIX):
// every role tries every operation on every object kind and gets exactly what the table says
// (2xx when allowed, 403 when it may read the object, 404 when it may not even read it). Then
// every route is tried by every role of a foreign company with the other company's ids: all of
// them answer exactly as for an id that does not exist, and no list leaks a foreign id.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import { ADMIN, OzClient, sharedFile, startRuntime, type Answer, createLoggedInUser } from '../support/local';
import type { LocalRuntime } from '../../infra/local/runtime';
import { ROUTES } from '../../functions/api/route-table';
import { ROUTE_SCHEMAS } from '../../functions/api/schemas/routes';
import { can, type Action, type ObjectKind, type Target } from '../../layers/core/permissions';
import { SYSTEM_COMPANY_ID, type UserType } from '../../layers/core/entities';

const FACE = 'faces/face_recognition/examples/obama.jpg';
const FACE2 = 'faces/face_recognition/examples/obama2.jpg';
const skip = !sharedFile(FACE) || !sharedFile(FACE2) ? `../shared/data is absent (${FACE})` : false;
const PASSWORD = 'matrix-password-1';
const COMPANY_ROLES = ['CLIENT', 'CLIENT_SERVICE', 'CLIENT_OPERATOR', 'CLIENT_ADMIN'] as const;

interface Actor {
  type: UserType;
  http: OzClient;
  user_id: string;
  company_id: string;
}

/** One company's objects: a folder with two photos and an OPERATOR_REQUIRED analysis, a collection with a person. */
interface World {
  company_id: string;
  actors: Record<(typeof COMPANY_ROLES)[number], Actor>;
  folder_id: string;
  media_id: string;
  analysis_id: string;
  collection_id: string;
  person_id: string;
  image_id: string;
  session_id: string;
  report_template_id: string;
  attachment_id: string;
  report_id: string;
  /** An SDK event session recorded by the company's CLIENT (GET /api/event_sessions must not leak it). */
  event_session_id: string;
  meta_value: string;
}

let runtime: LocalRuntime;
let admin: Actor;
let operator: Actor;
let a: World;
let b: World;
const photo = (file = FACE, field = 'photo1') => ({ field, name: 'face.jpg', bytes: fs.readFileSync(sharedFile(file)!) });

async function newActor(type: UserType, companyId: string, tag: string): Promise<Actor> {
  const email = `${tag}-${type.toLowerCase()}-${randomUUID().slice(0, 8)}@matrix.test`;
  const { client, id } = await createLoggedInUser(runtime.url, admin.http, { email, password: PASSWORD }, { company_id: companyId, user_type: type });
  return { type, http: client, user_id: id, company_id: companyId };
}

async function ok(answer: Promise<Answer> | Answer, what: string): Promise<any> {
  const res = await answer;
  assert.ok(res.status >= 200 && res.status < 300, `${what}: ${res.status} ${res.text}`);
  return res.body;
}

async function finishedAnalysis(actor: Actor, folderId: string, analyses: unknown[]): Promise<any> {
  const [started] = await ok(actor.http.request('POST', `/api/folders/${folderId}/analyses`, { json: { analyses } }), 'start analysis');
  return actor.http.waitForAnalysis(started.analysis_id, 90_000);
}

async function buildWorld(tag: string): Promise<World> {
  const company_id = (await ok(admin.http.request('POST', '/api/companies', { json: { name: `Matrix ${tag}` } }), 'company')).company_id;
  const actors = {} as World['actors'];
  for (const type of COMPANY_ROLES) actors[type] = await newActor(type, company_id, tag);
  const meta_value = `txn-${tag}-${randomUUID()}`;
  const folder = await ok(actors.CLIENT.http.upload('/api/folders', [photo(FACE, 'a'), photo(FACE2, 'b')], { 'folder:meta_data': { transaction_id: meta_value } }), 'folder');
  // Any band holding the score leaves the decision to an operator.
  const analysis = await finishedAnalysis(actors.CLIENT, folder.folder_id, [{ type: 'biometry', params: { threshold_min: 0, threshold_max: 1 } }]);
  assert.equal(analysis.resolution_status, 'OPERATOR_REQUIRED', JSON.stringify(analysis));
  const collection = await ok(actors.CLIENT_ADMIN.http.request('POST', '/api/collections', { json: { alias: `bl-${tag}`, company_id } }), 'collection');
  const person = await ok(actors.CLIENT_ADMIN.http.upload(`/api/collections/${collection.collection_id}/persons`, [photo()]), 'person');
  const images = await ok(actors.CLIENT_ADMIN.http.request('GET', `/api/collections/${collection.collection_id}/persons/${person.person_id}/images`), 'images');
  const sessions = await ok(actors.CLIENT_ADMIN.http.request('GET', `/api/users/${actors.CLIENT_ADMIN.user_id}/sessions`), 'sessions');
  const sessionList = Array.isArray(sessions) ? sessions : sessions.items;
  const template = await ok(actors.CLIENT_ADMIN.http.request('POST', '/api/report_templates', { json: { name: `rt-${tag}` } }), 'report template');
  const logo = await ok(actors.CLIENT_ADMIN.http.upload(`/api/report_templates/${template.report_template_id}/attachments`, [{ ...photo(), field: 'logo' }]), 'attachment');
  const report = await ok(actors.CLIENT.http.request('POST', `/api/folders/${folder.folder_id}/reports`), 'report');
  const eventSession = await ok(actors.CLIENT.http.request('POST', '/api/event_sessions', { json: { session_id: `evs-${tag}-${randomUUID()}`, events: [{ event: 'liveness_started' }] } }), 'event session');
  return {
    company_id,
    actors,
    folder_id: folder.folder_id,
    media_id: folder.media[0].media_id,
    analysis_id: analysis.analysis_id,
    collection_id: collection.collection_id,
    person_id: person.person_id,
    image_id: images[0].media_id ?? images[0].person_image_id,
    session_id: sessionList[0].session_id,
    report_template_id: template.report_template_id,
    attachment_id: logo.attachment_id,
    report_id: report.report_id,
    event_session_id: eventSession.session_id,
    meta_value,
  };
}

before(async () => {
  if (skip) return;
  runtime = await startRuntime();
  const http = new OzClient(runtime.url);
  const login = await http.login(ADMIN.email, ADMIN.password);
  admin = { type: 'ADMIN', http, user_id: login.body.user?.user_id ?? login.body.user_id, company_id: SYSTEM_COMPANY_ID };
  operator = await newActor('OPERATOR', SYSTEM_COMPANY_ID, 'global');
  a = await buildWorld('a');
  b = await buildWorld('b');
});
after(async () => {
  await runtime?.stop();
});

/** One operation of the matrix: what it is about and how to try it (fresh objects for deletions). */
interface Op {
  kind: ObjectKind;
  action: Action;
  target: (actor: Actor) => Target;
  run: (actor: Actor) => Promise<Answer>;
}

const inA = (owner?: () => string) => () => ({ company_id: a.company_id, owner_id: owner?.() ?? null });
const folderOwner = () => a.actors.CLIENT.user_id;
const uniqueEmail = () => `new-${randomUUID().slice(0, 8)}@matrix.test`;

const OPS: Op[] = [
  { kind: 'COMPANY', action: 'read', target: inA(), run: (x) => x.http.request('GET', `/api/companies/${a.company_id}`) },
  { kind: 'COMPANY', action: 'update', target: inA(), run: (x) => x.http.request('PATCH', `/api/companies/${a.company_id}`, { json: { name: 'Matrix a' } }) },
  { kind: 'FOLDER', action: 'create', target: (x) => ({ company_id: x.company_id, owner_id: x.user_id }), run: (x) => x.http.upload('/api/folders', [photo()]) },
  { kind: 'FOLDER', action: 'read', target: inA(folderOwner), run: (x) => x.http.request('GET', `/api/folders/${a.folder_id}`) },
  { kind: 'FOLDER', action: 'update', target: inA(folderOwner), run: (x) => x.http.request('PATCH', `/api/folders/${a.folder_id}/meta_data`, { json: { touched_by: x.type } }) },
  {
    kind: 'FOLDER',
    action: 'delete',
    target: inA(folderOwner),
    run: async (x) => {
      const fresh = await ok(a.actors.CLIENT.http.upload('/api/folders', [photo()]), 'fresh folder');
      return x.http.request('DELETE', `/api/folders/${fresh.folder_id}/pi`);
    },
  },
  {
    kind: 'FOLDER',
    action: 'delete',
    target: inA(folderOwner),
    run: async (x) => {
      const fresh = await ok(a.actors.CLIENT.http.upload('/api/folders', [photo()]), 'fresh folder');
      return x.http.request('DELETE', `/api/folders/${fresh.folder_id}`);
    },
  },
  {
    // Folder media: the FOLDER delete right (changelog 3.10.0).
    kind: 'FOLDER',
    action: 'delete',
    target: inA(folderOwner),
    run: async (x) => {
      const fresh = await ok(a.actors.CLIENT.http.upload('/api/folders', [photo()]), 'fresh folder');
      return x.http.request('DELETE', `/api/media/${fresh.media[0].media_id}`);
    },
  },
  { kind: 'FOLDER', action: 'resolve', target: inA(folderOwner), run: (x) => x.http.request('PATCH', `/api/folders/${a.folder_id}`, { json: { operator_comment: `seen by ${x.type}` } }) },
  { kind: 'ANALYSIS', action: 'create', target: inA(folderOwner), run: (x) => x.http.request('POST', `/api/folders/${a.folder_id}/analyses`, { json: { analyses: [{ type: 'quality' }] } }) },
  { kind: 'ANALYSIS', action: 'read', target: inA(folderOwner), run: (x) => x.http.request('GET', `/api/analyses/${a.analysis_id}`) },
  { kind: 'ANALYSIS', action: 'update', target: inA(folderOwner), run: (x) => x.http.request('PATCH', `/api/analyses/${a.analysis_id}/meta_data`, { json: { touched_by: x.type } }) },
  {
    kind: 'ANALYSIS',
    action: 'delete',
    target: inA(folderOwner),
    run: async (x) => {
      const fresh = await finishedAnalysis(a.actors.CLIENT, a.folder_id, [{ type: 'biometry' }]);
      return x.http.request('DELETE', `/api/analyses/${fresh.analysis_id}`);
    },
  },
  { kind: 'ANALYSIS', action: 'resolve', target: inA(folderOwner), run: (x) => x.http.request('PATCH', `/api/analyses/${a.analysis_id}`, { json: { resolution_status: 'SUCCESS', comment: x.type } }) },
  { kind: 'COLLECTION', action: 'create', target: inA(), run: (x) => x.http.request('POST', '/api/collections', { json: { alias: `new-${x.type}`, company_id: a.company_id } }) },
  { kind: 'COLLECTION', action: 'read', target: inA(), run: (x) => x.http.request('GET', `/api/collections/${a.collection_id}`) },
  { kind: 'COLLECTION', action: 'update', target: inA(), run: (x) => x.http.request('PATCH', `/api/collections/${a.collection_id}/meta_data`, { json: { touched_by: x.type } }) },
  {
    kind: 'COLLECTION',
    action: 'delete',
    target: inA(),
    run: async (x) => {
      const fresh = await ok(admin.http.request('POST', '/api/collections', { json: { alias: 'doomed', company_id: a.company_id } }), 'fresh collection');
      return x.http.request('DELETE', `/api/collections/${fresh.collection_id}`);
    },
  },
  { kind: 'PERSON', action: 'create', target: inA(), run: (x) => x.http.upload(`/api/collections/${a.collection_id}/persons`, [photo()]) },
  { kind: 'PERSON', action: 'read', target: inA(), run: (x) => x.http.request('GET', `/api/collections/${a.collection_id}/persons/${a.person_id}`) },
  {
    kind: 'PERSON',
    action: 'delete',
    target: inA(),
    run: async (x) => {
      const fresh = await ok(admin.http.upload(`/api/collections/${a.collection_id}/persons`, [photo()]), 'fresh person');
      return x.http.request('DELETE', `/api/collections/${a.collection_id}/persons/${fresh.person_id}`);
    },
  },
  { kind: 'PERSON_IMAGE', action: 'create', target: inA(), run: (x) => x.http.upload(`/api/collections/${a.collection_id}/persons/${a.person_id}/images`, [photo(FACE2)]) },
  { kind: 'PERSON_IMAGE', action: 'read', target: inA(), run: (x) => x.http.request('GET', `/api/collections/${a.collection_id}/persons/${a.person_id}/images`) },
  {
    kind: 'PERSON_IMAGE',
    action: 'delete',
    target: inA(),
    run: async (x) => {
      const added = await ok(admin.http.upload(`/api/collections/${a.collection_id}/persons/${a.person_id}/images`, [photo(FACE2)]), 'fresh image');
      const image = Array.isArray(added) ? added[0] : added;
      return x.http.request('DELETE', `/api/collections/${a.collection_id}/persons/${a.person_id}/images/${image.media_id ?? image.person_image_id}`);
    },
  },
  {
    kind: 'USER',
    action: 'create',
    target: inA(),
    run: (x) => x.http.request('POST', '/api/users', { json: { credentials: { email: uniqueEmail(), password: PASSWORD }, profile: { company_id: a.company_id, user_type: 'CLIENT' } } }),
  },
  { kind: 'USER', action: 'read', target: inA(folderOwner), run: (x) => x.http.request('GET', `/api/users/${a.actors.CLIENT.user_id}`) },
  { kind: 'USER', action: 'update', target: inA(folderOwner), run: (x) => x.http.request('PATCH', `/api/users/${a.actors.CLIENT.user_id}`, { json: { first_name: 'Renamed' } }) },
  {
    kind: 'USER',
    action: 'delete',
    target: inA(),
    run: async (x) => {
      const fresh = await ok(admin.http.request('POST', '/api/users', { json: { credentials: { email: uniqueEmail(), password: PASSWORD }, profile: { company_id: a.company_id, user_type: 'CLIENT' } } }), 'fresh user');
      return x.http.request('DELETE', `/api/users/${fresh.user_id}`);
    },
  },
  // "their data": every role reads and edits its own profile.
  { kind: 'USER', action: 'read', target: (x) => ({ company_id: x.company_id, owner_id: x.user_id }), run: (x) => x.http.request('GET', `/api/users/${x.user_id}`) },
  { kind: 'USER', action: 'update', target: (x) => ({ company_id: x.company_id, owner_id: x.user_id }), run: (x) => x.http.request('PATCH', `/api/users/${x.user_id}`, { json: { last_name: 'Self' } }) },
];

function expectedStatus(actor: Actor, op: Op): 'allowed' | 403 | 404 {
  const target = op.target(actor);
  if (can({ ...actor, user_type: actor.type }, op.kind, op.action, target)) return 'allowed';
  return can({ ...actor, user_type: actor.type }, op.kind, 'read', target) ? 403 : 404;
}

test('every role gets exactly what the access matrix says, for every object and operation', { skip, timeout: 600_000 }, async () => {
  const failures: string[] = [];
  for (const actor of [admin, operator, ...COMPANY_ROLES.map((r) => a.actors[r])]) {
    for (const op of OPS) {
      const expected = expectedStatus(actor, op);
      const res = await op.run(actor);
      const good = expected === 'allowed' ? res.status >= 200 && res.status < 300 : res.status === expected;
      if (!good) failures.push(`${actor.type} ${op.action} ${op.kind}: expected ${expected}, got ${res.status} ${res.text.slice(0, 160)}`);
    }
  }
  assert.deepEqual(failures, [], failures.join('\n'));
});

test('an operator decision sets resolution_operator and the folder follows; ADMIN may not decide', { skip, timeout: 120_000 }, async () => {
  const x = a.actors.CLIENT_OPERATOR;
  const folder = await ok(a.actors.CLIENT.http.upload('/api/folders', [photo(FACE, 'a'), photo(FACE2, 'b')]), 'folder');
  const analysis = await finishedAnalysis(a.actors.CLIENT, folder.folder_id, [{ type: 'biometry', params: { threshold_min: 0, threshold_max: 1 } }]);
  const before = await ok(x.http.request('GET', `/api/folders/${folder.folder_id}`), 'folder before');
  assert.equal(before.system_resolution, 'OPERATOR_REQUIRED');
  assert.equal((await admin.http.request('PATCH', `/api/analyses/${analysis.analysis_id}`, { json: { resolution_status: 'SUCCESS' } })).status, 403);
  const bad = await x.http.request('PATCH', `/api/analyses/${analysis.analysis_id}`, { json: { resolution_status: 'MAYBE' } });
  assert.equal(bad.status, 400);
  const decided = await ok(x.http.request('PATCH', `/api/analyses/${analysis.analysis_id}`, { json: { resolution_status: 'declined', comment: 'different people' } }), 'decide');
  assert.equal(decided.resolution_status, 'DECLINED');
  assert.equal(decided.resolution_operator.user_id, x.user_id);
  assert.equal(decided.resolution_operator.comment, 'different people');
  assert.ok(decided.resolution_operator.time > 0);
  const after = await ok(a.actors.CLIENT.http.request('GET', `/api/folders/${folder.folder_id}?with_analyses=true`), 'folder after');
  assert.equal(after.system_resolution, 'DECLINED');
  assert.equal(after.resolution_author_id, x.user_id);
  assert.equal(after.analyses[0].resolution_operator.resolution_status, 'DECLINED');
  const listed = await ok(a.actors.CLIENT.http.request('GET', `/api/folders/${folder.folder_id}/analyses?resolution_status=DECLINED`), 'filtered');
  assert.equal(listed.length, 1);
  // Only an OPERATOR_REQUIRED result takes a decision.
  const plain = await finishedAnalysis(a.actors.CLIENT, folder.folder_id, [{ type: 'biometry' }]);
  assert.equal((await x.http.request('PATCH', `/api/analyses/${plain.analysis_id}`, { json: { resolution_status: 'DECLINED' } })).status, 400);
  const noted = await ok(x.http.request('PATCH', `/api/folders/${folder.folder_id}`, { json: { operator_status: 'CHECKED', operator_comment: 'called the customer' } }), 'notes');
  assert.equal(noted.operator_status, 'CHECKED');
  assert.equal(noted.operator_comment, 'called the customer');
  assert.equal((await a.actors.CLIENT.http.request('PATCH', `/api/folders/${folder.folder_id}`, { json: { operator_status: 'X' } })).status, 403);
  assert.equal((await x.http.request('PATCH', `/api/folders/${folder.folder_id}`, { json: { resolution_status: 'X' } })).status, 400);
});

/** The id each path parameter takes when a foreign company aims at company A. */
const foreignId = (param: string): string => {
  const ids: Record<string, string> = {
    company_id: a.company_id,
    folder_id: a.folder_id,
    media_id: a.image_id,
    analysis_id: a.analysis_id,
    collection_id: a.collection_id,
    person_id: a.person_id,
    user_id: a.actors.CLIENT_ADMIN.user_id,
    session_id: a.session_id,
    report_template_id: a.report_template_id,
    attachment_id: a.attachment_id,
    report_id: a.report_id,
  };
  const id = ids[param];
  if (!id) throw new Error(`no foreign id for path parameter {${param}}: add one to this test`);
  return id;
};

async function tryRoute(actor: Actor, method: string, path: string, routePath: string): Promise<Answer> {
  if (ROUTE_SCHEMAS[`${method} ${routePath}` as keyof typeof ROUTE_SCHEMAS]?.body?.kind === 'multipart') return actor.http.upload(path, [photo()], {});
  // A body every route would accept, so that only the foreign id can decide the answer.
  const body =
    method === 'GET' || method === 'DELETE'
      ? undefined
      : { meta_data: { x: 1 }, name: 'x', resolution_status: 'SUCCESS', operator_comment: 'x', old_password: PASSWORD, new_password: 'Another-pass-9', password: 'Another-pass-9', analyses: [{ type: 'quality' }], monthly_analyses: 5 };
  return actor.http.request(method, path, body === undefined ? {} : { json: body });
}

test('no role of another company can read, list, change, delete or detect company A objects on any route', { skip, timeout: 600_000 }, async () => {
  const aIds = [a.company_id, a.folder_id, a.media_id, a.analysis_id, a.collection_id, a.person_id, a.image_id, a.session_id, a.report_template_id, a.attachment_id, a.report_id, a.event_session_id, a.meta_value, ...Object.values(a.actors).map((x) => x.user_id)];
  const failures: string[] = [];
  // Logging out only ends the caller's own session: it has no foreign object to aim at.
  const routes = ROUTES.filter((r) => r.fn !== 'lite' && !('open' in r && r.open) && r.path !== '/api/authorize/logout');
  for (const actor of COMPANY_ROLES.map((r) => b.actors[r])) {
    for (const route of routes) {
      const params = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
      const name = `${actor.type} ${route.method} ${route.path}`;
      if (params.length === 0) {
        // Lists and creations: nothing of company A may appear, whatever the filters.
        const path = route.method === 'GET' ? `${route.path}?meta_data=transaction_id==${a.meta_value}&company_id=${a.company_id}&object_id=${a.folder_id}` : route.path;
        const res = await tryRoute(actor, route.method, path, route.path);
        const leaked = aIds.filter((id) => res.text.includes(id));
        if (leaked.length) failures.push(`${name} leaked ${leaked.join(', ')}`);
        continue;
      }
      const foreign = await tryRoute(actor, route.method, params.reduce((p, k) => p.replace(`{${k}}`, foreignId(k)), route.path), route.path);
      const missing = await tryRoute(actor, route.method, params.reduce((p, k) => p.replace(`{${k}}`, randomUUID()), route.path), route.path);
      if (foreign.status !== 404) failures.push(`${name}: expected 404 for a foreign id, got ${foreign.status} ${foreign.text.slice(0, 120)}`);
      else if (missing.status !== 404 || foreign.body?.error_code !== missing.body?.error_code) {
        failures.push(`${name}: a foreign id answers differently from a missing one (${foreign.text.slice(0, 80)} / ${missing.status} ${missing.text.slice(0, 80)})`);
      }
      const leaked = aIds.filter((id) => foreign.text.includes(id));
      if (leaked.length) failures.push(`${name} echoed ${leaked.join(', ')}`);
    }
  }
  // Creating inside company A from company B is refused as if A did not exist.
  for (const actor of COMPANY_ROLES.map((r) => b.actors[r])) {
    const user = await actor.http.request('POST', '/api/users', { json: { credentials: { email: uniqueEmail(), password: PASSWORD }, profile: { company_id: a.company_id, user_type: 'CLIENT' } } });
    const collection = await actor.http.request('POST', '/api/collections', { json: { alias: 'sneaky', company_id: a.company_id } });
    for (const [what, res] of [['user', user], ['collection', collection]] as const) {
      if (res.status !== 404) failures.push(`${actor.type} creating a ${what} in company A: expected 404, got ${res.status}`);
    }
  }
  assert.deepEqual(failures, [], failures.join('\n'));
  // And everything of company A is still there, unchanged by the attempts.
  const owner = a.actors.CLIENT_ADMIN.http;
  for (const path of [`/api/folders/${a.folder_id}`, `/api/analyses/${a.analysis_id}`, `/api/collections/${a.collection_id}/persons/${a.person_id}`, `/api/users/${a.actors.CLIENT.user_id}`, `/api/companies/${a.company_id}`]) {
    assert.equal((await owner.request('GET', path)).status, 200, path);
  }
  const folder = await ok(owner.request('GET', `/api/folders/${a.folder_id}`), 'folder');
  assert.equal(folder.is_cleared ?? null, null);
  assert.equal(folder.meta_data.transaction_id, a.meta_value);
});
