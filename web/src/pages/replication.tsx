/**
 * Data replication (GET .../replication/status): per region and table the state, the lag in bytes and
 * seconds, the last verification and the residency or GDPR rules that restrict it; the replication_lag
 * events as the stream brings them (each reloads the status). An empty state when it is not configured.
 */
import { useEffect, useState } from 'preact/hooks';
import { ago, time } from '../format';
import { loadReplication, useStore } from '../store';

const bytes = (n: number | null) =>
  n === null
    ? '—'
    : n < 1024
      ? `${n} B`
      : n < 1048576
        ? `${(n / 1024).toFixed(1)} KiB`
        : `${(n / 1048576).toFixed(1)} MiB`;
const seconds = (n: number | null) => (n === null ? '—' : `${n < 10 ? n.toFixed(2) : n.toFixed(0)} s`);

export function ReplicationPage() {
  const s = useStore();
  const [busy, setBusy] = useState(false);
  const refresh = async () => {
    setBusy(true);
    try {
      await loadReplication();
    } finally {
      setBusy(false);
    }
  };
  useEffect(() => void refresh(), []);
  const r = s.replication;
  if (r === null) return <p>Loading…</p>;
  if (!r.enabled)
    return (
      <section class="card" aria-labelledby="rep-empty" data-testid="replication-empty">
        <h2 id="rep-empty">Data replication is not configured</h2>
        <p>
          No region database is replicated: {r.reason}. Name each region's database (
          <code>regions[].database</code>) and enable it with{' '}
          <code>features.geographic_redundancy.data_replication</code> or <code>PUT …/data-replication</code>{' '}
          (docs/data-replication.md).
        </p>
      </section>
    );
  const lag = Object.values(s.lagEvents);
  return (
    <>
      <section class="card" aria-labelledby="rep-title">
        <h2 id="rep-title">Replication</h2>
        <p data-testid="replication-reason">{r.reason}.</p>
        <p class="muted">
          Verified every {r.sync_interval} s; last{' '}
          {r.last_verification ? `${time(r.last_verification)} (${ago(r.last_verification)})` : 'not yet'}.
        </p>
        <p>
          <button type="button" disabled={busy} onClick={() => void refresh()}>
            Refresh
          </button>
        </p>
        <ul class="plain" aria-label="Regions">
          {r.regions.map((g) => (
            <li key={g.region} data-replica-region={g.region}>
              <strong>{g.region}</strong> {g.role}
              {g.jurisdiction ? ` · ${g.jurisdiction}` : ''} ·{' '}
              {g.reachable ? 'reachable' : `unreachable${g.error ? `: ${g.error}` : ''}`}
            </li>
          ))}
        </ul>
      </section>
      {lag.length > 0 && (
        <section class="card" aria-labelledby="rep-lag" role="status">
          <h2 id="rep-lag">Lag events</h2>
          <ul class="plain" data-testid="replication-lag-events">
            {lag.map((m) => (
              <li key={m.id} class={m.data['lagging'] ? 'bad' : 'good'}>
                {time(String(m.data['time']))}: {String(m.data['reason'])}
              </li>
            ))}
          </ul>
        </section>
      )}
      <section class="card" aria-labelledby="rep-tables">
        <h2 id="rep-tables">Tables per region</h2>
        <div class="table-wrap" tabIndex={0} role="region" aria-label="Replicated tables">
          <table data-testid="replication-table">
            <caption class="sr-only">Each replicated table in each receiving region</caption>
            <thead>
              <tr>
                <th scope="col">Region</th>
                <th scope="col">Table</th>
                <th scope="col">From</th>
                <th scope="col">State</th>
                <th scope="col">Lag (bytes)</th>
                <th scope="col">Lag (seconds)</th>
                <th scope="col">Last verified</th>
                <th scope="col">Residency rules</th>
              </tr>
            </thead>
            <tbody>
              {r.tables.length === 0 ? (
                <tr>
                  <td colSpan={8}>No table is replicated yet.</td>
                </tr>
              ) : (
                r.tables.map((t) => (
                  <tr key={`${t.region}/${t.table}`} data-replica={`${t.region}/${t.table}`}>
                    <td>{t.region}</td>
                    <td class="mono">{t.table}</td>
                    <td>{t.publisher}</td>
                    <td>{t.state}</td>
                    <td class="nowrap">{bytes(t.lag_bytes)}</td>
                    <td class="nowrap">{seconds(t.lag_seconds)}</td>
                    <td class="nowrap">{t.last_verified ? time(t.last_verified) : '—'}</td>
                    <td>{t.restrictions.length === 0 ? 'none' : t.restrictions.join('; ')}</td>
                  </tr>
                ))
              )}
            </tbody>
          </table>
        </div>
      </section>
      {(r.refusals.length > 0 || r.waiting.length > 0) && (
        <section class="card" aria-labelledby="rep-refused">
          <h2 id="rep-refused">Refused or waiting</h2>
          <ul class="plain">
            {r.refusals.map((x) => (
              <li key={`${x.table}/${x.region}`}>
                {x.table} in {x.region}: {x.why}
              </li>
            ))}
            {r.waiting.map((x) => (
              <li key={x.table}>{x.why}</li>
            ))}
          </ul>
        </section>
      )}
    </>
  );
}
