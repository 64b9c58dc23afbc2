/**
 * The regions the service knows: those of the config file (the file is their truth) and those registered
 * through the API (kept in the store, re-read so that instances sharing the store agree). It tells the call
 * path when regions change, and keeps geo_regions.health_state and is_active equal to live state.
 */
import type { RegionConfig } from '../config/types';
import { HealthState } from '../model/health-state';
import { compareRegions } from '../model/region-order';
import type { RegionRow } from '../store/types';
import { geoError, requireRunning, type GeoContext } from './context';
import { checkRegionInput, inputOfConfig, inputOfRow, regionConfigOf, storeRowOf } from './region-input';
import type { RegionInfo, RegionInput, RegionStatus } from './types';
import { iso, regionInfo } from './views';

export interface Known {
  readonly config: RegionConfig;
  readonly origin: 'config' | 'api';
}

export class RegionRegistry {
  private readonly known = new Map<string, Known>();
  /** The call path re-plans (targets, registrations, source classification) when regions change. */
  private readonly listeners = new Set<() => void>();
  /** What recordRows last wrote per region (`state|is_active`). */
  private readonly rowsWritten = new Map<string, string>();
  private rowsChain: Promise<void> = Promise.resolve();
  private rowsQueued = false;
  private syncing: Promise<void> = Promise.resolve();
  /**
   * Counts changes made here; `touched` keeps, per region, the count when it was last added, changed or
   * removed here. A re-read of the store that began before such a change must not undo it (the row it read
   * predates the change: a region just registered would be dropped, one just removed added back).
   */
  private changes = 0;
  private readonly touched = new Map<string, number>();

  constructor(private readonly ctx: GeoContext) {}

  get size(): number {
    return this.known.size;
  }

  names(): string[] {
    return [...this.known.keys()];
  }

  has(name: string): boolean {
    return this.known.has(name);
  }

  /** The RegionConfig of every region, in the order they became known. */
  configs(): RegionConfig[] {
    return [...this.known.values()].map((k) => k.config);
  }

  require(name: string): Known {
    const k = this.known.get(name);
    if (!k) throw geoError('GEO_UNKNOWN_REGION', { region: name });
    return k;
  }

  find(name: string): Known | undefined {
    return this.known.get(name);
  }

  /** The file's regions (written to the store), then the API's from the store; file regions gone are removed. */
  async load(): Promise<void> {
    const { fileConfig, store, log } = this.ctx;
    const fileNames = new Set(fileConfig.geo.regions.map((r) => r.name));
    for (const region of fileConfig.geo.regions) {
      await store.upsertRegion(storeRowOf(region, 'config'));
      this.add({ config: region, origin: 'config' });
    }
    for (const row of await store.listRegions()) {
      if (fileNames.has(row.name)) continue;
      if (row.origin === 'config') {
        // Gone from the file: the file is the truth for its regions.
        await store.deleteRegion(row.name);
        log.info({ region: row.name }, `region ${row.name} is no longer in the config file and was removed`);
        continue;
      }
      this.addApiRow(row);
    }
  }

  private addApiRow(row: RegionRow): void {
    try {
      const input = inputOfRow(row);
      checkRegionInput(input);
      this.add({ config: regionConfigOf(input), origin: 'api' });
    } catch (err) {
      this.ctx.log.error({ err, region: row.name }, `stored region ${row.name} is not valid and is ignored`);
    }
  }

  private add(k: Known): void {
    const { monitor } = this.ctx;
    this.touched.set(k.config.name, ++this.changes);
    this.known.set(k.config.name, k);
    if (monitor.regions().includes(k.config.name)) monitor.updateRegion(k.config);
    else monitor.addRegion(k.config);
    this.changed();
  }

  private drop(name: string): void {
    const { monitor } = this.ctx;
    this.touched.set(name, ++this.changes);
    this.known.delete(name);
    if (monitor.regions().includes(name)) monitor.removeRegion(name);
    this.ctx.engine.forgetRegion(name);
    this.ctx.quorum.forgetRegion(name);
    this.ctx.metrics.forgetRegion(name);
    this.changed();
  }

  /** Called after any region is added, changed or removed (here or by another instance); returns an unsubscribe. */
  onChanged(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    for (const listener of this.listeners) {
      try {
        listener();
      } catch (err) {
        this.ctx.log.error({ err }, 'a region-change listener threw');
      }
    }
  }

