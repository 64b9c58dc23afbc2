/**
 * What the panel knows, loaded over REST and kept current by the event stream. A small observable: views
 * read `state` through useStore() and re-render when it changes.
 */
import { useEffect, useState } from 'preact/hooks';
import {
  ApiError,
  get,
  put,
  token,
  type ActiveRegion,
  type CallRecord,
  type DemoState,
  type FailoverRecord,
  type HealthCheckSettings,
  type LatencySeries,
  type PendingFailback,
  type RegionHealth,
  type RegionMetrics,
  type RegionStatus,
  type ReplicationStatus,
  type ScheduledFailover,
} from './api';
import { openStream, type StreamMessage } from './stream';

export interface State {
  signedIn: boolean;
  role: 'admin' | 'read' | null;
  connection: 'offline' | 'connecting' | 'live' | 'retrying';
  lastEventId: number | null;
  regions: RegionStatus[];
  active: ActiveRegion | null;
  health: Record<string, RegionHealth>;
  metrics: Record<string, RegionMetrics>;
  latency: Record<string, LatencySeries>;
  history: FailoverRecord[];
  healthCheck: HealthCheckSettings | null;
  failback: { enabled: boolean; automatic: boolean } | null;
  scheduled: ScheduledFailover[];
  pending: PendingFailback[];
  calls: CallRecord[];
  demo: DemoState | null;
  /** Data replication's status; null until loaded (or when this geored has no replication API). */
  replication: ReplicationStatus | null;
  /** The newest replication_lag event per publisher → subscriber, as the stream told it. */
  lagEvents: Record<string, StreamMessage>;
  allDown: string | null;
  /** The newest events, for the live feed on the overview. */
  feed: StreamMessage[];
  loadError: string | null;
}

const initial = (): State => ({
  signedIn: false,
  role: null,
  connection: 'offline',
  lastEventId: null,
  regions: [],
  active: null,
  health: {},
  metrics: {},
  latency: {},
  history: [],
  healthCheck: null,
  failback: null,
  scheduled: [],
  pending: [],
  calls: [],
  demo: null,
  replication: null,
  lagEvents: {},
  allDown: null,
  feed: [],
  loadError: null,
});

export let state: State = initial();
const listeners = new Set<() => void>();

export function update(patch: Partial<State> | ((s: State) => Partial<State>)): void {
  state = { ...state, ...(typeof patch === 'function' ? patch(state) : patch) };
  for (const l of listeners) l();
}

export function useStore(): State {
  const [, setTick] = useState(0);
  useEffect(() => {
    const l = () => setTick((t) => t + 1);
    listeners.add(l);
    return () => listeners.delete(l);
  }, []);
  return state;
}

// ---- loading ----

/** The pairs whose value is there, as a record. */
function present<T>(pairs: readonly (readonly [string, T | null])[]): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [k, v] of pairs) if (v !== null) out[k] = v;
  return out;
}

const optional = async <T>(p: Promise<T>): Promise<T | null> => {
  try {
    return await p;
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return null;
    throw e;
  }
};

export async function loadRegions(): Promise<void> {
  const [{ regions }, active] = await Promise.all([
    get<{ regions: RegionStatus[] }>('/regions'),
    optional(get<ActiveRegion>('/active-region')),
  ]);
  update({ regions: [...regions].sort((a, b) => a.priority - b.priority), active });
}

export async function loadHealth(): Promise<void> {
  const names = state.regions.map((r) => r.name);
  const pairs = await Promise.all(
    names.map(
      async (n) =>
        [n, await optional(get<RegionHealth>(`/regions/${encodeURIComponent(n)}/health`))] as const,
    ),
  );
  update((s) => ({ health: { ...s.health, ...present(pairs) } }));
}

export async function loadMetrics(): Promise<void> {
  const names = state.regions.map((r) => r.name);
  const [metrics, latency] = await Promise.all([
    Promise.all(
      names.map(
        async (n) =>
          [n, await optional(get<RegionMetrics>(`/regions/${encodeURIComponent(n)}/metrics`))] as const,
      ),
    ),
    Promise.all(
      names.map(
        async (n) =>
          [
            n,
            await optional(get<LatencySeries>(`/regions/${encodeURIComponent(n)}/latency?minutes=60`)),
          ] as const,
      ),
    ),
  ]);
  update({
    metrics: present(metrics),
    latency: present(latency),
  });
}

export const loadHistory = async () =>
  update({ history: (await get<{ failovers: FailoverRecord[] }>('/failover-history?limit=1000')).failovers });
export const loadSettings = async () => {
  const [healthCheck, failback] = await Promise.all([
    get<HealthCheckSettings>('/health-check'),
    get<{ enabled: boolean; automatic: boolean }>('/failback-config'),
  ]);
  update({ healthCheck, failback });
};
export const loadScheduled = async () =>
  update({
    scheduled: (await get<{ scheduled_failovers: ScheduledFailover[] }>('/scheduled-failovers'))
      .scheduled_failovers,
  });
export const loadPending = async () =>
  update({ pending: (await get<{ pending: PendingFailback[] }>('/failback/pending')).pending });
export const loadCalls = async () =>
  update({ calls: (await get<{ calls: CallRecord[] }>('/api/calls?limit=100')).calls });
