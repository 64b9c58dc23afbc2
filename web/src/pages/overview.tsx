/** Every region as a card: health, score, latency now and over the hour, registration, calls, active. */
import { useState } from 'preact/hooks';
import { ApiError, GEO, post, type Fault } from '../api';
import { ResultLine, Sparkline, StateBadge, type Result } from '../components';
import { ago, ms } from '../format';
import { loadDemo, useStore } from '../store';

const FAULTS: { id: Fault; label: string }[] = [
  { id: 'none', label: 'Repair' },
  { id: 'blackhole', label: 'Blackhole' },
  { id: 'error-503', label: 'Answer 503' },
  { id: 'slow', label: 'Answer slowly' },
  { id: 'refuse-registration', label: 'Refuse registration' },
];

function DemoControls({ region }: { region: string }) {
  const s = useStore();
  const [result, setResult] = useState<Result>(null);
  const fault = s.demo?.regions.find((r) => r.name === region)?.fault ?? 'none';
  const set = async (f: Fault) => {
    try {
      await post(`/demo/regions/${encodeURIComponent(region)}/fault`, { fault: f });
      setResult({ kind: 'ok', text: f === 'none' ? `${region} repaired` : `${region}: ${f}` });
      await loadDemo();
    } catch (e) {
      setResult({ kind: 'error', text: e instanceof ApiError ? e.message : String(e) });
    }
  };
  return (
    <div class="demo-controls" role="group" aria-label={`Demo: break or repair ${region}`}>
      <span class="muted small">Demo provider: {fault === 'none' ? 'working' : fault}</span>
      <div class="button-row">
        {FAULTS.map((f) => (
          <button
            type="button"
            key={f.id}
            class={f.id === 'none' ? 'secondary small-btn' : 'danger-outline small-btn'}
            aria-pressed={fault === f.id}
            aria-label={`${f.label} ${region}`}
            disabled={s.role !== 'admin'}
            onClick={() => void set(f.id)}
          >
            {f.label}
          </button>
        ))}
      </div>
      <ResultLine result={result} />
    </div>
  );
}

export function OverviewPage() {
  const s = useStore();
  if (s.regions.length === 0) return <p>No regions are configured yet.</p>;
  return (
    <>
      {s.demo && (
        <section class="card demo-summary" aria-labelledby="demo-title">
          <h2 id="demo-title">Demo PBX</h2>
          <p>
            <span data-testid="demo-placed">{s.demo.calls.placed}</span> calls placed ·{' '}
            <span data-testid="demo-answered">{s.demo.calls.answered}</span> answered ·{' '}
            <strong data-testid="demo-failed">{s.demo.calls.failed}</strong> failed ·{' '}
            {s.demo.calls.in_progress} in progress. Break the active region below and watch the failover.
          </p>
        </section>
      )}
      <ul class="regions" aria-label="Regions">
        {s.regions.map((r) => {
          const h = s.health[r.name];
          const m = s.metrics[r.name];
          const latest = h?.checks[0];
          return (
            <li
              key={r.name}
              class={`card region ${r.is_active ? 'active' : ''} state-border-${r.health_state}`}
              data-region={r.name}
              aria-labelledby={`region-${r.name}`}
            >
              <div class="region-head">
                <h2 id={`region-${r.name}`}>{r.name}</h2>
                {r.is_active ? (
                  <span class="active-tag" data-testid="active-tag">
                    <span aria-hidden="true">★</span> ACTIVE
                  </span>
                ) : (
                  <span class="muted small">standby · priority {r.priority}</span>
                )}
              </div>
              <div class="region-state">
                <StateBadge state={r.health_state} />
                <span class="muted small">{h?.reason ?? ''}</span>
              </div>
              <dl class="facts">
                <div>
                  <dt>Health score</dt>
                  <dd>{h?.score === null || h?.score === undefined ? '—' : h.score.toFixed(2)}</dd>
                </div>
                <div>
                  <dt>Latency now</dt>
                  <dd>{latest && !latest.success ? 'no answer' : ms(latest?.latency_ms)}</dd>
                </div>
                <div>
                  <dt>Registration</dt>
                  <dd>{h?.registration ?? '—'}</dd>
                </div>
                <div>
                  <dt>Last check</dt>
                  <dd>{ago(r.last_check)}</dd>
                </div>
                <div>
                  <dt>Calls handled</dt>
                  <dd>{m?.calls_handled ?? '—'}</dd>
                </div>
                <div>
                  <dt>{r.is_active ? 'Active since' : 'State since'}</dt>
                  <dd>{r.is_active ? ago(s.active?.active_since) : ago(h?.state_since)}</dd>
                </div>
              </dl>
              <div class="spark-row">
                <span class="muted small">Latency, last hour</span>
                <Sparkline
                  series={s.latency[r.name]}
                  label={`${r.name} latency over the last hour, average ${ms(m?.average_latency_ms)}`}
                />
              </div>
              {s.demo && <DemoControls region={r.name} />}
            </li>
          );
        })}
      </ul>
      <section class="card" aria-labelledby="feed-title">
        <h2 id="feed-title">Live events</h2>
        {s.feed.length === 0 ? (
          <p class="muted">Nothing has happened since you signed in. Events appear here as they happen.</p>
        ) : (
          <ol class="feed" aria-live="polite" data-testid="feed">
            {s.feed.slice(0, 12).map((e) => (
              <li key={e.id}>
                <span class="muted mono">#{e.id}</span>{' '}
                <span class="mono">{new Date(String(e.data['time'])).toLocaleTimeString()}</span>{' '}
                <strong>{e.type}</strong> {describe(e.type, e.data)}
              </li>
            ))}
          </ol>
        )}
        <p class="muted small">
          Scripts can follow the same stream:{' '}
          <code>
            curl -N -H "Authorization: Bearer $TOKEN" {location.origin}
            {GEO}/events/stream
          </code>
        </p>
      </section>
    </>
  );
}

function describe(type: string, d: Record<string, unknown>): string {
  switch (type) {
    case 'health':
      return `${String(d['region'])}: ${String(d['from'])} → ${String(d['to'])} (${String(d['reason'])})`;
    case 'active_region':
      return `${String(d['from'] ?? '—')} → ${String(d['to'])}: ${String(d['reason'])}`;
    case 'failover':
      return `${String(d['from_region'] ?? '—')} → ${String(d['to_region'])} by ${String(d['initiated_by'] ?? 'geored')}`;
    case 'call':
      return `${String(d['to_uri'])} via ${String(d['region'] ?? 'no region')}: ${String(d['final_status'] ?? '')}`;
    case 'simulation':
      return `${String(d['region'])} ${d['running'] ? `simulated down until ${String(d['until'])}` : 'drill over'}`;
    case 'scheduled_failover':
      return `${String(d['action'])}: to ${String(d['target_region'])}`;
    default:
      return String(d['reason'] ?? '');
  }
}
