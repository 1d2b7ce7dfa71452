// Settings: the webhook secret (show, rotate), webhook deliveries are per folder, retention and
// thresholds in force (GET /api/config), and the API reference.
import { useState } from 'preact/hooks';
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
      <Audit />
    </section>
  );
}
