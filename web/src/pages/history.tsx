/** Failover history, filtered by region, kind and time range and paged; a region's health events. */
import { useEffect, useState } from 'preact/hooks';
import { get, type RegionEvent } from '../api';
import { duration, time } from '../format';
import { useStore } from '../store';

const PAGE = 20;

export function HistoryPage() {
  const s = useStore();
  const [region, setRegion] = useState('');
  const [kind, setKind] = useState<'all' | 'automatic' | 'manual'>('all');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [page, setPage] = useState(0);
  const rows = s.history.filter((h) => {
    if (region && h.from_region !== region && h.to_region !== region) return false;
    if (kind === 'automatic' && !h.automatic) return false;
    if (kind === 'manual' && h.automatic) return false;
    const t = Date.parse(h.occurred_at);
    if (from && t < Date.parse(from)) return false;
    if (to && t > Date.parse(to)) return false;
    return true;
  });
  const pages = Math.max(1, Math.ceil(rows.length / PAGE));
  const shown = rows.slice(page * PAGE, page * PAGE + PAGE);
  useEffect(() => setPage(0), [region, kind, from, to]);
  return (
    <>
      <section class="card" aria-labelledby="hist-title">
        <h2 id="hist-title">Failover history</h2>
        <form class="filters" onSubmit={(e) => e.preventDefault()} aria-label="Filter the history">
          <label>
            Region
            <select value={region} onChange={(e) => setRegion((e.target as HTMLSelectElement).value)}>
              <option value="">All regions</option>
              {s.regions.map((r) => (
                <option key={r.name} value={r.name}>
                  {r.name}
                </option>
              ))}
            </select>
          </label>
          <label>
            Kind
            <select
              value={kind}
              onChange={(e) => setKind((e.target as HTMLSelectElement).value as typeof kind)}
            >
              <option value="all">Automatic and manual</option>
              <option value="automatic">Automatic</option>
              <option value="manual">Manual</option>
            </select>
          </label>
          <label>
            From
            <input
              type="datetime-local"
              value={from}
              onInput={(e) => setFrom((e.target as HTMLInputElement).value)}
            />
          </label>
          <label>
            To
            <input
              type="datetime-local"
              value={to}
              onInput={(e) => setTo((e.target as HTMLInputElement).value)}
            />
          </label>
        </form>
        <div class="table-wrap" tabIndex={0} role="region" aria-label="Failover history table">
          <table data-testid="history-table">
            <caption class="sr-only">Failovers, newest first</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">From</th>
                <th scope="col">To</th>
                <th scope="col">Kind</th>
                <th scope="col">Who</th>
                <th scope="col">Took</th>
                <th scope="col">Reason</th>
              </tr>
            </thead>
            <tbody>
              {shown.length === 0 ? (
                <tr>
                  <td colSpan={7}>No failover matches.</td>
                </tr>
              ) : (
                shown.map((h, i) => (
                  <tr key={`${h.occurred_at}-${i}`}>
                    <td class="nowrap">{time(h.occurred_at)}</td>
                    <td>{h.from_region ?? '—'}</td>
                    <td>{h.to_region}</td>
                    <td>{h.automatic ? 'automatic' : 'manual'}</td>
                    <td>{h.initiated_by ?? '—'}</td>
                    <td class="nowrap">{duration(h.duration_ms)}</td>
                    <td class="reason">{h.reason ?? '—'}</td>
                  </tr>
                ))
              )}
            </tbody>
          </table>
        </div>
        <div class="pager" role="group" aria-label="Pages">
          <button type="button" class="secondary" disabled={page === 0} onClick={() => setPage(page - 1)}>
            Newer
          </button>
          <span>
            Page {page + 1} of {pages} · {rows.length} failover{rows.length === 1 ? '' : 's'}
          </span>
          <button
            type="button"
            class="secondary"
            disabled={page + 1 >= pages}
            onClick={() => setPage(page + 1)}
          >
            Older
          </button>
        </div>
      </section>
      <RegionEvents />
    </>
  );
}

function RegionEvents() {
  const s = useStore();
  const [region, setRegion] = useState(s.regions[0]?.name ?? '');
  const [events, setEvents] = useState<RegionEvent[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const health = s.regions.find((r) => r.name === region)?.health_state;
  useEffect(() => {
    if (!region) return;
    get<{ events: RegionEvent[] }>(`/regions/${encodeURIComponent(region)}/events?limit=50`)
      .then((r) => {
        setEvents(r.events);
        setError(null);
      })
      .catch((e: unknown) => setError(String(e)));
  }, [region, health]);
  return (
    <section class="card" aria-labelledby="ev-title">
      <h2 id="ev-title">Health events of a region</h2>
      <label class="inline">
        Region{' '}
        <select value={region} onChange={(e) => setRegion((e.target as HTMLSelectElement).value)}>
          {s.regions.map((r) => (
            <option key={r.name} value={r.name}>
              {r.name}
            </option>
          ))}
        </select>
      </label>
      {error && <p class="result error">{error}</p>}
      <div class="table-wrap" tabIndex={0} role="region" aria-label="Region events table">
        <table>
          <caption class="sr-only">Events of {region}, newest first</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Event</th>
              <th scope="col">Change</th>
              <th scope="col">Reason</th>
            </tr>
          </thead>
          <tbody>
            {(events ?? []).length === 0 ? (
              <tr>
                <td colSpan={4}>{events === null ? 'Loading…' : 'No recorded event.'}</td>
              </tr>
            ) : (
              events!.map((e, i) => (
                <tr key={i}>
                  <td class="nowrap">{time(e.occurred_at)}</td>
                  <td>{e.kind}</td>
                  <td>
                    {e.details && 'from' in e.details
                      ? `${String(e.details['from'])} → ${String(e.details['to'])}`
                      : '—'}
                  </td>
                  <td class="reason">{e.reason ?? '—'}</td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
    </section>
  );
}
