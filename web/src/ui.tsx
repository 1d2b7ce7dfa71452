// The console's small component kit on top of Pico CSS: status badges, score bars, tables,
// loading and error states, and a data hook that reloads on demand.
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from './api';
import { formatScore, statusLabel, statusTone, type ScoreVerdict } from './format';

export function Badge({ status, text }: { status: string | null | undefined; text?: string }) {
  return <span class={`badge tone-${statusTone(status)}`}>{text ?? statusLabel(status)}</span>;
}

/** A score against its threshold: the bar, the marker where the threshold is, the verdict. */
export function ScoreBar({ verdict, name }: { verdict: ScoreVerdict; name: string }) {
  const pct = Math.max(0, Math.min(1, verdict.score)) * 100;
  return (
    <div class="score" title={`${name} ${formatScore(verdict.score)} (threshold ${formatScore(verdict.threshold)})`}>
      <div class="score-head">
        <span>{name}</span>
        <strong class={verdict.passes ? 'tone-text-ok' : 'tone-text-bad'}>
          {formatScore(verdict.score)} · {verdict.label}
        </strong>
      </div>
      <div class="score-track" role="meter" aria-valuemin={0} aria-valuemax={1} aria-valuenow={verdict.score} aria-label={name}>
        <div class={`score-fill ${verdict.passes ? 'fill-ok' : 'fill-bad'}`} style={{ width: `${pct}%` }} />
        <div class="score-threshold" style={{ left: `${verdict.threshold * 100}%` }} />
      </div>
      <small class="muted">threshold {formatScore(verdict.threshold)}</small>
    </div>
  );
}

export function ErrorNote({ error }: { error: unknown }) {
  if (!error) return null;
  const e = error as ApiError;
  return (
    <p class="error-note" role="alert">
      {e instanceof ApiError ? `${e.message}${e.code !== null ? ` (error ${e.code})` : ''}` : String((e as Error)?.message ?? e)}
    </p>
  );
}

export const Loading = ({ what }: { what?: string }) => <p aria-busy="true">Loading{what ? ` ${what}` : ''}…</p>;

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

/** Loads `fn` now and whenever a dependency changes; `reload()` loads again. */
export function useLoad<T>(fn: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  const latest = useRef(0);
  useEffect(() => {
    const n = ++latest.current;
    setState((s) => ({ ...s, loading: true }));
    fn().then(
      (data) => n === latest.current && setState({ data, loading: false }),
      (error: unknown) => n === latest.current && setState({ error, loading: false }),
    );
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}

/** Runs an action, keeping its busy flag and error for the form that started it. */
export function useAction<A extends unknown[]>(fn: (...args: A) => Promise<unknown>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = async (...args: A) => {
    setBusy(true);
    setError(null);
    try {
      await fn(...args);
      return true;
    } catch (e) {
      setError(e);
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { run, busy, error };
}

export function Table<T>({ rows, columns, empty, rowKey, label }: { rows: T[]; columns: { title: string; cell: (row: T) => ComponentChildren; class?: string }[]; empty: string; rowKey: (row: T) => string; label: string }) {
  if (rows.length === 0) return <p class="muted">{empty}</p>;
  return (
    <div class="table-wrap">
      <table class="striped" aria-label={label}>
        <thead>
          <tr>
            {columns.map((c) => (
              <th scope="col" class={c.class}>
                {c.title}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={rowKey(r)}>
              {columns.map((c) => (
                <td class={c.class}>{c.cell(r)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function Pager({ offset, limit, total, onPage }: { offset: number; limit: number; total: number; onPage: (offset: number) => void }) {
  if (total <= limit) return null;
  return (
    <nav class="pager" aria-label="Pages">
      <button class="secondary outline" disabled={offset === 0} onClick={() => onPage(Math.max(0, offset - limit))}>
        ← Newer
      </button>
      <span>
        {offset + 1}–{Math.min(total, offset + limit)} of {total}
      </span>
      <button class="secondary outline" disabled={offset + limit >= total} onClick={() => onPage(offset + limit)}>
        Older →
      </button>
    </nav>
  );
}

export function Field({ label, children, hint }: { label: string; children: ComponentChildren; hint?: string }) {
  return (
    <label>
      {label}
      {children}
      {hint ? <small>{hint}</small> : null}
    </label>
  );
}

/** A photo that may be missing (cleared folder) or expired. */
export function Thumb({ src, alt, large }: { src: string | null | undefined; alt: string; large?: boolean }) {
  if (!src) return <div class={`thumb placeholder ${large ? 'large' : ''}`}>no image</div>;
  return <img class={`thumb ${large ? 'large' : ''}`} src={src} alt={alt} loading="lazy" />;
}
