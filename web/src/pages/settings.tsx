// Settings: the webhook secret (show, rotate), webhook deliveries are per folder, retention and
// thresholds in force (GET /api/config), the API reference, and the report template editor.
import { useEffect, useState } from 'preact/hooks';
import type { Schema } from '../api';
import type { Who } from '../access';
import { formatDuration } from '../format';
import { api } from '../session';
import { ErrorNote, Loading, useAction, useLoad } from '../ui';
import { Audit } from './folder';

export function SettingsPage({ who }: { who: Who }) {
  const config = useLoad(() => api.get<Schema<'Config'>>('/api/config'), []);
  // ADMIN works on any company (their own is the system's): they pick one.
  const companies = useLoad(
    () => (who.user_type === 'ADMIN' ? api.get<Schema<'CompanyPage'>>('/api/companies', { limit: 200 }).then((p) => p.items) : api.get<Schema<'Company'>>(`/api/companies/${who.company_id}`).then((c) => [c])),
    [],
  );
  const [picked, setPicked] = useState<string | null>(null);
  const company = companies.data?.find((c) => c.company_id === picked) ?? companies.data?.[0];
  const [secret, setSecret] = useState<string | null>(null);
  const show = useAction(async () => setSecret((await api.get<Schema<'WebhookSecret'>>(`/api/companies/${company!.company_id}/webhook_secret`)).webhook_secret));
  const rotate = useAction(async () => setSecret((await api.post<Schema<'WebhookSecret'>>(`/api/companies/${company!.company_id}/webhook_secret`)).webhook_secret));
  const c = config.data;
  const retention = (company?.technical_meta_data as Record<string, unknown> | undefined)?.['retention_days'] as number | undefined;
  return (
    <section>
      <div class="page-head">
        <h2>Settings</h2>
        {who.user_type === 'ADMIN' && companies.data?.length ? (
          <label class="inline">
            Company{' '}
            <select
              aria-label="Company"
              value={company?.company_id}
              onChange={(e) => {
                setPicked(e.currentTarget.value);
                setSecret(null);
              }}
            >
              {companies.data.map((c) => (
                <option value={c.company_id}>{c.name}</option>
              ))}
            </select>
          </label>
        ) : null}
      </div>
      <ErrorNote error={companies.error} />
      <div class="grid-2">
        <article>
          <header>Webhook secret{company ? ` of ${company.name}` : ''}</header>
          <p class="muted">Webhooks to your resolution_endpoint are signed with this secret (HMAC-SHA256). Delivery logs are on each folder's page.</p>
          {secret ? <code class="wrap secret">{secret}</code> : <p>••••••••••••</p>}
          <div class="actions">
            <button class="secondary outline small" disabled={!company} onClick={() => void show.run()}>
              Show
            </button>
            <button class="danger outline small" disabled={!company} onClick={() => confirm('Rotate the secret? Receivers must be given the new one.') && void rotate.run()}>
              Rotate
            </button>
          </div>
          <ErrorNote error={show.error ?? rotate.error} />
        </article>
        <article>
          <header>In force</header>
          <ErrorNote error={config.error} />
          {!c ? <Loading /> : null}
          {c ? (
            <dl class="facts">
              <dt>API version</dt>
              <dd>{c.api_version}</dd>
              <dt>Session lifetime</dt>
              <dd>{formatDuration(c.session_ttl)}</dd>
              <dt>Password policy</dt>
              <dd>at least {c.password_policy.min_length} characters</dd>
              <dt>Liveness threshold</dt>
              <dd>spoofing score below {c.thresholds.threshold_spoofing} is a live person</dd>
              <dt>Matching threshold</dt>
              <dd>similarity at or above {c.thresholds.biometry_threshold} is the same person</dd>
              <dt>Operator review band</dt>
              <dd>{c.thresholds.biometry_operator_band ? `${c.thresholds.biometry_operator_band[0]} to ${c.thresholds.biometry_operator_band[1]}` : 'none (one threshold decides)'}</dd>
              <dt>Retention</dt>
              <dd>{retention !== undefined ? `folders cleared after ${retention} days` : 'the server default (OZ_RETENTION_DAYS)'}</dd>
            </dl>
          ) : null}
          <p>
            <a href="/docs" target="_blank" rel="noopener">
              API reference (/docs)
            </a>
          </p>
        </article>
      </div>
      <ReportTemplates companyId={company?.company_id} />
      <Audit />
    </section>
  );
}

