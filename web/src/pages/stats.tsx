// Statistics: analyses per day by type and resolution, pass/decline rates, processing-time
// percentiles (GET /api/statistics), and usage against each company's monthly quota.
import { useEffect, useRef, useState } from 'preact/hooks';
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from 'chart.js';
import type { Schema } from '../api';
import type { Who } from '../access';
import { formatDuration, formatPercent } from '../format';
import { api } from '../session';
import { ErrorNote, Loading, Table, useLoad } from '../ui';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

type Stats = Schema<'Statistics'>;
const COLORS: Record<string, string> = { SUCCESS: '#2e9d5b', DECLINED: '#d64545', OPERATOR_REQUIRED: '#e0a526', FAILED: '#7a7a7a', PROCESSING: '#4b8fd6' };
const STATUSES = ['SUCCESS', 'DECLINED', 'OPERATOR_REQUIRED', 'FAILED', 'PROCESSING'] as const;

/** Stacked bars per day for one analysis type (or all types). */
export function dailySeries(stats: Stats, type: string | null) {
  const days: string[] = [];
  for (let i = 0; i < stats.days; i++) days.push(new Date(Date.parse(`${stats.from}T00:00:00Z`) + i * 86400_000).toISOString().slice(0, 10));
  const rows = stats.series.filter((r) => type === null || r.type === type);
  return {
    labels: days.map((d) => d.slice(5)),
    datasets: STATUSES.map((s) => ({ label: s.replace('_', ' ').toLowerCase(), backgroundColor: COLORS[s], data: days.map((d) => rows.filter((r) => r.day === d).reduce((n, r) => n + r[s], 0)), stack: 'all' })),
  };
}

function DailyChart({ stats, type }: { stats: Stats; type: string | null }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!canvas.current) return;
    const chart = new Chart(canvas.current, {
      type: 'bar',
      data: dailySeries(stats, type),
      options: { responsive: true, maintainAspectRatio: false, animation: false, scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } }, plugins: { legend: { position: 'bottom' } } },
    });
    return () => chart.destroy();
  }, [stats, type]);
  return (
    <div class="chart">
      <canvas ref={canvas} role="img" aria-label={`Analyses per day${type ? ` (${type.toLowerCase()})` : ''}`} />
    </div>
  );
}

export function StatsPage({ who }: { who: Who }) {
  const [days, setDays] = useState(30);
  const [type, setType] = useState<string | null>(null);
  const stats = useLoad(() => api.get<Stats>('/api/statistics', { days }), [days]);
  // The quota is read by ADMIN (every company) and CLIENT ADMIN (theirs) only.
  const readsQuota = who.user_type === 'ADMIN' || who.user_type === 'CLIENT_ADMIN';
  const quotas = useLoad(async () => {
    if (!readsQuota) return [];
    const companies = who.user_type === 'ADMIN' ? (await api.get<Schema<'CompanyPage'>>('/api/companies', { limit: 100 })).items : [await api.get<Schema<'Company'>>(`/api/companies/${who.company_id}`)];
    return Promise.all(companies.map(async (c) => ({ company: c, quota: await api.get<Schema<'UsageQuota'>>(`/api/companies/${c.company_id}/usage_quota`).catch(() => null) })));
  }, []);
  const s = stats.data;
  return (
    <section>
      <div class="page-head">
        <h2>Statistics</h2>
        <label class="inline">
          Last{' '}
          <select aria-label="Days" value={days} onChange={(e) => setDays(Number(e.currentTarget.value))}>
            {[7, 30, 90].map((d) => (
              <option value={d}>{d} days</option>
            ))}
          </select>
        </label>
      </div>
      <ErrorNote error={stats.error} />
      {!s ? <Loading what="statistics" /> : null}
      {s ? (
        <>
          <div class="kpis">
            {s.by_type.map((t) => (
              <article class="kpi" aria-label={`${t.type} figures`}>
                <header>{t.type.toLowerCase()}</header>
                <p class="kpi-big">{t.total}</p>
                <p>
                  pass {formatPercent(t.pass_rate)} · decline {formatPercent(t.decline_rate)}
                </p>
                <small class="muted">
                  p50 {formatDuration(t.processing_seconds.p50)} · p90 {formatDuration(t.processing_seconds.p90)} · p99 {formatDuration(t.processing_seconds.p99)}
                </small>
              </article>
            ))}
            {s.by_type.length === 0 ? <p class="muted">No analysis in these days.</p> : null}
          </div>
          <nav class="chart-tabs" aria-label="Analysis type">
            {[null, ...s.by_type.map((t) => t.type)].map((t) => (
              <button class={`small ${t === type ? '' : 'outline secondary'}`} aria-pressed={t === type} onClick={() => setType(t)}>
                {t ? t.toLowerCase() : 'all types'}
              </button>
            ))}
          </nav>
          <DailyChart stats={s} type={type} />
          {s.truncated ? <p class="muted">Only the newest 20,000 folders are counted.</p> : null}
        </>
      ) : null}
      {readsQuota ? <h3>Usage against quota ({new Date().toISOString().slice(0, 7)})</h3> : null}
      <ErrorNote error={quotas.error} />
      {readsQuota && quotas.data ? (
        <Table
          label="Usage against quota"
          rows={quotas.data}
          rowKey={(r) => r.company.company_id}
          empty="No company."
          columns={[
            { title: 'Company', cell: (r) => r.company.name },
            { title: 'Started', cell: (r) => r.quota?.started ?? '—' },
            { title: 'Quota', cell: (r) => r.quota?.monthly_analyses ?? 'none' },
            {
              title: 'Used',
              cell: (r) =>
                r.quota?.monthly_analyses ? (
                  <progress value={r.quota.started} max={r.quota.monthly_analyses} aria-label={`${r.company.name} usage`} />
                ) : (
                  '—'
                ),
            },
          ]}
        />
      ) : null}
    </section>
  );
}
