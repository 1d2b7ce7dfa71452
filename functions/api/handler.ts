// The zip Lambda behind every JSON endpoint. Thin: parse, call the core, shape the answer.
import { analysisStatistics } from '../../layers/core/statistics';
import { authenticate, authorize, clientConfig, endSession, issueOwnServiceToken, issueServiceToken, listSessions, logout, refresh } from '../../layers/core/auth';
import { listAudit } from '../../layers/core/audit';
import { changePassword, createCompany, createUser, deleteCompany, deleteUser, getCompany, getUser, listCompanies, listUsers, patchCompany, patchUser } from '../../layers/core/admin';
import { getAnalysis, listFolderAnalyses, parseAnalysesRequest, startAnalyses } from '../../layers/core/analyses';
import { badStructure } from '../../layers/core/errors';
import { getFolder, getMedia, listFolders } from '../../layers/core/folders';
import { listDeliveries, readWebhookSecret, rotateWebhookSecret } from '../../layers/core/webhooks';
import { createCollection, getCollection, getPerson, listCollections, listPersonImages, listPersons } from '../../layers/core/collections';
import { createUpload } from '../../layers/core/uploads';
import { getUsage, getUsageQuota, setUsageQuota } from '../../layers/core/metering';
import { patchAnalysisMeta, patchCollectionMeta, patchFolderMeta, patchMediaMeta, patchPersonMeta } from '../../layers/core/metadata';
import { decideAnalysis, patchFolderOperatorFields, resolutionEndpoint } from '../../layers/core/decisions';
import { createReportTemplate, getReport, getReportTemplate, listFolderReports, listReportTemplateAttachments, listReportTemplates, patchReportTemplate } from '../../layers/core/reports/reports';
import { listEventSessions, recordEventSession } from '../../layers/core/event-sessions';
import { coreDeps } from '../wiring';
import { json, jsonBody, type Request } from './http';
import { boolParam, intParam, timeParam, timeWindow } from './query';
import { createRouter, type Operation } from './router';
import { openApiDocument } from './schemas/openapi';
import type { RouteKey } from './route-table';

/**
 * {"status": "ok"}, with details when the runtime announced its liveness model (npm start does):
 * the model in use and, on the fallback to fr_liveness, the warning.
 */
export function healthcheck(env: NodeJS.ProcessEnv): { status: 'ok'; details?: { liveness_model: string; warning?: string } } {
  if (!env.OZ_LIVENESS_IN_USE) return { status: 'ok' };
  return { status: 'ok', details: { liveness_model: env.OZ_LIVENESS_IN_USE, ...(env.OZ_LIVENESS_WARNING ? { warning: env.OZ_LIVENESS_WARNING } : {}) } };
}

const caller = (req: Request) => authenticate(coreDeps(), req.headers['x-forensic-access-token']);
const page = (req: Request) => ({ offset: intParam(req.query, 'offset', 0, 1_000_000), limit: intParam(req.query, 'limit', 100, 1000) });

const serviceToken: Operation = async (req) => json(200, await issueServiceToken(coreDeps(), await caller(req), req.params['user_id']!));

