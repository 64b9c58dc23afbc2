/**
 * The Alerter: hears the service's GeoEvents, decides send or suppress (decide-alert.ts), and delivers to
 * every channel in the background. Nothing here is awaited by the service: an event handler only queues,
 * so a slow or hanging receiver never delays a failover or a call. Each attempt is recorded in the store
 * (geo_alert_deliveries); failed attempts are retried with backoff and jitter (decide-retry.ts).
 *
 * Several instances on one Redis: a region's health and registration changes reach every instance, so
 * only the probe leader (which wrote them) alerts on those; every other event is raised on one instance
 * only (the one that applied the switch, ran the drill, ...), which alerts on it.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { errorFactory } from '../errors/catalogue';
import { ALERTS_ERRORS } from '../errors/alerts';
import type { GeoEvent, SettingSource } from '../geo/types';
import type { AlertDeliveryRow, AlertDeliveryStatus, Store } from '../store/types';
import { alertOf } from './alert-of';
import { pagerDutyWants } from './channels/pagerduty';
import type { Delivery } from './channels/types';
import { decideAlert, decideRecheck, type AlertDecision, type ConditionState } from './decide-alert';
import { decideRetry } from './decide-retry';
import { buildDeliveries, targetsOf, type BuiltDeliveries } from './deliveries';
import {
  checkAlertsSettings,
  checkEffective,
  effectiveAlerts,
  mergeAlertsSettings,
  redactedAlerts,
  TOP_KEYS,
  type AlertsSettings,
  type EffectiveAlerts,
} from './settings';
import type { AlertDecisionRecord, AlertsInForce, TestAlertResult } from './settings-types';
import { TEST_EVENT, type Alert } from './types';

const alertsError = errorFactory(ALERTS_ERRORS);

/** Where operators' alert settings are kept (geo_kv), over the file's. */
export type { AlertDecisionRecord, AlertsInForce, TestAlertResult };

export const ALERTS_KEY = 'alerts.settings';
/** Deliveries waiting or in flight at most; past it new ones are recorded failed, not queued. */
const MAX_IN_FLIGHT = 1000;
const DECISIONS_KEPT = 50;

/** What the Alerter needs of the service (GeographicRedundancy satisfies it). */
export interface AlertSource {
  on<K extends GeoEvent['type']>(
    type: K,
    listener: (event: Extract<GeoEvent, { type: K }>) => void,
  ): () => void;
  readonly isLeader: boolean;
  regionConfigs(): ReadonlyArray<{ name: string; priority: number }>;
}

export interface AlerterDeps {
  readonly store: Store;
  readonly logger: Logger;
  readonly now: () => number;
  /** The default instance_name. */
  readonly instanceId: string;
  readonly fileSettings?: AlertsSettings;
  readonly env?: NodeJS.ProcessEnv;
  readonly random?: () => number;
}

const SHARED_EVENTS: ReadonlySet<GeoEvent['type']> = new Set(['state', 'registration']);
const SUBSCRIBED: ReadonlyArray<GeoEvent['type']> = [
  'failover',
  'state',
  'suppressed',
  'all-down',
  'failback-pending',
  'scheduled',
  'simulation',
  'registration',
  'replication_lag',
];

export class Alerter {
  private stored: AlertsSettings = {};
  private eff: EffectiveAlerts;
  private built: BuiltDeliveries | null = null;
  private readonly conditions = new Map<string, ConditionState>();
  /** The last alert of each condition, re-sent if it still holds after a flap (decideRecheck). */
  private readonly lastAlert = new Map<string, Alert>();
  private readonly rechecks = new Map<string, NodeJS.Timeout>();
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly decisions: AlertDecisionRecord[] = [];
  private unsubscribe: Array<() => void> = [];
  private source: AlertSource | null = null;
  private stopped = false;
  private lastLogged = '';

  constructor(private readonly deps: AlerterDeps) {
    this.eff = effectiveAlerts(deps.fileSettings ?? {}, deps.instanceId);
  }

  private get env(): NodeJS.ProcessEnv {
    return this.deps.env ?? process.env;
  }

