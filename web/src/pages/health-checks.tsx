/** Health-check settings, edited with validation; the API's error is shown beside the field it names. */
import { useEffect, useState } from 'preact/hooks';
import { ApiError, put, type HealthCheckSettings } from '../api';
import { ResultLine, type Result } from '../components';
import { loadSettings, useStore } from '../store';

const FIELDS: { key: keyof HealthCheckSettings; label: string; help: string; step: string }[] = [
  { key: 'interval', label: 'Interval (s)', help: 'How often each region is probed', step: 'any' },
  { key: 'timeout', label: 'Timeout (s)', help: 'A probe unanswered after this has failed', step: 'any' },
  { key: 'retry_count', label: 'Retry count', help: 'Consecutive failures before DOWN', step: '1' },
  {
    key: 'success_threshold',
    label: 'Success threshold',
    help: 'Consecutive successes to be healthy again',
    step: '1',
  },
  {
    key: 'latency_warning_ms',
    label: 'Latency warning (ms)',
    help: 'A slower answer means WARNING',
    step: 'any',
  },
];

const METHODS = ['sip_options', 'http_ping', 'icmp_ping', 'tcp_connect'];

export function HealthChecksPage() {
  const s = useStore();
  const admin = s.role === 'admin';
  const [form, setForm] = useState<Record<string, string>>({});
  const [methods, setMethods] = useState<string[]>([]);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [result, setResult] = useState<Result>(null);
  useEffect(() => {
    if (!s.healthCheck) return;
    setForm(Object.fromEntries(FIELDS.map((f) => [f.key, String(s.healthCheck![f.key])])));
    setMethods(s.healthCheck.check_methods);
  }, [s.healthCheck]);
  if (!s.healthCheck) return <p>Loading…</p>;
  const known = [...new Set([...METHODS, ...s.healthCheck.check_methods])];

  const save = async (e: Event) => {
    e.preventDefault();
    setFieldErrors({});
    setResult(null);
    const body: Record<string, unknown> = { check_methods: methods };
    const local: Record<string, string> = {};
    for (const f of FIELDS) {
      const raw = (form[f.key] ?? '').trim();
      const n = Number(raw);
      if (raw === '' || !Number.isFinite(n)) local[f.key] = 'Enter a number.';
      else body[f.key] = n;
    }
    if (methods.length === 0) local['check_methods'] = 'Choose at least one method.';
    if (Object.keys(local).length > 0) {
      setFieldErrors(local);
      setResult({ kind: 'error', text: 'Fix the fields marked below.' });
      return;
    }
    try {
      await put('/health-check', body);
      setResult({ kind: 'ok', text: 'Health-check settings saved and in force.' });
      await loadSettings();
    } catch (err) {
      if (err instanceof ApiError) {
        // The API names the field: "/interval", "interval" or "body/interval".
        const field = (err.field ?? '').replace(/^\/?(body[./])?/, '').split(/[./]/)[0] ?? '';
        if (field && (FIELDS.some((f) => f.key === field) || field === 'check_methods')) {
          setFieldErrors({ [field]: err.message });
          document.getElementById(`hc-${field}`)?.focus();
        }
        setResult({ kind: 'error', text: `Not saved: ${err.message} [${err.code}]` });
      } else setResult({ kind: 'error', text: String(err) });
    }
  };

  return (
    <section class="card" aria-labelledby="hc-title">
      <h2 id="hc-title">Health-check settings</h2>
      <p class="muted">Changes apply to every region at once and survive a restart.</p>
      <form class="form-grid" onSubmit={save} noValidate>
        {FIELDS.map((f) => (
          <div class="field" key={f.key}>
            <label for={`hc-${f.key}`}>{f.label}</label>
            <input
              id={`hc-${f.key}`}
              name={f.key}
              type="number"
              step={f.step}
              inputMode="decimal"
              value={form[f.key] ?? ''}
              disabled={!admin}
              aria-invalid={fieldErrors[f.key] ? 'true' : undefined}
              aria-describedby={`hc-${f.key}-help${fieldErrors[f.key] ? ` hc-${f.key}-error` : ''}`}
              onInput={(e) => setForm({ ...form, [f.key]: (e.target as HTMLInputElement).value })}
            />
            <span id={`hc-${f.key}-help`} class="help">
              {f.help}
            </span>
            {fieldErrors[f.key] && (
              <span id={`hc-${f.key}-error`} class="field-error" data-testid={`error-${f.key}`}>
                <span aria-hidden="true">⚠ </span>
                {fieldErrors[f.key]}
              </span>
            )}
          </div>
        ))}
        <fieldset
          class="field"
          aria-describedby={fieldErrors['check_methods'] ? 'hc-check_methods-error' : undefined}
        >
          <legend>Check methods</legend>
          {known.map((m) => (
            <label key={m} class="check">
              <input
                type="checkbox"
                id={m === known[0] ? 'hc-check_methods' : undefined}
                checked={methods.includes(m)}
                disabled={!admin}
                onChange={(e) =>
                  setMethods(
                    (e.target as HTMLInputElement).checked ? [...methods, m] : methods.filter((x) => x !== m),
                  )
                }
              />{' '}
              {m}
            </label>
          ))}
          {fieldErrors['check_methods'] && (
            <span id="hc-check_methods-error" class="field-error">
              <span aria-hidden="true">⚠ </span>
              {fieldErrors['check_methods']}
            </span>
          )}
        </fieldset>
        <div class="actions">
          <button type="submit" disabled={!admin}>
            Save health-check settings
          </button>
        </div>
      </form>
      <ResultLine result={result} id="hc-result" />
    </section>
  );
}