export const loadDemo = async () => update({ demo: await optional(get<DemoState>('/demo')) });
export const loadReplication = async () =>
  update({ replication: await optional(get<ReplicationStatus>('/replication/status')) });

export async function loadAll(): Promise<void> {
  try {
    await loadRegions();
    await Promise.all([
      loadHealth(),
      loadMetrics(),
      loadHistory(),
      loadSettings(),
      loadScheduled(),
      loadPending(),
      loadCalls(),
      loadDemo(),
      loadReplication(),
    ]);
    update({ loadError: null });
  } catch (e) {
    update({ loadError: e instanceof Error ? e.message : String(e) });
  }
}

/**
 * Which role the token has, asked without changing anything: an empty settings change is refused with
 * 400 (validation) for an admin token and 403 for a read-only one, before anything is applied.
 */
async function probeRole(): Promise<'admin' | 'read'> {
  try {
    await put('/health-check', {});
    return 'admin';
  } catch (e) {
    if (e instanceof ApiError && e.status === 403) return 'read';
    if (e instanceof ApiError && e.status === 400) return 'admin';
    throw e;
  }
}

// ---- live ----

let closeStream: (() => void) | null = null;
let poll: number | null = null;
const reloadSoon = debounce(() => void loadAll(), 150);
const healthSoon = debounce(() => void loadRegions().then(loadHealth), 100);
const metricsSoon = debounce(() => void loadMetrics(), 1000);
const demoSoon = debounce(() => void loadDemo(), 300);
const replicationSoon = debounce(() => void loadReplication(), 300);

function debounce(f: () => void, ms: number): () => void {
  let t: number | null = null;
  return () => {
    if (t !== null) return;
    t = window.setTimeout(() => {
      t = null;
      f();
    }, ms);
  };
}

function setRegionState(name: string, to: RegionStatus['health_state']): void {
  update((s) => ({
    regions: s.regions.map((r) => (r.name === name ? { ...r, health_state: to } : r)),
    health: s.health[name] ? { ...s.health, [name]: { ...s.health[name]!, state: to } } : s.health,
  }));
}

export function onStreamEvent(m: StreamMessage): void {
  update((s) => ({ lastEventId: m.id, feed: [m, ...s.feed].slice(0, 30) }));
  const d = m.data;
  switch (m.type) {
    case 'resync':
      reloadSoon();
      return;
    case 'replication_lag':
      update((s) => ({ lagEvents: { ...s.lagEvents, [`${d['publisher']}→${d['subscriber']}`]: m } }));
      replicationSoon();
      return;
    case 'health':
      setRegionState(String(d['region']), d['to'] as RegionStatus['health_state']);
      if (d['to'] === 'healthy') update({ allDown: null });
      healthSoon();
      return;
    case 'active_region': {
      const to = String(d['to']);
      update((s) => ({
        regions: s.regions.map((r) => ({ ...r, is_active: r.name === to })),
        active: s.active
          ? { ...s.active, name: to, active_since: String(d['time']) }
          : { name: to, trunk_id: '', priority: 0, health_state: 'healthy', active_since: String(d['time']) },
      }));
      void loadRegions();
      // The new active region publishes: the replication status follows once geored has re-planned.
      replicationSoon();
      return;
    }
    case 'failover':
      update((s) => ({ history: [d as unknown as FailoverRecord, ...s.history] }));
      metricsSoon();
      return;
    case 'call':
      update((s) => ({ calls: [d as unknown as CallRecord, ...s.calls].slice(0, 200) }));
      metricsSoon();
      if (state.demo) demoSoon();
      return;
    case 'simulation':
      healthSoon();
      return;
    case 'scheduled_failover':
      void loadScheduled();
      return;
    case 'failback_pending':
      void loadPending();
      return;
    case 'settings':
      void loadSettings();
      return;
    case 'all_down':
      update({ allDown: String(d['reason']) });
      return;
  }
}

export async function signIn(t: string): Promise<void> {
  token.set(t);
  try {
    const role = await probeRole();
    await get('/regions');
    update({ signedIn: true, role });
  } catch (e) {
    token.clear();
    throw e;
  }
  startLive();
}

export function startLive(): void {
  closeStream?.();
  closeStream = openStream({
    onEvent: onStreamEvent,
    onStatus: (c) => {
      update({ connection: c });
      // Every (re)connection reloads: what the stream replays then lands on current state.
      if (c === 'live') reloadSoon();
    },
    onUnauthorized: () => signOut(),
  });
  if (poll !== null) window.clearInterval(poll);
  // Probe results are not events (too many): latency and scores are refreshed every 5 s.
  poll = window.setInterval(() => {
    void loadHealth();
    metricsSoon();
    if (state.demo) void loadDemo();
  }, 5000);
}

export function signOut(): void {
  closeStream?.();
  closeStream = null;
  if (poll !== null) window.clearInterval(poll);
  poll = null;
  token.clear();
  state = initial();
  for (const l of listeners) l();
}

export async function resume(): Promise<void> {
  if (!token.get()) return;
  try {
    const role = await probeRole();
    update({ signedIn: true, role });
    startLive();
  } catch {
    token.clear();
  }
}
