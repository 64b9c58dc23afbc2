/** Manual failover (target, reason, confirm) and failback approval. */
import { useState } from 'preact/hooks';
import { ApiError, post, type FailoverRecord } from '../api';
import { ResultLine, StateBadge, type Result } from '../components';
import { time } from '../format';
import { loadPending, useStore } from '../store';

const message = (e: unknown) =>
  e instanceof ApiError ? `${e.message}${e.field ? ` (${e.field})` : ''} [${e.code}]` : String(e);

export function FailoverPage() {
  const s = useStore();
  const admin = s.role === 'admin';
  const candidates = s.regions.filter((r) => !r.is_active);
  const [target, setTarget] = useState('');
  const [reason, setReason] = useState('');
  const [confirming, setConfirming] = useState(false);
  const [result, setResult] = useState<Result>(null);
  const [busy, setBusy] = useState(false);
  const chosen = target || candidates[0]?.name || '';

  const run = async () => {
    setBusy(true);
    try {
      const r = await post<FailoverRecord & { success: boolean; reason: string }>('/failover', {
        target_region: chosen,
        ...(reason.trim() ? { reason: reason.trim() } : {}),
      });
      setResult({ kind: 'ok', text: `Failed over ${r.from_region ?? '—'} → ${r.to_region}: ${r.reason}` });
      setReason('');
    } catch (e) {
      setResult({ kind: 'error', text: message(e) });
    } finally {
      setBusy(false);
      setConfirming(false);
    }
  };

  return (
    <>
      <section class="card" aria-labelledby="mf-title">
        <h2 id="mf-title">Fail over now</h2>
        <p class="muted">
          Active: <strong>{s.active?.name ?? 'none'}</strong>. New calls go to the target at once; calls in
          progress stay where they are.
        </p>
        <form
          class="form-grid"
          onSubmit={(e) => {
            e.preventDefault();
            setConfirming(true);
          }}
        >
          <label for="mf-target">Target region</label>
          <select
            id="mf-target"
            value={chosen}
            disabled={!admin || candidates.length === 0}
            onChange={(e) => setTarget((e.target as HTMLSelectElement).value)}
          >
            {candidates.map((r) => (
              <option key={r.name} value={r.name}>
                {r.name} — {r.health_state}
              </option>
            ))}
          </select>
          <label for="mf-reason">Reason</label>
          <input
            id="mf-reason"
            type="text"
            maxLength={500}
            placeholder="e.g. carrier maintenance in us-east-1"
            value={reason}
            disabled={!admin}
            onInput={(e) => setReason((e.target as HTMLInputElement).value)}
          />
          <div />
          {!confirming ? (
            <button type="submit" disabled={!admin || !chosen}>
              Fail over to {chosen || '…'}
            </button>
          ) : (
            <div class="confirm" role="group" aria-label="Confirm the failover">
              <span>
                Switch from <strong>{s.active?.name}</strong> to <strong>{chosen}</strong>?
              </span>
              <button type="button" class="danger" disabled={busy} onClick={() => void run()} autoFocus>
                Confirm failover
              </button>
              <button type="button" class="secondary" onClick={() => setConfirming(false)}>
                Cancel
              </button>
            </div>
          )}
        </form>
        <ResultLine result={result} id="failover-result" />
      </section>
      <FailbackApprovals />
      <section class="card" aria-labelledby="regions-title">
        <h2 id="regions-title">Regions</h2>
        <table>
          <caption class="sr-only">Regions by priority</caption>
          <thead>
            <tr>
              <th scope="col">Region</th>
              <th scope="col">Priority</th>
              <th scope="col">Health</th>
              <th scope="col">Active</th>
            </tr>
          </thead>
          <tbody>
            {s.regions.map((r) => (
              <tr key={r.name}>
                <td>{r.name}</td>
                <td>{r.priority}</td>
                <td>
                  <StateBadge state={r.health_state} />
                </td>
                <td>{r.is_active ? 'Active' : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </>
  );
}

function FailbackApprovals() {
  const s = useStore();
  const [result, setResult] = useState<Result>(null);
  const decide = async (id: number, action: 'approve' | 'reject') => {
    try {
      await post(`/failback/${id}/${action}`, {});
      setResult({ kind: 'ok', text: `Failback ${id} ${action === 'approve' ? 'approved' : 'rejected'}` });
      await loadPending();
    } catch (e) {
      setResult({ kind: 'error', text: message(e) });
    }
  };
  return (
    <section class="card" aria-labelledby="fb-title">
      <h2 id="fb-title">Failback approval</h2>
      {s.failback && (
        <p class="muted">
          Failback is {s.failback.enabled ? 'enabled' : 'disabled'}
          {s.failback.enabled ? (s.failback.automatic ? ', automatic' : ', after an operator approves') : ''}.
        </p>
      )}
      {s.pending.length === 0 ? (
        <p>No failback is waiting for approval.</p>
      ) : (
        <ul class="plain">
          {s.pending.map((p) => (
            <li key={p.id} class="pending">
              <span>
                <strong>
                  {p.from_region} → {p.to_region}
                </strong>{' '}
                requested {time(p.requested_at)}: {p.reason}
              </span>
              <button
                type="button"
                disabled={s.role !== 'admin'}
                onClick={() => void decide(p.id, 'approve')}
              >
                Approve failback {p.id}
              </button>
              <button
                type="button"
                class="secondary"
                disabled={s.role !== 'admin'}
                onClick={() => void decide(p.id, 'reject')}
              >
                Reject failback {p.id}
              </button>
            </li>
          ))}
        </ul>
      )}
      <ResultLine result={result} />
    </section>
  );
}
