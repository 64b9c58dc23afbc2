/**
 * Run-time settings (configure_health_check, configure_failover, configure_failback, routing): saved in the
 * store's kv table over the file's configuration, so a restart keeps them. A setting changed through the API
 * overrides the file until it is reset; each GET says where every setting in force comes from (the file, the
 * API, or geored's default), and resetSettings removes API overrides so the file's value is in force again.
 */
import type { GeoConfig } from '../config/types';
import { geoError, type GeoContext } from './context';
import {
  SETTINGS_KEY,
  checkFailbackSettings,
  checkFailoverSettings,
  checkHealthCheckSettings,
  checkRoutingSettings,
  effectiveGeoConfig,
  mergeSettings,
  type RoutingSettings,
  type RuntimeSettings,
} from './settings';
import type {
  FailbackSettings,
  FailoverSettings,
  HealthCheckSettings,
  RoutingInForce,
  SettingSource,
  SettingsGroup,
  SettingsInForce,
} from './types';

/** Every field of each group a GET answers, as the guide names it. */
export const SETTINGS_FIELDS: { readonly [G in SettingsGroup]: readonly string[] } = {
  health_check: [
    'interval',
    'timeout',
    'retry_count',
    'check_methods',
    'success_threshold',
    'latency_warning_ms',
  ],
  failover: ['automatic', 'min_failure_duration', 'failover_delay'],
  failback: ['enabled', 'delay', 'health_threshold', 'automatic'],
  routing: ['strategy', 'weights', 'time_based', 'timezone'],
};

export class RuntimeSettingsStore {
  private settings: RuntimeSettings = {};
  private loaded = false;
  private inForce: GeoConfig;

  constructor(
    private readonly ctx: Omit<GeoContext, 'geo'>,
    /** The region names routing settings may name. */
    private readonly regionNames: () => ReadonlySet<string>,
  ) {
    this.inForce = ctx.fileConfig.geo;
  }

  /** The configuration in force: the file's with the API's settings over it. */
  geo(): GeoConfig {
    return this.inForce;
  }

  /** The API's settings saved (empty when none). */
  saved(): RuntimeSettings {
    return this.settings;
  }

  async load(): Promise<void> {
    if (this.loaded) return;
    this.settings = (await this.ctx.store.kvGet<RuntimeSettings>(SETTINGS_KEY)) ?? {};
    this.inForce = effectiveGeoConfig(this.ctx.fileConfig.geo, this.settings);
    this.loaded = true;
  }

  async configureHealthCheck(s: HealthCheckSettings): Promise<Required<HealthCheckSettings>> {
    checkHealthCheckSettings(s);
    if (s.check_methods) this.ctx.checks.requireAll(s.check_methods);
    await this.save({ health_check: s });
    return this.healthCheckInForce();
  }

  /** The health-check settings in force (file and API); a read, never a write. */
  healthCheckInForce(): Required<HealthCheckSettings> {
    const hc = this.inForce.health_check;
    return {
      interval: hc.interval,
      timeout: hc.timeout,
      retry_count: hc.retry_count,
      check_methods: [...hc.check_methods],
      success_threshold: hc.success_threshold,
      latency_warning_ms: hc.latency_warning_ms,
    };
  }

  async configureFailover(s: FailoverSettings): Promise<Required<FailoverSettings>> {
    checkFailoverSettings(s);
    await this.save({ failover: s });
    return this.failoverInForce();
  }

  failoverInForce(): Required<FailoverSettings> {
    const f = this.inForce.failover;
    return {
      automatic: f.automatic,
      min_failure_duration: f.min_failure_duration,
      failover_delay: f.failover_delay,
    };
  }

  async configureFailback(s: FailbackSettings): Promise<Required<FailbackSettings>> {
    checkFailbackSettings(s);
    await this.save({ failback: s });
    return this.failbackInForce();
  }

  failbackInForce(): Required<FailbackSettings> {
    const f = this.inForce.failback;
    return {
      enabled: f.enabled,
      delay: f.delay,
      health_threshold: f.health_threshold,
      automatic: f.automatic,
    };
  }

  async enableGeoLoadBalancing(s: {
    strategy: RoutingSettings['strategy'];
    weights?: Record<string, number>;
  }): Promise<RoutingInForce> {
    const patch: RoutingSettings =
      s.weights === undefined
        ? { strategy: s.strategy ?? 'proximity' }
        : { strategy: s.strategy ?? 'proximity', weights: s.weights };
    checkRoutingSettings(patch, this.regionNames(), this.geo().routing.time_based.length);
    await this.save({ routing: patch });
    return this.routingInForce();
  }

  async configureTimeBasedRouting(rules: Record<string, string>, timezone?: string): Promise<RoutingInForce> {
    const patch: RoutingSettings = {
      strategy: 'time_of_day',
      time_based: rules,
      ...(timezone !== undefined ? { timezone } : {}),
    };
    checkRoutingSettings(patch, this.regionNames(), this.geo().routing.time_based.length);
    await this.save({ routing: patch });
    return this.routingInForce();
  }

