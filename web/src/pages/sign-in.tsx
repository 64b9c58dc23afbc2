import { useState } from 'preact/hooks';
import { ApiError } from '../api';
import { signIn } from '../store';

export function SignIn() {
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(value.trim());
      setValue('');
    } catch (err) {
      setError(
        err instanceof ApiError && err.status === 401
          ? 'That token is not valid for this geored.'
          : `Sign-in failed: ${err instanceof Error ? err.message : String(err)}`,
      );
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="signin" id="main" tabIndex={-1}>
      <form class="card signin-card" onSubmit={submit} aria-labelledby="signin-title" autocomplete="off">
        <h1 id="signin-title">
          <span aria-hidden="true">◎</span> geored · Geo Redundancy
        </h1>
        <p class="muted">Sign in with an API token (an admin token, or a read-only one to watch).</p>
        <label for="token">API token</label>
        <input
          id="token"
          name="token"
          type="password"
          autocomplete="off"
          spellcheck={false}
          required
          value={value}
          onInput={(e) => setValue((e.target as HTMLInputElement).value)}
          aria-describedby={error ? 'signin-error' : undefined}
          aria-invalid={error ? 'true' : undefined}
        />
        <button type="submit" disabled={busy || value.trim() === ''}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <p id="signin-error" class="result error" role="alert">
          {error ?? ''}
        </p>
        <p class="muted small">The token stays in this tab only and is forgotten when you sign out.</p>
      </form>
    </main>
  );
}
