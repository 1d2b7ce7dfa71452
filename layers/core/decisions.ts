// Operator decisions: the final resolution of an analysis that ended OPERATOR_REQUIRED, and a
// folder's operator_status / operator_comment. Who may decide is the matrix's "resolve" column.
import { loadAnalysis } from './analyses';
import { recordAudit } from './audit';
import type { Caller } from './auth';
import type { CoreDeps } from './deps';
import type { JsonObject } from './entities';
import { ApiError, ErrorCode, badStructure, badValue, notFound } from './errors';
import { folderTarget, getFolder, loadFolder, presignerFor, refuseIfCleared } from './folders';
import { can, check } from './permissions';
import type { FolderFields } from './ports/folders';
import { analysisView } from './views';

export const DECISIONS = ['SUCCESS', 'DECLINED'] as const;
/** The most characters of a comment, operator_status or operator_comment. */
export const MAX_OPERATOR_TEXT = 2000;

/** PATCH /api/analyses/{id} as the route's schema passed it: the decision in upper case, whichever name it came under. */
export interface DecisionInput {
  resolution_status?: (typeof DECISIONS)[number];
  resolution?: (typeof DECISIONS)[number];
  comment?: string | null;
}

/** PATCH /api/folders/{id} as the route's schema passed it (unknown fields kept: refused here, after the folder is found). */
export interface FolderPatchInput {
  operator_status?: string | null;
  operator_comment?: string | null;
  resolution_endpoint?: string | null;
  user_id?: string;
  [field: string]: unknown;
}

/**
 * PATCH /api/analyses/{id} {"resolution_status": "SUCCESS" | "DECLINED", "comment"?}: records who
 * decided and when in resolution_operator; the analysis, its group and the folder then answer the
 * decision. Only results the system left to an operator (OPERATOR_REQUIRED) take one.
 */
export async function decideAnalysis(deps: Pick<CoreDeps, 'audit' | 'folders' | 'analyses' | 'blobs' | 'clock' | 'ids' | 'config'>, caller: Caller, analysisId: string, input: DecisionInput) {
  const { agg, analysis } = await loadAnalysis(deps, caller, analysisId);
  check(caller.user, 'ANALYSIS', 'resolve', folderTarget(agg.folder), 'Analysis');
  const wanted = (input.resolution_status ?? input.resolution)!;
  const comment = input.comment ?? null;
  if (analysis.state !== 'FINISHED' || analysis.resolution !== 'OPERATOR_REQUIRED') {
    throw notDecidable(analysis.state === 'FINISHED' ? analysis.resolution : analysis.state);
  }
  const at = deps.clock.now();
  const decision: JsonObject = {
    resolution_status: wanted,
    comment,
    user_id: caller.user.user_id,
    email: caller.user.email,
    user_type: caller.user.user_type,
    time: at,
  };
  if (!(await deps.analyses.decideAnalysis(analysis, decision, { resolution_author_id: caller.user.user_id, resolution_time: at }))) {
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

/**
 * PATCH /api/folders/{id}: the operator's notes (operator_status, operator_comment: the matrix's
 * "resolve"), the folder's webhook (resolution_endpoint) and its owner (user_id, changelog 3.18.0
 * "users can now change a folder owner (limited by permissions)"): both need the FOLDER update
 * right, and the new owner must be a user of the folder's company whom the caller may read.
 */
export async function patchFolderOperatorFields(deps: Pick<CoreDeps, 'identity' | 'audit' | 'folders' | 'blobs' | 'clock' | 'ids' | 'config'>, caller: Caller, folderId: string, body: FolderPatchInput) {
  const agg = await loadFolder(deps, caller, folderId);
  const allowed = ['operator_status', 'operator_comment', 'resolution_endpoint', 'user_id'];
  const unknown = Object.keys(body).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) throw badValue(`Only ${allowed.join(', ')} can be changed here, not ${unknown.join(', ')}`, { fields: unknown });
  const fields: FolderFields = { operator_status: body.operator_status, operator_comment: body.operator_comment };
  if (fields.operator_status !== undefined || fields.operator_comment !== undefined) {
    check(caller.user, 'FOLDER', 'resolve', folderTarget(agg.folder), 'Folder');
    refuseIfCleared(agg.folder, 'operator notes');
  }
  if (body.resolution_endpoint !== undefined) {
    check(caller.user, 'FOLDER', 'update', folderTarget(agg.folder), 'Folder');
    fields.resolution_endpoint = body.resolution_endpoint;
  }
  if (body.user_id !== undefined) {
    check(caller.user, 'FOLDER', 'update', folderTarget(agg.folder), 'Folder');
    const owner = await deps.identity.getUser(body.user_id);
    if (!owner || !can(caller.user, 'USER', 'read', { company_id: owner.company_id, owner_id: owner.user_id })) throw badValue(`User ${body.user_id} does not exist`);
    if (owner.company_id !== agg.folder.company_id) throw badValue('The new owner must be a user of the folder\'s company');
    fields.user_id = owner.user_id;
  }
  if (Object.values(fields).every((v) => v === undefined)) throw badStructure(`Send at least one of ${allowed.join(', ')}`);
  if (!(await deps.folders.setOperatorFields(agg.folder.company_id, folderId, fields, deps.clock.now()))) throw notFound('Folder');
  const changes = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as JsonObject;
  const action = fields.user_id !== undefined ? 'owner_changed' : fields.resolution_endpoint !== undefined && fields.operator_status === undefined && fields.operator_comment === undefined ? 'updated' : 'operator_fields_updated';
  await recordAudit(deps, caller.user, { object_type: 'FOLDER', object_id: folderId, company_id: agg.folder.company_id, action, changes });
  return getFolder(deps, caller, folderId, true);
}

