// The zip Lambda behind every JSON endpoint. Thin: each operation gets its validated input and its
// caller from the shared pipeline (pipeline.ts), calls the core and shapes the answer.
import { analysisStatistics } from '../../layers/core/statistics';
import { authorize, clientConfig, endSession, issueOwnServiceToken, issueServiceToken, listSessions, logout, refresh } from '../../layers/core/auth';
import { listAudit } from '../../layers/core/audit';
import { changePassword, createCompany, createUser, deleteCompany, deleteUser, getCompany, getUser, listCompanies, listUsers, patchCompany, patchUser } from '../../layers/core/admin';
import { getAnalysis, listFolderAnalyses, analysisRequests, startAnalyses } from '../../layers/core/analyses';
import { getFolder, getMedia, listFolders } from '../../layers/core/folders';
import { listDeliveries, readWebhookSecret, rotateWebhookSecret } from '../../layers/core/webhooks';
import { createCollection, getCollection, getPerson, listCollections, listPersonImages, listPersons } from '../../layers/core/collections';
import { createUpload } from '../../layers/core/uploads';
import { getUsage, getUsageQuota, setUsageQuota } from '../../layers/core/metering';
import { patchAnalysisMeta, patchCollectionMeta, patchFolderMeta, patchMediaMeta, patchPersonMeta } from '../../layers/core/metadata';
import { decideAnalysis, patchFolderOperatorFields } from '../../layers/core/decisions';
import { createReportTemplate, getReport, getReportTemplate, listFolderReports, listReportTemplateAttachments, listReportTemplates, patchReportTemplate } from '../../layers/core/reports/reports';
import { listEventSessions, recordEventSession } from '../../layers/core/event-sessions';
import { appConfig } from '../config';
import { json } from './http';
import { httpHandler, type Operation, type Operations } from './pipeline';
import { openApiDocument } from './schemas/openapi';

/**
 * {"status": "ok"}, with details when the runtime announced its liveness model (npm start does):
 * the model in use and, on the fallback to fr_liveness, the warning.
 */
export function healthcheck(config: { readonly [name: string]: unknown; OZ_LIVENESS_IN_USE?: string; OZ_LIVENESS_WARNING?: string }): { status: 'ok'; details?: { liveness_model: string; warning?: string } } {
  if (!config.OZ_LIVENESS_IN_USE) return { status: 'ok' };
  return { status: 'ok', details: { liveness_model: config.OZ_LIVENESS_IN_USE, ...(config.OZ_LIVENESS_WARNING ? { warning: config.OZ_LIVENESS_WARNING } : {}) } };
}

const serviceToken: Operation = async (input, who, deps) => json(200, await issueServiceToken(deps, who, input.params['user_id']!));

