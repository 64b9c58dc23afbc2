/** Per region: uptime, average latency, calls, failovers, last failover (get_region_metrics) and a chart. */
import { LatencyChart } from '../components';
import { ms, time } from '../format';
import { useStore } from '../store';

export function MetricsPage() {
  const s = useStore();
  const series = s.regions.map((r) => s.latency[r.name]).filter((x) => x !== undefined);
  return (
    <>
      <section class="card" aria-labelledby="m-title">
        <h2 id="m-title">Region metrics</h2>
        <div class="table-wrap" tabIndex={0} role="region" aria-label="Metrics table">
          <table>
            <caption class="sr-only">Metrics per region</caption>
            <thead>
              <tr>
                <th scope="col">Region</th>
                <th scope="col">Uptime</th>
                <th scope="col">Average latency</th>
                <th scope="col">Calls handled</th>
                <th scope="col">Failovers</th>
                <th scope="col">Last failover</th>
              </tr>
            </thead>
            <tbody>
              {s.regions.map((r) => {
                const m = s.metrics[r.name];
                return (
                  <tr key={r.name}>
                    <th scope="row">{r.name}</th>
                    <td>{m ? `${m.uptime_percentage.toFixed(2)} %` : '—'}</td>
                    <td>{ms(m?.average_latency_ms)}</td>
                    <td>{m?.calls_handled ?? '—'}</td>
                    <td>{m?.failover_count ?? '—'}</td>
                    <td class="nowrap">{time(m?.last_failover)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      </section>
      <section class="card" aria-labelledby="lat-title">
        <h2 id="lat-title">Probe latency, last hour (per minute)</h2>
        {series.length > 0 ? <LatencyChart series={series} /> : <p>No checks recorded yet.</p>}
      </section>
    </>
  );
}
