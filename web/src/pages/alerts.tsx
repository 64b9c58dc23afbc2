/**
 * Alerts: the configuration in force (GET .../alerts) and a test send, when this geored has the alerts
 * API; until then the page says so.
 */
import { useEffect, useState } from 'preact/hooks';
import { ApiError, get, post } from '../api';
import { ResultLine, type Result } from '../components';
import { useStore } from '../store';

export function AlertsPage() {
  const s = useStore();
  const [config, setConfig] = useState<Record<string, unknown> | null | 'missing'>(null);
  const [result, setResult] = useState<Result>(null);
  useEffect(() => {
    get<Record<string, unknown>>('/alerts')
      .then(setConfig)
      .catch((e: unknown) => setConfig(e instanceof ApiError && e.status === 404 ? 'missing' : null));
  }, []);
  if (config === 'missing')
    return (
      <section class="card">
        <h2>Alert configuration</h2>
        <p>
          Alert configuration arrives with the alerts work: this geored has no alerts API yet (
          <code>GET /alerts</code> answers 404).
        </p>
      </section>
    );
  if (config === null) return <p>Loading…</p>;
  const test = async () => {
    try {
      const r = await post<unknown>('/alerts/test', {});
      setResult({ kind: 'ok', text: `Test sent: ${JSON.stringify(r)}` });
    } catch (e) {
      setResult({ kind: 'error', text: e instanceof ApiError ? e.message : String(e) });
    }
  };
  return (
    <section class="card" aria-labelledby="al-title">
      <h2 id="al-title">Alert configuration in force</h2>
      {/* Scrollable on a phone: focusable so the keyboard can scroll it, named for screen readers. */}
      <pre class="mono" tabIndex={0} aria-label="Alert configuration as JSON">
        {JSON.stringify(config, null, 2)}
      </pre>
      <button type="button" disabled={s.role !== 'admin'} onClick={() => void test()}>
        Send a test alert
      </button>
      <ResultLine result={result} />
    </section>
  );
}