export const operations: Partial<Record<RouteKey, Operation>> = {
  'GET /api/healthcheck': async () => json(200, healthcheck(process.env)),
  'GET /api/openapi.json': async () => json(200, openApiDocument()),

  'POST /api/authorize/auth': async (req) => {
    const body = jsonBody(req) as { credentials?: { email?: unknown; password?: unknown } };
    const email = body?.credentials?.email;
    const password = body?.credentials?.password;
    if (typeof email !== 'string' || typeof password !== 'string') {
      throw badStructure('The body must be {"credentials": {"email": "...", "password": "..."}}');
    }
    return json(200, await authorize(coreDeps(), email, password));
  },
  'POST /api/authorize/refresh': async (req) => {
    const body = jsonBody(req, { required: false }) as { expire_token?: unknown };
    return json(200, await refresh(coreDeps(), req.headers['x-forensic-access-token'], body?.expire_token));
  },
  'POST /api/authorize/logout': async (req) => {
    await logout(coreDeps(), await caller(req));
    return json(204, null);
  },
  'GET /api/config': async (req) => {
    await caller(req);
    return json(200, clientConfig(coreDeps()));
  },
  'GET /api/audit': async (req) =>
    json(200, await listAudit(coreDeps(), await caller(req), { object_type: req.query['object_type'], object_id: req.query['object_id'], ...page(req) })),
  'GET /api/event_sessions': async (req) => {
    const who = await caller(req);
    const created = timeWindow(req.query, 'time_created');
    const updated = timeWindow(req.query, 'time_updated');
    return json(
      200,
      await listEventSessions(coreDeps(), who, {
        ...page(req),
        time_created: timeParam(req.query, 'time_created'),
        time_created_min: created.min,
        time_created_max: created.max,
        time_updated: timeParam(req.query, 'time_updated'),
        time_updated_min: updated.min,
        time_updated_max: updated.max,
        session_id: req.query['session_id'],
        session_id_exclude: req.query['session_id.exclude'],
        sorting: req.query['sorting'],
        total_omit: boolParam(req.query, 'total_omit'),
      }),
    );
  },
  'POST /api/event_sessions': async (req) => json(201, await recordEventSession(coreDeps(), await caller(req), jsonBody(req))),
  'GET /api/authorize/service_token': async (req) => json(200, await issueOwnServiceToken(coreDeps(), await caller(req))),
  'POST /api/authorize/service_token': async (req) => json(200, await issueOwnServiceToken(coreDeps(), await caller(req))),
  'GET /api/authorize/service_token/{user_id}': serviceToken,
  'POST /api/authorize/service_token/{user_id}': serviceToken,

  'POST /api/companies': async (req) => json(201, await createCompany(coreDeps(), await caller(req), jsonBody(req))),
  'GET /api/companies': async (req) =>
    json(200, await listCompanies(coreDeps(), await caller(req), { search_text: req.query['search_text'], ...page(req) })),
  'GET /api/companies/{company_id}': async (req) => json(200, await getCompany(coreDeps(), await caller(req), req.params['company_id']!)),
  'PATCH /api/companies/{company_id}': async (req) => json(200, await patchCompany(coreDeps(), await caller(req), req.params['company_id']!, jsonBody(req))),
  'DELETE /api/companies/{company_id}': async (req) => {
    await deleteCompany(coreDeps(), await caller(req), req.params['company_id']!);
    return json(204, null);
  },

  'GET /api/companies/{company_id}/webhook_secret': async (req) => json(200, await readWebhookSecret(coreDeps(), await caller(req), req.params['company_id']!)),
  'POST /api/companies/{company_id}/webhook_secret': async (req) => json(200, await rotateWebhookSecret(coreDeps(), await caller(req), req.params['company_id']!)),
  'GET /api/usage': async (req) =>
    json(200, await getUsage(coreDeps(), await caller(req), { month: req.query['month'], from: req.query['from'], to: req.query['to'], company_id: req.query['company_id'] })),
  'GET /api/statistics': async (req) => json(200, await analysisStatistics(coreDeps(), await caller(req), { days: req.query['days'], company_id: req.query['company_id'] })),
  'GET /api/companies/{company_id}/usage_quota': async (req) => json(200, await getUsageQuota(coreDeps(), await caller(req), req.params['company_id']!)),
  'PUT /api/companies/{company_id}/usage_quota': async (req) => {
    const who = await caller(req);
    return json(200, await setUsageQuota(coreDeps(), who, req.params['company_id']!, jsonBody(req)));
  },

  'POST /api/users': async (req) => json(201, await createUser(coreDeps(), await caller(req), jsonBody(req))),
  'GET /api/users': async (req) => json(200, await listUsers(coreDeps(), await caller(req), page(req))),
  'GET /api/users/{user_id}': async (req) => json(200, await getUser(coreDeps(), await caller(req), req.params['user_id']!)),
  'DELETE /api/users/{user_id}': async (req) => {
    await deleteUser(coreDeps(), await caller(req), req.params['user_id']!);
    return json(204, null);
  },
  'POST /api/users/{user_id}/change-password': async (req) =>
    json(200, await changePassword(coreDeps(), await caller(req), req.params['user_id']!, jsonBody(req))),
  'GET /api/users/{user_id}/sessions': async (req) => json(200, await listSessions(coreDeps(), await caller(req), req.params['user_id']!, page(req))),
  'DELETE /api/users/{user_id}/sessions/{session_id}': async (req) => {
    await endSession(coreDeps(), await caller(req), req.params['user_id']!, req.params['session_id']!);
    return json(204, null);
  },

  'GET /api/folders': async (req) => {
    const who = await caller(req);
    const created = timeWindow(req.query, 'time_created');
    const analysed = timeWindow(req.query, 'analyse.time_created');
    return json(
      200,
      await listFolders(coreDeps(), who, {
        ...page(req),
        with_analyses: boolParam(req.query, 'with_analyses'),
        time_created_min: created.min,
        time_created_max: created.max,
        analyse_type: req.query['analyse.type'] ?? req.query['analysis.type'],
        analyse_resolution_status: req.query['analyse.resolution_status'] ?? req.query['analysis.resolution_status'],
        meta_data: req.query['meta_data'],
        with_results_media_filter: boolParam(req.query, 'with_results_media_filter'),
        analyse_time_created: timeParam(req.query, 'analyse.time_created'),
        analyse_time_created_min: analysed.min,
        analyse_time_created_max: analysed.max,
        results_data: req.query['results_data'],
        results_media_results_data: req.query['results_media_results_data'],
        analyse_results_data: req.query['analyse.results_data'],
      }),
    );
  },
  'GET /api/folders/{folder_id}': async (req) =>
    json(200, await getFolder(coreDeps(), await caller(req), req.params['folder_id']!, boolParam(req.query, 'with_analyses'))),
  'POST /api/folders/{folder_id}/analyses': async (req) => {
    const who = await caller(req);
    const body = jsonBody(req);
    const requests = parseAnalysesRequest(body);
    const endpoint = (body as { resolution_endpoint?: unknown }).resolution_endpoint;
    return json(201, await startAnalyses(coreDeps(), who, req.params['folder_id']!, requests, endpoint === undefined ? undefined : resolutionEndpoint(endpoint)));
  },
  'GET /api/folders/{folder_id}/analyses': async (req) =>
    json(
      200,
      await listFolderAnalyses(coreDeps(), await caller(req), req.params['folder_id']!, {
        type: req.query['type'],
        resolution_status: req.query['resolution_status'],
      }),
    ),
  'GET /api/folders/{folder_id}/webhooks': async (req) => json(200, await listDeliveries(coreDeps(), await caller(req), req.params['folder_id']!)),
  'GET /api/media/{media_id}': async (req) => json(200, await getMedia(coreDeps(), await caller(req), req.params['media_id']!)),
  'GET /api/analyses/{analysis_id}': async (req) => json(200, await getAnalysis(coreDeps(), await caller(req), req.params['analysis_id']!)),
  'PATCH /api/analyses/{analysis_id}': async (req) => json(200, await decideAnalysis(coreDeps(), await caller(req), req.params['analysis_id']!, jsonBody(req))),
  'PATCH /api/folders/{folder_id}': async (req) => json(200, await patchFolderOperatorFields(coreDeps(), await caller(req), req.params['folder_id']!, jsonBody(req))),
  'PATCH /api/users/{user_id}': async (req) => json(200, await patchUser(coreDeps(), await caller(req), req.params['user_id']!, jsonBody(req))),
  'PATCH /api/folders/{folder_id}/meta_data': async (req) => json(200, await patchFolderMeta(coreDeps(), await caller(req), req.params['folder_id']!, jsonBody(req))),
  'PATCH /api/media/{media_id}/meta_data': async (req) => json(200, await patchMediaMeta(coreDeps(), await caller(req), req.params['media_id']!, jsonBody(req))),
  'PATCH /api/analyses/{analysis_id}/meta_data': async (req) => json(200, await patchAnalysisMeta(coreDeps(), await caller(req), req.params['analysis_id']!, jsonBody(req))),
  'PATCH /api/collections/{collection_id}/meta_data': async (req) =>
    json(200, await patchCollectionMeta(coreDeps(), await caller(req), req.params['collection_id']!, jsonBody(req))),
  'PATCH /api/collections/{collection_id}/persons/{person_id}/meta_data': async (req) =>
    json(200, await patchPersonMeta(coreDeps(), await caller(req), req.params['collection_id']!, req.params['person_id']!, jsonBody(req))),
  'POST /api/uploads': async (req) => {
    const who = await caller(req);
    const body = jsonBody(req, { required: false }) as { content_type?: unknown } | null;
    return json(201, await createUpload(coreDeps(), who, body?.content_type));
  },

  'POST /api/collections': async (req) => json(201, await createCollection(coreDeps(), await caller(req), jsonBody(req))),
  'GET /api/collections': async (req) => json(200, await listCollections(coreDeps(), await caller(req))),
  'GET /api/collections/{collection_id}': async (req) => json(200, await getCollection(coreDeps(), await caller(req), req.params['collection_id']!)),
  'GET /api/collections/{collection_id}/persons': async (req) => json(200, await listPersons(coreDeps(), await caller(req), req.params['collection_id']!)),
  'GET /api/collections/{collection_id}/persons/{person_id}': async (req) =>
    json(200, await getPerson(coreDeps(), await caller(req), req.params['collection_id']!, req.params['person_id']!)),
  'GET /api/collections/{collection_id}/persons/{person_id}/images': async (req) =>
    json(200, await listPersonImages(coreDeps(), await caller(req), req.params['collection_id']!, req.params['person_id']!)),

  'POST /api/report_templates': async (req) => json(201, await createReportTemplate(coreDeps(), await caller(req), jsonBody(req))),
  'GET /api/report_templates': async (req) => json(200, await listReportTemplates(coreDeps(), await caller(req))),
  'GET /api/report_templates/{report_template_id}': async (req) => json(200, await getReportTemplate(coreDeps(), await caller(req), req.params['report_template_id']!)),
  'PATCH /api/report_templates/{report_template_id}': async (req) =>
    json(200, await patchReportTemplate(coreDeps(), await caller(req), req.params['report_template_id']!, jsonBody(req))),
  'GET /api/report_templates/{report_template_id}/attachments': async (req) =>
    json(200, await listReportTemplateAttachments(coreDeps(), await caller(req), req.params['report_template_id']!)),
  'GET /api/folders/{folder_id}/reports': async (req) => json(200, await listFolderReports(coreDeps(), await caller(req), req.params['folder_id']!)),
  'GET /api/reports/{report_id}': async (req) => json(200, await getReport(coreDeps(), await caller(req), req.params['report_id']!)),
};

export const handler = createRouter('api', operations as Record<string, Operation>);