export const operations: Operations<'api'> = {
  'GET /api/healthcheck': async () => json(200, healthcheck(appConfig())),
  'GET /api/openapi.json': async () => json(200, openApiDocument()),

  'POST /api/authorize/auth': async (input, _open, deps) => json(200, await authorize(deps, input.body.credentials.email, input.body.credentials.password)),
  'POST /api/authorize/refresh': async (input, _open, deps) => json(200, await refresh(deps, input.request.headers['x-forensic-access-token'], input.body.expire_token)),
  'POST /api/authorize/logout': async (input, who, deps) => {
    await logout(deps, who);
    return json(204, null);
  },
  'GET /api/config': async (input, who, deps) => {
    return json(200, clientConfig(deps));
  },
  'GET /api/audit': async (input, who, deps) =>
    json(200, await listAudit(deps, who, input.query)),
  'GET /api/event_sessions': async ({ query }, who, deps) =>
    json(
      200,
      await listEventSessions(deps, who, {
        offset: query.offset,
        limit: query.limit,
        time_created: query.time_created,
        time_created_min: query['time_created.min'],
        time_created_max: query['time_created.max'],
        time_updated: query.time_updated,
        time_updated_min: query['time_updated.min'],
        time_updated_max: query['time_updated.max'],
        session_id: query.session_id,
        session_id_exclude: query['session_id.exclude'],
        sorting: query.sorting,
        total_omit: query.total_omit,
      }),
    ),
  'POST /api/event_sessions': async (input, who, deps) => json(201, await recordEventSession(deps, who, input.body)),
  'GET /api/authorize/service_token': async (input, who, deps) => json(200, await issueOwnServiceToken(deps, who)),
  'POST /api/authorize/service_token': async (input, who, deps) => json(200, await issueOwnServiceToken(deps, who)),
  'GET /api/authorize/service_token/{user_id}': serviceToken,
  'POST /api/authorize/service_token/{user_id}': serviceToken,

  'POST /api/companies': async (input, who, deps) => json(201, await createCompany(deps, who, input.body)),
  'GET /api/companies': async (input, who, deps) => json(200, await listCompanies(deps, who, input.query)),
  'GET /api/companies/{company_id}': async (input, who, deps) => json(200, await getCompany(deps, who, input.params['company_id']!)),
  'PATCH /api/companies/{company_id}': async (input, who, deps) => json(200, await patchCompany(deps, who, input.params['company_id']!, input.body)),
  'DELETE /api/companies/{company_id}': async (input, who, deps) => {
    await deleteCompany(deps, who, input.params['company_id']!);
    return json(204, null);
  },

  'GET /api/companies/{company_id}/webhook_secret': async (input, who, deps) => json(200, await readWebhookSecret(deps, who, input.params['company_id']!)),
  'POST /api/companies/{company_id}/webhook_secret': async (input, who, deps) => json(200, await rotateWebhookSecret(deps, who, input.params['company_id']!)),
  'GET /api/usage': async (input, who, deps) => json(200, await getUsage(deps, who, input.query)),
  'GET /api/statistics': async (input, who, deps) => json(200, await analysisStatistics(deps, who, input.query)),
  'GET /api/companies/{company_id}/usage_quota': async (input, who, deps) => json(200, await getUsageQuota(deps, who, input.params['company_id']!)),
  'PUT /api/companies/{company_id}/usage_quota': async (input, who, deps) =>
    json(200, await setUsageQuota(deps, who, input.params['company_id']!, input.body.monthly_analyses)),

  'POST /api/users': async (input, who, deps) => json(201, await createUser(deps, who, input.body)),
  'GET /api/users': async (input, who, deps) => json(200, await listUsers(deps, who, input.query)),
  'GET /api/users/{user_id}': async (input, who, deps) => json(200, await getUser(deps, who, input.params['user_id']!)),
  'DELETE /api/users/{user_id}': async (input, who, deps) => {
    await deleteUser(deps, who, input.params['user_id']!);
    return json(204, null);
  },
  'POST /api/users/{user_id}/change-password': async (input, who, deps) =>
    json(200, await changePassword(deps, who, input.params['user_id']!, input.body)),
  'GET /api/users/{user_id}/sessions': async (input, who, deps) => json(200, await listSessions(deps, who, input.params['user_id']!, input.query)),
  'DELETE /api/users/{user_id}/sessions/{session_id}': async (input, who, deps) => {
    await endSession(deps, who, input.params['user_id']!, input.params['session_id']!);
    return json(204, null);
  },

  'GET /api/folders': async ({ query }, who, deps) =>
    json(
      200,
      await listFolders(deps, who, {
        offset: query.offset,
        limit: query.limit,
        with_analyses: query.with_analyses,
        time_created_min: query['time_created.min'],
        time_created_max: query['time_created.max'],
        analyse_type: query['analyse.type'] ?? query['analysis.type'],
        analyse_resolution_status: query['analyse.resolution_status'] ?? query['analysis.resolution_status'],
        meta_data: query.meta_data,
        with_results_media_filter: query.with_results_media_filter,
        analyse_time_created: query['analyse.time_created'],
        analyse_time_created_min: query['analyse.time_created.min'],
        analyse_time_created_max: query['analyse.time_created.max'],
        results_data: query.results_data,
        results_media_results_data: query.results_media_results_data,
        analyse_results_data: query['analyse.results_data'],
      }),
    ),
  'GET /api/folders/{folder_id}': async (input, who, deps) => json(200, await getFolder(deps, who, input.params['folder_id']!, input.query.with_analyses)),
  'POST /api/folders/{folder_id}/analyses': async (input, who, deps) => {
    const requests = analysisRequests(input.body.analyses, input.body.params);
    return json(201, await startAnalyses(deps, who, input.params['folder_id']!, requests, input.body.resolution_endpoint));
  },
  'GET /api/folders/{folder_id}/analyses': async (input, who, deps) => json(200, await listFolderAnalyses(deps, who, input.params['folder_id']!, input.query)),
  'GET /api/folders/{folder_id}/webhooks': async (input, who, deps) => json(200, await listDeliveries(deps, who, input.params['folder_id']!)),
  'GET /api/media/{media_id}': async (input, who, deps) => json(200, await getMedia(deps, who, input.params['media_id']!)),
  'GET /api/analyses/{analysis_id}': async (input, who, deps) => json(200, await getAnalysis(deps, who, input.params['analysis_id']!)),
  'PATCH /api/analyses/{analysis_id}': async (input, who, deps) => json(200, await decideAnalysis(deps, who, input.params['analysis_id']!, input.body)),
  'PATCH /api/folders/{folder_id}': async (input, who, deps) => json(200, await patchFolderOperatorFields(deps, who, input.params['folder_id']!, input.body)),
  'PATCH /api/users/{user_id}': async (input, who, deps) => json(200, await patchUser(deps, who, input.params['user_id']!, input.body)),
  'PATCH /api/folders/{folder_id}/meta_data': async (input, who, deps) => json(200, await patchFolderMeta(deps, who, input.params['folder_id']!, input.body)),
  'PATCH /api/media/{media_id}/meta_data': async (input, who, deps) => json(200, await patchMediaMeta(deps, who, input.params['media_id']!, input.body)),
  'PATCH /api/analyses/{analysis_id}/meta_data': async (input, who, deps) => json(200, await patchAnalysisMeta(deps, who, input.params['analysis_id']!, input.body)),
  'PATCH /api/collections/{collection_id}/meta_data': async (input, who, deps) =>
    json(200, await patchCollectionMeta(deps, who, input.params['collection_id']!, input.body)),
  'PATCH /api/collections/{collection_id}/persons/{person_id}/meta_data': async (input, who, deps) =>
    json(200, await patchPersonMeta(deps, who, input.params['collection_id']!, input.params['person_id']!, input.body)),
  'POST /api/uploads': async (input, who, deps) => json(201, await createUpload(deps, who, input.body.content_type)),

  'POST /api/collections': async (input, who, deps) => json(201, await createCollection(deps, who, input.body)),
  'GET /api/collections': async (input, who, deps) => json(200, await listCollections(deps, who)),
  'GET /api/collections/{collection_id}': async (input, who, deps) => json(200, await getCollection(deps, who, input.params['collection_id']!)),
  'GET /api/collections/{collection_id}/persons': async (input, who, deps) => json(200, await listPersons(deps, who, input.params['collection_id']!)),
  'GET /api/collections/{collection_id}/persons/{person_id}': async (input, who, deps) =>
    json(200, await getPerson(deps, who, input.params['collection_id']!, input.params['person_id']!)),
  'GET /api/collections/{collection_id}/persons/{person_id}/images': async (input, who, deps) =>
    json(200, await listPersonImages(deps, who, input.params['collection_id']!, input.params['person_id']!)),

  'POST /api/report_templates': async (input, who, deps) => json(201, await createReportTemplate(deps, who, input.body)),
  'GET /api/report_templates': async (input, who, deps) => json(200, await listReportTemplates(deps, who)),
  'GET /api/report_templates/{report_template_id}': async (input, who, deps) => json(200, await getReportTemplate(deps, who, input.params['report_template_id']!)),
  'PATCH /api/report_templates/{report_template_id}': async (input, who, deps) =>
    json(200, await patchReportTemplate(deps, who, input.params['report_template_id']!, input.body)),
  'GET /api/report_templates/{report_template_id}/attachments': async (input, who, deps) =>
    json(200, await listReportTemplateAttachments(deps, who, input.params['report_template_id']!)),
  'GET /api/folders/{folder_id}/reports': async (input, who, deps) => json(200, await listFolderReports(deps, who, input.params['folder_id']!)),
  'GET /api/reports/{report_id}': async (input, who, deps) => json(200, await getReport(deps, who, input.params['report_id']!)),
};

export const handler = httpHandler('api', operations);
