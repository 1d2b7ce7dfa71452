// Operator decisions: the final resolution of an analysis that ended OPERATOR_REQUIRED, and a
// folder's operator_status / operator_comment. Who may decide is the matrix's "resolve" column.
import { loadAnalysis } from './analyses';
import { recordAudit } from './audit';
import type { Caller } from './auth';
import type { CoreDeps } from './deps';
import { isJsonObject, type JsonObject } from './entities';
import { ApiError, ErrorCode, badStructure, badValue, notFound } from './errors';
import { folderTarget, getFolder, loadFolder, presignerFor, refuseIfCleared } from './folders';
import { check } from './permissions';
import { analysisView } from './views';

const DECISIONS = ['SUCCESS', 'DECLINED'] as const;
const MAX_COMMENT = 2000;


function optionalText(body: JsonObject, name: string): string | null | undefined {
  const value = body[name];
  if (value === undefined || value === null) return value;
  if (typeof value !== 'string') throw badValue(`${name} must be a string or null`);
  if (value.length > MAX_COMMENT) throw badValue(`${name} is at most ${MAX_COMMENT} characters`);
  return value;
}

/**
 * PATCH /api/analyses/{id} {"resolution_status": "SUCCESS" | "DECLINED", "comment"?}: records who
 * decided and when in resolution_operator; the analysis, its group and the folder then answer the
 * decision. Only results the system left to an operator (OPERATOR_REQUIRED) take one.
 */
export async function decideAnalysis(deps: CoreDeps, caller: Caller, analysisId: string, body: unknown) {
  const { agg, analysis } = await loadAnalysis(deps, caller, analysisId);
  check(caller.user, 'ANALYSIS', 'resolve', folderTarget(agg.folder), 'Analysis');
  if (!isJsonObject(body)) throw badStructure('The body must be {"resolution_status": "SUCCESS" | "DECLINED", "comment": "..."}');
  const wanted = body['resolution_status'] ?? body['resolution'];
  if (typeof wanted !== 'string' || !(DECISIONS as readonly string[]).includes(wanted.toUpperCase())) {
    throw badValue(`resolution_status must be one of ${DECISIONS.join(', ')}`);
  }
  const comment = optionalText(body, 'comment') ?? null;
  if (analysis.state !== 'FINISHED' || analysis.resolution !== 'OPERATOR_REQUIRED') {
    throw notDecidable(analysis.state === 'FINISHED' ? analysis.resolution : analysis.state);
  }
  const at = deps.clock.now();
  const decision: JsonObject = {
    resolution_status: wanted.toUpperCase(),
    comment,
    user_id: caller.user.user_id,
    email: caller.user.email,
    user_type: caller.user.user_type,
    time: at,
  };
  if (!(await deps.store.decideAnalysis(analysis, decision, { resolution_author_id: caller.user.user_id, resolution_time: at }))) {
    throw notFound('Analysis');
  }
  await recordAudit(deps, caller.user, {
    object_type: 'FOLDER',
    object_id: agg.folder.folder_id,
    company_id: agg.folder.company_id,
    action: 'analysis_decided',
    changes: { analysis_id: analysis.analysis_id, resolution_status: decision['resolution_status']!, comment },
  });
  const decided = { ...analysis, resolution_operator: decision };
  return analysisView(decided, new Map(agg.media.map((m) => [m.media_id, m])), presignerFor(deps));
}

const notDecidable = (status: string | null) =>
  new ApiError(400, ErrorCode.INVALID_VALUE, `Only an analysis that finished OPERATOR_REQUIRED takes an operator's decision; this one is ${status}`);

/** PATCH /api/folders/{id} {"operator_status"?, "operator_comment"?}: the operator's notes on a folder. */
export async function patchFolderOperatorFields(deps: CoreDeps, caller: Caller, folderId: string, body: unknown) {
  const agg = await loadFolder(deps, caller, folderId);
  check(caller.user, 'FOLDER', 'resolve', folderTarget(agg.folder), 'Folder');
  refuseIfCleared(agg.folder, 'operator notes');
  if (!isJsonObject(body)) throw badStructure('The body must be {"operator_status": "...", "operator_comment": "..."}');
  const unknown = Object.keys(body).filter((k) => k !== 'operator_status' && k !== 'operator_comment');
  if (unknown.length > 0) throw badValue(`Only operator_status and operator_comment can be changed here, not ${unknown.join(', ')}`, { fields: unknown });
  const fields = { operator_status: optionalText(body, 'operator_status'), operator_comment: optionalText(body, 'operator_comment') };
  if (fields.operator_status === undefined && fields.operator_comment === undefined) throw badStructure('Send operator_status and/or operator_comment');
  if (!(await deps.store.setOperatorFields(agg.folder.company_id, folderId, fields, deps.clock.now()))) throw notFound('Folder');
  const changes = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as JsonObject;
  await recordAudit(deps, caller.user, { object_type: 'FOLDER', object_id: folderId, company_id: agg.folder.company_id, action: 'operator_fields_updated', changes });
  return getFolder(deps, caller, folderId, true);
}