type ReportTemplate = Schema<'ReportTemplate'>;
/** The fields a template's JSON editor shows: the editable format (README "Reports"), nothing else. */
const EDITABLE = ['name', 'language', 'title', 'sections', 'labels', 'metadata_keys', 'logo_attachment_id', 'header_attachment_id', 'page_size', 'footer_text'] as const;
const editable = (t: ReportTemplate) => Object.fromEntries(EDITABLE.filter((k) => t[k] !== undefined).map((k) => [k, t[k]]));

/** Report templates: pick one, edit its JSON, save (built-in ones are saved as a copy), upload a logo. */
function ReportTemplates({ companyId }: { companyId: string | undefined }) {
  const list = useLoad(() => api.get<Schema<'ReportTemplateList'>>('/api/report_templates'), []);
  const mine = (list.data ?? []).filter((t) => t.is_builtin || t.company_id === companyId);
  const [pickedId, setPickedId] = useState<string | null>(null);
  const picked = mine.find((t) => t.report_template_id === pickedId) ?? mine[0];
  const [text, setText] = useState('');
  useEffect(() => setText(picked ? JSON.stringify(editable(picked), null, 2) : ''), [picked?.report_template_id, picked?.time_updated]);
  const save = useAction(async () => {
    const body = JSON.parse(text) as Record<string, unknown>;
    const saved = picked && !picked.is_builtin
      ? await api.patch<ReportTemplate>(`/api/report_templates/${picked.report_template_id}`, body)
      : await api.post<ReportTemplate>('/api/report_templates', { ...body, logo_attachment_id: undefined, header_attachment_id: undefined, company_id: companyId });
    list.reload();
    setPickedId(saved.report_template_id);
  });
  const logo = useAction(async (file: File) => {
    const form = new FormData();
    form.append('logo', file, file.name);
    await api.upload(`/api/report_templates/${picked!.report_template_id}/attachments`, form);
    list.reload();
  });
  const remove = useAction(async () => {
    await api.del(`/api/report_templates/${picked!.report_template_id}`);
    setPickedId(null);
    list.reload();
  });
  return (
    <article>
      <header>Report templates</header>
      <p class="muted">
        What a folder's PDF report shows (format version 1, README "Reports"). Built-in templates are read-only: saving one makes a copy for this company.
      </p>
      <ErrorNote error={list.error} />
      <div class="actions">
        <select aria-label="Report template to edit" value={picked?.report_template_id} onChange={(e) => setPickedId(e.currentTarget.value)}>
          {mine.map((t) => (
            <option value={t.report_template_id}>
              {t.name}
              {t.is_builtin ? ' (built in)' : ''}
            </option>
          ))}
        </select>
      </div>
      <textarea aria-label="Template JSON" class="mono" rows={14} value={text} onInput={(e) => setText(e.currentTarget.value)} />
      <div class="actions">
        <button class="small" aria-busy={save.busy} disabled={!text} onClick={() => void save.run()}>
          {picked && !picked.is_builtin ? 'Save' : 'Save as a new template'}
        </button>
        {picked && !picked.is_builtin ? (
          <>
            <label class="file-button small">
              Upload logo
              <input type="file" accept="image/jpeg,image/png,image/webp" class="visually-hidden" onChange={(e) => e.currentTarget.files?.[0] && void logo.run(e.currentTarget.files[0])} />
            </label>
            <button class="danger outline small" onClick={() => confirm('Delete this template and its images?') && void remove.run()}>
              Delete
            </button>
          </>
        ) : null}
      </div>
      <ErrorNote error={save.error ?? logo.error ?? remove.error} />
    </article>
  );
}