  routingInForce(): RoutingInForce {
    const r = this.inForce.routing;
    return {
      strategy: r.strategy,
      weights: { ...r.weights },
      time_based: Object.fromEntries(r.time_based.map((t) => [t.label, t.region])),
      timezone: r.timezone,
    };
  }

  /** A group's settings in force, and where each comes from. */
  settingsInForce<G extends SettingsGroup>(group: G): SettingsInForce<G> {
    const values = this.valuesOf(group);
    const saved = (this.settings[group] ?? {}) as Record<string, unknown>;
    const written = this.ctx.fileConfig.written;
    const source: Record<string, SettingSource> = {};
    for (const field of SETTINGS_FIELDS[group]) {
      source[field] =
        saved[field] !== undefined
          ? 'api'
          : written === undefined || written.includes(`${group}.${field}`)
            ? 'file'
            : 'default';
    }
    return { ...values, source } as SettingsInForce<G>;
  }

  /**
   * Removes the API's override of `fields` of a group (all of them when omitted), so the file's value (or
   * geored's default) is in force again; answers the group's settings in force. A name that is not a field of
   * the group is GEO_BAD_SETTING and changes nothing.
   */
  async reset<G extends SettingsGroup>(group: G, fields?: readonly string[]): Promise<SettingsInForce<G>> {
    const known = SETTINGS_FIELDS[group];
    if (known === undefined) {
      throw geoError('GEO_BAD_SETTING', {
        setting: 'group',
        found: JSON.stringify(group),
        expected: `one of ${Object.keys(SETTINGS_FIELDS).join(', ')}`,
      });
    }
    for (const f of fields ?? []) {
      if (!known.includes(f)) {
        throw geoError('GEO_BAD_SETTING', {
          setting: `${group}.${f}`,
          found: JSON.stringify(f),
          expected: `one of ${known.join(', ')}`,
        });
      }
    }
    await this.load();
    const section = { ...((this.settings[group] ?? {}) as Record<string, unknown>) };
    const dropped = (fields ?? known).filter((f) => section[f] !== undefined);
    if (dropped.length > 0) {
      for (const f of dropped) delete section[f];
      const next: RuntimeSettings = { ...this.settings };
      if (Object.keys(section).length === 0) delete (next as Record<string, unknown>)[group];
      else (next as Record<string, unknown>)[group] = section;
      await this.apply(next);
      this.ctx.log.info(
        { group, fields: dropped },
        `settings reset to the file's values: ${dropped.map((f) => `${group}.${f}`).join(', ')}`,
      );
      this.ctx.events.emit({
        type: 'settings',
        changed: { [group]: Object.fromEntries(dropped.map((f) => [f, null])) },
        at: this.ctx.clock.now(),
      });
      if (this.ctx.state() === 'running') await this.ctx.engine.evaluate();
    }
    return this.settingsInForce(group);
  }

  private valuesOf(group: SettingsGroup): object {
    switch (group) {
      case 'health_check':
        return this.healthCheckInForce();
      case 'failover':
        return this.failoverInForce();
      case 'failback':
        return this.failbackInForce();
      case 'routing':
        return this.routingInForce();
    }
  }

  /** Saves `next` as the API's settings and puts them in force (the monitor refuses unknown methods first). */
  private async apply(next: RuntimeSettings): Promise<void> {
    const geo = effectiveGeoConfig(this.ctx.fileConfig.geo, next);
    this.ctx.monitor.updateConfig(geo); // refuses unknown methods before anything is saved
    await this.ctx.store.kvSet(SETTINGS_KEY, next);
    this.settings = next;
    this.inForce = geo;
  }

  private async save(patch: RuntimeSettings): Promise<void> {
    // Settings may be changed before start() (a check method set up front): merge with what is saved.
    await this.load();
    // A change that names nothing (configure_failover() with no arguments) is a read: nothing is written.
    if (!changesAnything(patch)) return;
    await this.apply(mergeSettings(this.settings, patch));
    this.ctx.log.info({ settings: patch }, 'settings changed');
    // GET of a settings section is an empty change (a read): only a real change is an event.
    const changed = Object.values(patch).some(
      (v) => typeof v === 'object' && v !== null && Object.keys(v).length > 0,
    );
    if (changed)
      this.ctx.events.emit({
        type: 'settings',
        changed: patch as Record<string, unknown>,
        at: this.ctx.clock.now(),
      });
    if (this.ctx.state() === 'running') await this.ctx.engine.evaluate();
  }
}

/** True when some section of `patch` names at least one defined field. */
function changesAnything(patch: RuntimeSettings): boolean {
  return Object.values(patch).some(
    (section) =>
      section !== undefined && Object.values(section as Record<string, unknown>).some((v) => v !== undefined),
  );
}