  /** Loads the operators' settings (they survive a restart) and subscribes to the service's events. */
  async start(source: AlertSource): Promise<void> {
    this.stored = (await this.deps.store.kvGet<AlertsSettings>(ALERTS_KEY)) ?? {};
    const merged = mergeAlertsSettings(this.deps.fileSettings ?? {}, this.stored);
    const problems = [...checkAlertsSettings(merged, this.env)];
    if (problems.length === 0)
      problems.push(...checkEffective(effectiveAlerts(merged, this.deps.instanceId)));
    if (problems.length > 0) {
      // A secret gone from the environment since it was set: the file's settings hold, and the log says why.
      this.deps.logger.error(
        { problems },
        'alert settings saved through the API are not valid now; the config file alone is in force',
      );
      this.apply(this.deps.fileSettings ?? {});
    } else this.apply(merged);
    this.source = source;
    for (const type of SUBSCRIBED) {
      this.unsubscribe.push(source.on(type, (e: GeoEvent) => this.onEvent(e)));
    }
  }

  /** Stops hearing events and waits for deliveries in flight (each is bounded by delivery_timeout). */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const u of this.unsubscribe) u();
    this.unsubscribe = [];
    for (const t of this.rechecks.values()) clearTimeout(t);
    this.rechecks.clear();
    for (const t of this.retryTimers) clearTimeout(t);
    this.retryTimers.clear();
    await this.idle();
    this.built?.close();
  }

  /** Resolves when no delivery is waiting or in flight (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private apply(settings: AlertsSettings): void {
    this.eff = effectiveAlerts(settings, this.deps.instanceId);
    this.built?.close();
    this.built = this.eff.dry_run ? null : buildDeliveries(this.eff, this.env, this.deps.now);
  }

  /** The guide's configure_alerts: the fields given change, the others stay; answers what is in force. */
  async configure(patch: AlertsSettings): Promise<AlertsInForce> {
    const bad = checkAlertsSettings(patch, this.env)[0];
    if (bad) throw alertsError('ALERTS_BAD_SETTING', { ...bad });
    // Nulls are kept in what is stored, so clearing a setting also clears what the file set.
    const next = { ...this.stored } as Record<string, unknown>;
    for (const [k, v] of Object.entries(patch)) if (v !== undefined) next[k] = v;
    await this.commit(next);
    this.deps.logger.info(
      {
        channels: targetsOf(this.eff).map((t) => t.channel),
        on_events: this.eff.on_events,
        dry_run: this.eff.dry_run,
      },
      'alert settings changed',
    );
    return this.inForce();
  }

  /**
   * Puts the API's settings `next` in force over the file's: refused (ALERTS_BAD_SETTING, nothing changed)
   * when the result does not make sense as a whole (a channel without its gateway), else stored and applied.
   */
  private async commit(next: Record<string, unknown>): Promise<void> {
    const merged = mergeAlertsSettings(this.deps.fileSettings ?? {}, next as AlertsSettings);
    const whole = checkEffective(effectiveAlerts(merged, this.deps.instanceId))[0];
    if (whole) throw alertsError('ALERTS_BAD_SETTING', { ...whole });
    await this.deps.store.kvSet(ALERTS_KEY, next);
    this.stored = next as AlertsSettings;
    this.apply(merged);
  }

  /**
   * Where each alert setting in force comes from: `api` when set (or cleared, with null) through the API
   * until reset, `file` when config.yml writes it, `default` otherwise.
   */
  sources(): Record<(typeof TOP_KEYS)[number], SettingSource> {
    const file = (this.deps.fileSettings ?? {}) as Record<string, unknown>;
    const stored = this.stored as Record<string, unknown>;
    const out = {} as Record<(typeof TOP_KEYS)[number], SettingSource>;
    for (const k of TOP_KEYS)
      out[k] = stored[k] !== undefined ? 'api' : file[k] !== undefined ? 'file' : 'default';
    return out;
  }

  /**
   * Removes the API's changes of `fields` (all when omitted): the file's values (or the defaults) are in force
   * again. An unknown name is ALERTS_BAD_SETTING and changes nothing; answers what is in force.
   */
  async reset(fields?: readonly string[]): Promise<AlertsInForce> {
    const known: readonly string[] = TOP_KEYS;
    for (const f of fields ?? []) {
      if (!known.includes(f))
        throw alertsError('ALERTS_BAD_SETTING', {
          field: f,
          found: JSON.stringify(f),
          expected: `one of ${TOP_KEYS.join(', ')}`,
        });
    }
    const next = { ...this.stored } as Record<string, unknown>;
    const dropped = (fields ?? known).filter((k) => next[k] !== undefined);
    if (dropped.length === 0) return this.inForce();
    for (const k of dropped) delete next[k];
    // What is left of the API's settings must still make sense with the file's (a channel without its gateway).
    await this.commit(next);
    this.deps.logger.info(
      { fields: dropped },
      `alert settings reset to the file's values: ${dropped.join(', ')}`,
    );
    return this.inForce();
  }

  inForce(): AlertsInForce {
    return { ...redactedAlerts(this.eff), recent_decisions: [...this.decisions] };
  }

  listDeliveries(limit: number): Promise<AlertDeliveryRow[]> {
    return this.deps.store.listAlertDeliveries({ limit });
  }

  // ---- events ----

  private onEvent(e: GeoEvent): void {
    if (this.stopped || this.source === null) return;
    // Every instance hears these; the leader wrote them and alerts on them.
    if (SHARED_EVENTS.has(e.type) && !this.source.isLeader) return;
    const regions = this.source.regionConfigs();
    const alert = alertOf(e, {
      id: `msg_${randomUUID()}`,
      instance: this.eff.instance_name,
      priorityOf: (name) => regions.find((r) => r.name === name)?.priority,
    });
    if (alert === null) return;
    const now = this.deps.now();
    const decision = decideAlert(alert, this.conditions, this.eff, now);
    this.note(alert, decision, now);
    if (decision.recheckAt !== undefined) this.scheduleRecheck(alert, decision.recheckAt - now);
    if (decision.kind === 'send') {
      const sent = decision.clears ? { ...alert, resolves: decision.clears } : alert;
      this.lastAlert.set(alert.condition, sent);
      this.later(sent);
    }
  }

  private note(alert: Alert, d: AlertDecision, now: number): void {
    for (const [c, s] of d.updates) this.conditions.set(c, s);
    this.decisions.unshift({
      alert_id: alert.id,
      event: alert.event,
      region: alert.region,
      decision: d.kind,
      reason: d.reason,
      time: new Date(now).toISOString(),
    });
    this.decisions.length = Math.min(this.decisions.length, DECISIONS_KEPT);
    // Logged when the sentence changes: a flapping region writes one suppression line, not one per flap.
    if (d.reason !== this.lastLogged) {
      this.lastLogged = d.reason;
      this.deps.logger.info(
        { alert: alert.id, event: alert.event, region: alert.region, decision: d.kind },
        d.reason,
      );
    }
  }

  private scheduleRecheck(alert: Alert, inMs: number): void {
    if (this.rechecks.has(alert.condition)) return;
    const t = setTimeout(
      () => {
        this.rechecks.delete(alert.condition);
        if (this.stopped) return;
        const now = this.deps.now();
        const d = decideRecheck(alert.condition, this.conditions, now);
        const again: Alert = { ...alert, id: `msg_${randomUUID()}`, time: new Date(now).toISOString() };
        this.note(again, d, now);
        if (d.kind === 'send') {
          this.lastAlert.set(alert.condition, again);
          this.deliver(again, false);
        }
      },
      Math.max(0, inMs),
    );
    t.unref();
    this.rechecks.set(alert.condition, t);
  }

  // ---- delivery ----

  private deliveriesFor(alert: Alert): Delivery[] {
    const all = this.built?.deliveries ?? [];
    return all.filter((d) => d.channel !== 'pagerduty' || pagerDutyWants(alert));
  }

  private record(
    alert: Alert,
    channel: Delivery['channel'],
    target: string,
    status: AlertDeliveryStatus,
    attempt: number,
    error: string | null,
  ): Promise<void> {
    return this.deps.store
      .recordAlertDelivery({
        alert_id: alert.id,
        event: alert.event,
        region: alert.region,
        channel,
        target,
        status,
        attempt,
        error,
        attempted_at: new Date(this.deps.now()),
      })
      .then(
        () => undefined,
        (err: unknown) =>
          this.deps.logger.warn({ err, alert: alert.id }, 'could not record an alert delivery'),
      );
  }

  /** Queues the alert to every channel; `once` (test alerts) makes one attempt and returns the outcomes. */
  private deliver(alert: Alert, once: boolean): Promise<TestAlertResult[]> {
    if (this.eff.dry_run) {
      // Recorded, never sent: no connection is opened and no host name resolved.
      const targets = targetsOf(this.eff).filter((t) => t.channel !== 'pagerduty' || pagerDutyWants(alert));
      const done = Promise.all(
        targets.map((t) => this.record(alert, t.channel, t.target, 'dry_run', 1, null)),
      ).then(() =>
        targets.map((t) => ({ ...t, status: 'skipped' as const, error: 'dry_run: recorded, not sent' })),
      );
      this.track(done.then(() => undefined));
      return done;
    }
    const results = this.deliveriesFor(alert).map((d) => {
      if (this.inFlight.size >= MAX_IN_FLIGHT) {
        const error = `not queued: ${MAX_IN_FLIGHT} deliveries already waiting`;
        const p = this.record(alert, d.channel, d.target, 'failed', 1, error);
        this.track(p);
        return p.then(() => ({ channel: d.channel, target: d.target, status: 'failed' as const, error }));
      }
      const p = this.attempt(alert, d, 1, once);
      this.track(p.then(() => undefined));
      return p;
    });
    return Promise.all(results);
  }

  /**
   * Delivery starts on a later turn of the event loop: not even the opening of a connection runs inside
   * the failover (or health change) that emitted the event.
   */
  private later(alert: Alert): void {
    const p = new Promise<void>((resolve) => setImmediate(resolve)).then(async () => {
      if (!this.stopped) await this.deliver(alert, false);
    });
    this.track(p);
  }

  private track(p: Promise<void>): void {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  private async attempt(alert: Alert, d: Delivery, attempt: number, once: boolean): Promise<TestAlertResult> {
    try {
      await d.send(alert, attempt);
      await this.record(alert, d.channel, d.target, 'sent', attempt, null);
      return { channel: d.channel, target: d.target, status: 'sent' };
    } catch (err) {
      const error = (err as Error).message.split('\n')[0]!.slice(0, 300);
      const next = once
        ? ({ kind: 'give-up', reason: error } as const)
        : decideRetry(attempt, error, this.eff, (this.deps.random ?? Math.random)());
      if (next.kind === 'give-up' || this.stopped) {
        await this.record(alert, d.channel, d.target, 'failed', attempt, error);
        this.deps.logger.warn(
          { alert: alert.id, channel: d.channel, target: d.target, attempt },
          `alert ${alert.event} to ${d.channel} ${d.target} failed: ${next.reason}`,
        );
        return { channel: d.channel, target: d.target, status: 'failed', error };
      }
      await this.record(alert, d.channel, d.target, 'retrying', attempt, error);
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          this.retryTimers.delete(t);
          resolve();
        }, next.delayMs);
        this.retryTimers.add(t);
      });
      return this.attempt(alert, d, attempt + 1, once);
    }
  }

  /** A test alert to every configured channel, one attempt each; a channel set up without targets is skipped. */
  async sendTest(): Promise<TestAlertResult[]> {
    const now = this.deps.now();
    const alert: Alert = {
      id: `msg_${randomUUID()}`,
      event: TEST_EVENT,
      severity: 'info',
      kind: 'notice',
      region: null,
      regions: [],
      state_before: null,
      state_after: null,
      reason: 'a test alert asked for through the API: if you read this, this channel works',
      time: new Date(now).toISOString(),
      instance: this.eff.instance_name,
      condition: `test:${now}`,
      resolves: [],
    };
    this.note(alert, decideAlert(alert, this.conditions, this.eff, now), now);
    const results = await this.deliver(alert, true);
    const e = this.eff;
    const skipped: TestAlertResult[] = [];
    if (e.smtp !== null && e.email.length === 0)
      skipped.push({
        channel: 'email',
        target: '(none)',
        status: 'skipped',
        error: 'no email addresses configured',
      });
    if (e.sms_gateway !== null && e.sms.length === 0)
      skipped.push({
        channel: 'sms',
        target: '(none)',
        status: 'skipped',
        error: 'no sms numbers configured',
      });
    if (e.webhook_secret !== null && e.webhook === null)
      skipped.push({
        channel: 'webhook',
        target: '(none)',
        status: 'skipped',
        error: 'no webhook URL configured',
      });
    return [...results, ...skipped];
  }
}
