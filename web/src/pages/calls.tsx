/** Recent calls (GET /api/calls), with every region each one tried. */
import { time } from '../format';
import { useStore } from '../store';

export function CallsPage() {
  const s = useStore();
  return (
    <section class="card" aria-labelledby="calls-title">
      <h2 id="calls-title">Recent calls</h2>
      <div class="table-wrap" tabIndex={0} role="region" aria-label="Calls table">
        <table data-testid="calls-table">
          <caption class="sr-only">Calls, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Started</th>
              <th scope="col">To</th>
              <th scope="col">Regions tried</th>
              <th scope="col">Carried by</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {s.calls.length === 0 ? (
              <tr>
                <td colSpan={5}>No calls yet.</td>
              </tr>
            ) : (
              s.calls.map((c) => (
                <tr key={c.call_id}>
                  <td class="nowrap">{time(c.started_at)}</td>
                  <td class="mono">{c.to_uri}</td>
                  <td>
                    {c.attempts.length === 0
                      ? '—'
                      : c.attempts.map((a, i) => (
                          <span key={i} class={`attempt attempt-${a.outcome}`}>
                            {i > 0 ? ' → ' : ''}
                            {a.region} ({a.status ?? a.outcome})
                          </span>
                        ))}
                  </td>
                  <td>{c.region ?? 'none'}</td>
                  <td>{c.final_status ?? '—'}</td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
    </section>
  );
}