  /** Regions added, changed or removed through another instance sharing the store. */
  sync(): Promise<void> {
    this.syncing = this.syncing.then(async () => {
      if (this.ctx.state() !== 'running') return;
      try {
        const readFrom = this.changes;
        const rows = await this.ctx.store.listRegions();
        const changedSince = (name: string) => (this.touched.get(name) ?? 0) > readFrom;
        const names = new Set(rows.map((r) => r.name));
        for (const row of rows) {
          const k = this.known.get(row.name);
          if (row.origin !== 'api' || (k && k.origin === 'config') || changedSince(row.name)) continue;
          if (!k || JSON.stringify(inputOfConfig(k.config)) !== JSON.stringify(inputOfRow(row)))
            this.addApiRow(row);
        }
        for (const [name, k] of this.known)
          if (k.origin === 'api' && !names.has(name) && !changedSince(name)) this.drop(name);
      } catch (err) {
        this.ctx.log.warn({ err }, 'could not re-read regions from the store');
      }
    });
    return this.syncing;
  }

  /**
   * Keeps geo_regions.health_state and is_active (the guide's schema, which external tools read) equal to
   * the live state: every region's state (HEALTHY until a probe says otherwise, as the API shows it) and
   * which one is active. Written at start, when a state changes here and when the active region changes
   * here; only rows whose values differ from what this instance wrote last are written.
   */
  recordRows(): void {
    if (this.rowsQueued) return;
    this.rowsQueued = true;
    const { live, store, log } = this.ctx;
    // One pass at a time, reading the live state when it runs: writes of one region never overtake each
    // other (a PostgreSQL pool would run them in parallel), and the last pass writes the latest state.
    this.rowsChain = this.rowsChain.then(async () => {
      this.rowsQueued = false;
      const active = live.getActive()?.name ?? null;
      for (const name of [...this.known.keys()]) {
        const state = live.getRegion(name)?.state ?? HealthState.HEALTHY;
        const row = `${state}|${name === active}`;
        if (this.rowsWritten.get(name) === row) continue;
        try {
          await store.setRegionHealth(name, state, name === active);
          this.rowsWritten.set(name, row);
        } catch (err) {
          log.warn({ err, region: name }, 'could not record region health in geo_regions');
        }
      }
    });
  }

  /** Waits for row writes and a store re-read in flight (at stop). */
  async drain(): Promise<void> {
    await this.rowsChain;
    await this.syncing.catch(() => undefined);
  }

  private info(k: Known): RegionInfo {
    const { live } = this.ctx;
    return regionInfo(k.config, k.origin, live.getRegion(k.config.name), live.getActive()?.name ?? null);
  }

  async register(input: RegionInput): Promise<RegionInfo> {
    requireRunning(this.ctx);
    checkRegionInput(input);
    const { store, metrics, log, engine } = this.ctx;
    if (this.known.has(input.name) || (await store.getRegion(input.name))) {
      throw geoError('GEO_REGION_EXISTS', { region: input.name });
    }
    const config = regionConfigOf(input);
    await store.upsertRegion(storeRowOf(config, 'api'));
    const k: Known = { config, origin: 'api' };
    this.add(k);
    metrics.setRegionHealth(config.name, HealthState.HEALTHY);
    log.info(
      { region: config.name, priority: config.priority, sip_server: config.sip_server },
      `region ${config.name} registered`,
    );
    await engine.evaluate();
    this.recordRows();
    return this.info(k);
  }

  async update(name: string, patch: Partial<Omit<RegionInput, 'name'>>): Promise<RegionInfo> {
    requireRunning(this.ctx);
    const k = this.require(name);
    if (k.origin === 'config')
      throw geoError('GEO_REGION_FROM_CONFIG', { region: name, source: this.ctx.fileConfig.source });
    const input: RegionInput = { ...inputOfConfig(k.config), ...patch, name };
    checkRegionInput(input);
    const config = regionConfigOf(input);
    await this.ctx.store.upsertRegion(storeRowOf(config, 'api'));
    const next: Known = { config, origin: 'api' };
    this.add(next);
    this.ctx.log.info({ region: name, patch }, `region ${name} updated`);
    await this.ctx.engine.evaluate();
    return this.info(next);
  }

  async remove(name: string): Promise<{ removed: string }> {
    requireRunning(this.ctx);
    const k = this.require(name);
    if (k.origin === 'config')
      throw geoError('GEO_REGION_FROM_CONFIG', { region: name, source: this.ctx.fileConfig.source });
    await this.ctx.store.deleteRegion(name);
    this.drop(name);
    await this.ctx.live.removeRegion(name);
    this.ctx.log.info({ region: name }, `region ${name} removed`);
    await this.ctx.engine.evaluate();
    return { removed: name };
  }

  get(name: string): RegionInfo | null {
    const k = this.known.get(name);
    return k ? this.info(k) : null;
  }

  list(): RegionStatus[] {
    const { live } = this.ctx;
    const active = live.getActive()?.name ?? null;
    return this.configs()
      .sort(compareRegions)
      .map((r) => {
        const rec = live.getRegion(r.name);
        return {
          name: r.name,
          priority: r.priority,
          health_state: rec?.state ?? HealthState.HEALTHY,
          is_active: r.name === active,
          last_check: iso(rec?.lastCheck),
        };
      });
  }
}
