/** The shell: sign-in, the header with the active region and the stream's state, navigation, banners. */
import { useEffect, useState } from 'preact/hooks';
import { StateBadge } from './components';
import { ago } from './format';
import { AlertsPage } from './pages/alerts';
import { CallsPage } from './pages/calls';
import { DrillsPage } from './pages/drills';
import { FailoverPage } from './pages/failover';
import { HealthChecksPage } from './pages/health-checks';
import { HistoryPage } from './pages/history';
import { MetricsPage } from './pages/metrics';
import { OverviewPage } from './pages/overview';
import { ReplicationPage } from './pages/replication';
import { SignIn } from './pages/sign-in';
import { resume, signOut, useStore } from './store';

export const PAGES = [
  { id: 'overview', title: 'Overview', view: OverviewPage },
  { id: 'failover', title: 'Manual failover', view: FailoverPage },
  { id: 'history', title: 'History', view: HistoryPage },
  { id: 'health-checks', title: 'Health checks', view: HealthChecksPage },
  { id: 'drills', title: 'Schedules & DR drill', view: DrillsPage },
  { id: 'metrics', title: 'Metrics', view: MetricsPage },
  { id: 'calls', title: 'Calls', view: CallsPage },
  { id: 'alerts', title: 'Alerts', view: AlertsPage },
  { id: 'replication', title: 'Replication', view: ReplicationPage },
] as const;

function currentPage(): string {
  const id = location.hash.replace(/^#\/?/, '');
  return PAGES.some((p) => p.id === id) ? id : 'overview';
}

export function App() {
  const s = useStore();
  const [page, setPage] = useState(currentPage());
  const [resuming, setResuming] = useState(true);
  useEffect(() => {
    void resume().finally(() => setResuming(false));
    const onHash = () => {
      setPage(currentPage());
      document.getElementById('main')?.focus();
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  const [, tick] = useState(0);
  useEffect(() => {
    const t = window.setInterval(() => tick((x) => x + 1), 1000);
    return () => window.clearInterval(t);
  }, []);

  if (resuming) return <main class="signin" id="main" tabIndex={-1} aria-busy="true" />;
  if (!s.signedIn) return <SignIn />;
  const current = PAGES.find((p) => p.id === page) ?? PAGES[0];
  const View = current.view;
  const allDown = s.regions.length > 0 && s.regions.every((r) => r.health_state === 'down');
  const drill = Object.values(s.health).filter(
    (h) => h.simulated_until && Date.parse(h.simulated_until) > Date.now(),
  );
  const runningSchedule = s.scheduled.find((x) => x.status === 'active');
  return (
    <div class="shell">
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <div class="brand">
          <span class="logo" aria-hidden="true">
            ◎
          </span>
          <span>
            geored <span class="muted">Geo Redundancy</span>
          </span>
        </div>
        <div class="active-summary" aria-live="polite" data-testid="active-region">
          <span class="muted">Active region</span>{' '}
          <strong id="active-name">{s.active?.name ?? 'none'}</strong>{' '}
          {s.active && <StateBadge state={s.regions.find((r) => r.name === s.active?.name)?.health_state} />}{' '}
          {s.active && <span class="muted">since {ago(s.active.active_since)}</span>}
        </div>
        <div class="session">
          <span class={`conn conn-${s.connection}`} role="status" data-testid="connection">
            <span aria-hidden="true">{s.connection === 'live' ? '●' : '○'}</span>{' '}
            {s.connection === 'live' ? 'Live' : s.connection === 'retrying' ? 'Reconnecting…' : 'Connecting…'}
          </span>
          <span class="role">{s.role === 'admin' ? 'Admin' : 'Read-only'}</span>
          <button type="button" class="ghost" onClick={() => signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <nav class="nav" aria-label="Sections">
        <ul>
          {PAGES.map((p) => (
            <li key={p.id}>
              <a href={`#/${p.id}`} aria-current={p.id === current.id ? 'page' : undefined}>
                {p.title}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" tabIndex={-1}>
        <div class="banners">
          {allDown && (
            <div class="banner danger" role="alert">
              <strong>All regions are down.</strong> {s.allDown ?? 'No region can carry calls.'}
            </div>
          )}
          {s.pending.length > 0 && (
            <div class="banner warn" role="status">
              <strong>Failback awaits approval:</strong>{' '}
              {s.pending.map((p) => `${p.from_region} → ${p.to_region}`).join(', ')}.{' '}
              <a href="#/failover">Approve or reject</a>
            </div>
          )}
          {drill.map((h) => (
            <div class="banner info" role="status" key={h.region}>
              <strong>DR drill running:</strong> {h.region} simulated down until{' '}
              {new Date(h.simulated_until!).toLocaleTimeString()}. <a href="#/drills">Drill controls</a>
            </div>
          ))}
          {runningSchedule && (
            <div class="banner info" role="status">
              <strong>Scheduled failover running:</strong> to {runningSchedule.target_region}
              {runningSchedule.reason ? ` (${runningSchedule.reason})` : ''}.
            </div>
          )}
          {s.role === 'read' && (
            <div class="banner muted-banner" role="note">
              Signed in with a read-only token: you see everything; controls that change something are
              disabled.
            </div>
          )}
          {s.loadError && (
            <div class="banner danger" role="alert">
              Could not load: {s.loadError}
            </div>
          )}
        </div>
        <h1>{current.title}</h1>
        <View />
      </main>
    </div>
  );
}
