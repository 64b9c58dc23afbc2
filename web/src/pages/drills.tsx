/** Scheduled failovers (create, list, cancel) and the DR drill (simulate a failure for N seconds). */
import { useState } from 'preact/hooks';
import { ApiError, del, post } from '../api';
import { ResultLine, type Result } from '../components';
import { time } from '../format';
import { loadHealth, loadScheduled, useStore } from '../store';

const message = (e: unknown) =>
  e instanceof ApiError ? `${e.message}${e.field ? ` (${e.field})` : ''} [${e.code}]` : String(e);

function Drill() {
  const s = useStore();
  const admin = s.role === 'admin';
  const [region, setRegion] = useState('');
  const [seconds, setSeconds] = useState('60');
  const [result, setResult] = useState<Result>(null);
  const chosen = region || s.active?.name || s.regions[0]?.name || '';
  const running = Object.values(s.health).filter(
    (h) => h.simulated_until && Date.parse(h.simulated_until) > Date.now(),
  );
  const start = async (e: Event) => {
    e.preventDefault();
    try {
      const r = await post<{ region: string; until: string }>('/simulate-failure', {
        region: chosen,
        duration: Number(seconds),
      });
      setResult({
        kind: 'ok',
        text: `${r.region} is simulated down until ${new Date(r.until).toLocaleTimeString()}`,
      });
      await loadHealth();
    } catch (err) {
      setResult({ kind: 'error', text: message(err) });
    }
  };
  const end = async (name: string) => {
    try {
      await post('/end-simulation', { region: name });
      setResult({ kind: 'ok', text: `Drill of ${name} ended` });
      await loadHealth();
    } catch (err) {
      setResult({ kind: 'error', text: message(err) });
    }
  };
  return (
    <section class="card" aria-labelledby="drill-title">
      <h2 id="drill-title">Disaster-recovery drill</h2>
      <p class="muted">
        Simulates a region failure: geored treats the region as DOWN for the duration (no traffic is harmed),
        fails over as it would for real, and recovers when the drill ends.
      </p>
      <form class="form-grid" onSubmit={start}>
        <label for="drill-region">Region</label>
        <select
          id="drill-region"
          value={chosen}
          disabled={!admin}
          onChange={(e) => setRegion((e.target as HTMLSelectElement).value)}
        >
          {s.regions.map((r) => (
            <option key={r.name} value={r.name}>
              {r.name}
              {r.is_active ? ' (active)' : ''}
            </option>
          ))}
        </select>
        <label for="drill-seconds">Duration (s)</label>
        <input
          id="drill-seconds"
          type="number"
          min="1"
          step="1"
          value={seconds}
          disabled={!admin}
          onInput={(e) => setSeconds((e.target as HTMLInputElement).value)}
        />
        <div />
        <button type="submit" disabled={!admin}>
          Start drill on {chosen}
        </button>
      </form>
      {running.length > 0 && (
        <ul class="plain">
          {running.map((h) => {
            const left = Math.max(0, Math.round((Date.parse(h.simulated_until!) - Date.now()) / 1000));
            return (
              <li key={h.region} class="pending">
                <span>
                  <strong>{h.region}</strong> simulated down:{' '}
                  <span role="timer" aria-live="off">
                    {left} s left
                  </span>
                </span>
                <button type="button" class="secondary" disabled={!admin} onClick={() => void end(h.region)}>
                  End drill of {h.region} now
                </button>
              </li>
            );
          })}
        </ul>
      )}
      <ResultLine result={result} />
    </section>
  );
}

function Scheduled() {
  const s = useStore();
  const admin = s.role === 'admin';
  const [target, setTarget] = useState('');
  const [start, setStart] = useState('');
  const [dur, setDur] = useState('3600');
  const [reason, setReason] = useState('');
  const [result, setResult] = useState<Result>(null);
  const chosen = target || s.regions.find((r) => !r.is_active)?.name || '';
  const create = async (e: Event) => {
    e.preventDefault();
    try {
      const when = start ? new Date(start).toISOString() : '';
      const r = await post<{ id: number }>('/scheduled-failovers', {
        target_region: chosen,
        start_time: when,
        duration: Number(dur),
        ...(reason.trim() ? { reason: reason.trim() } : {}),
      });
      setResult({ kind: 'ok', text: `Scheduled failover ${r.id} created` });
      await loadScheduled();
    } catch (err) {
      setResult({ kind: 'error', text: message(err) });
    }
  };
  const cancel = async (id: number) => {
    try {
      await del(`/scheduled-failovers/${id}`);
      setResult({ kind: 'ok', text: `Scheduled failover ${id} cancelled` });
      await loadScheduled();
    } catch (err) {
      setResult({ kind: 'error', text: message(err) });
    }
  };
  const open = s.scheduled.filter((x) => x.status === 'pending' || x.status === 'active');
  return (
    <section class="card" aria-labelledby="sched-title">
      <h2 id="sched-title">Scheduled failovers</h2>
      <form class="form-grid" onSubmit={create}>
        <label for="sf-target">Target region</label>
        <select
          id="sf-target"
          value={chosen}
          disabled={!admin}
          onChange={(e) => setTarget((e.target as HTMLSelectElement).value)}
        >
          {s.regions.map((r) => (
            <option key={r.name} value={r.name}>
              {r.name}
            </option>
          ))}
        </select>
        <label for="sf-start">Start (local time)</label>
        <input
          id="sf-start"
          type="datetime-local"
          value={start}
          disabled={!admin}
          onInput={(e) => setStart((e.target as HTMLInputElement).value)}
        />
        <label for="sf-duration">Duration (s)</label>
        <input
          id="sf-duration"
          type="number"
          min="1"
          value={dur}
          disabled={!admin}
          onInput={(e) => setDur((e.target as HTMLInputElement).value)}
        />
        <label for="sf-reason">Reason</label>
        <input
          id="sf-reason"
          type="text"
          maxLength={500}
          value={reason}
          disabled={!admin}
          onInput={(e) => setReason((e.target as HTMLInputElement).value)}
        />
        <div />
        <button type="submit" disabled={!admin}>
          Schedule failover
        </button>
      </form>
      <ResultLine result={result} />
      <div class="table-wrap" tabIndex={0} role="region" aria-label="Scheduled failovers table">
        <table>
          <caption class="sr-only">Scheduled failovers</caption>
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Target</th>
              <th scope="col">Start</th>
              <th scope="col">Duration</th>
              <th scope="col">Status</th>
              <th scope="col">Reason</th>
              <th scope="col">By</th>
              <th scope="col">
                <span class="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {s.scheduled.length === 0 ? (
              <tr>
                <td colSpan={8}>None scheduled.</td>
              </tr>
            ) : (
              s.scheduled.map((x) => (
                <tr key={x.id}>
                  <td>{x.id}</td>
                  <td>{x.target_region}</td>
                  <td class="nowrap">{time(x.start_time)}</td>
                  <td>{x.duration} s</td>
                  <td>{x.status}</td>
                  <td class="reason">{x.reason ?? '—'}</td>
                  <td>{x.created_by ?? '—'}</td>
                  <td>
                    {open.includes(x) && (
                      <button
                        type="button"
                        class="secondary small-btn"
                        disabled={!admin}
                        onClick={() => void cancel(x.id)}
                      >
                        Cancel #{x.id}
                      </button>
                    )}
                  </td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
    </section>
  );
}

export function DrillsPage() {
  return (
    <>
      <Drill />
      <Scheduled />
    </>
  );
}
