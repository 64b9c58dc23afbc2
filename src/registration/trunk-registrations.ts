/**
 * geored's trunk registrations: one per region that has credentials, in EVERY region (not only the active
 * one), so a failover finds the backup trunk already registered. Health monitoring listens to 'state' to
 * mark a region DEGRADED when its registration fails while OPTIONS pass.
 */
import { Resolver } from 'node:dns/promises';
import pino, { type Logger } from 'pino';
import type { RegionConfig } from '../config/types';
import { errorFactory } from '../errors/catalogue';
import { REGISTRATION_ERRORS } from '../errors/registration';
import { resolveSipTarget } from '../sip/dns/resolve-target';
import type { TransportProtocol } from '../sip/transport/types';
import { TrunkRegistration, type RegistrationStack, type ResolveTarget } from './trunk-registration';
import type { RegistrationStatus } from './trunk-state';
import { resolveTiming, type RegistrationTiming } from './trunk-timing';

const err = errorFactory(REGISTRATION_ERRORS);

export interface TrunkRegistrationsOptions {
  readonly stack: RegistrationStack;
  /** Regions without credentials are skipped: there is nothing to register. */
  readonly regions?: readonly RegionConfig[];
  readonly timing?: Partial<RegistrationTiming>;
  /** Default: RFC 3263 through the system's DNS servers, for the transports the stack listens on. */
  readonly resolve?: ResolveTarget;
  readonly logger?: Logger;
  /** Wall clock, epoch ms (statuses are shown through the API). */
  readonly now?: () => number;
  readonly random?: () => number;
}

export type StateListener = (region: string, status: RegistrationStatus) => void;

export class TrunkRegistrations {
  private readonly registrations = new Map<string, TrunkRegistration>();
  private readonly listeners = new Set<StateListener>();
  private readonly timing: RegistrationTiming;
  private readonly resolve: ResolveTarget;
  private readonly log: Logger;
  private running = false;

  constructor(private readonly opts: TrunkRegistrationsOptions) {
    this.timing = resolveTiming(opts.timing);
    this.log = opts.logger ?? pino({ enabled: false });
    this.resolve = opts.resolve ?? systemResolver(opts.stack, opts.random ?? Math.random);
    for (const region of opts.regions ?? []) {
      if (region.credentials !== undefined) this.addRegion(region);
    }
  }

  /** Starts every registration (and the ones added later). */
  start(): void {
    this.running = true;
    for (const r of this.registrations.values()) r.start();
  }

  /** Un-REGISTERs every region (Expires: 0), each bounded by the unregister timeout, in parallel. */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all([...this.registrations.values()].map((r) => r.stop()));
  }

  statusOf(region: string): RegistrationStatus | undefined {
    return this.registrations.get(region)?.status;
  }

  statuses(): RegistrationStatus[] {
    return [...this.registrations.values()].map((r) => r.status);
  }

  on(event: 'state', listener: StateListener): this {
    if (event === 'state') this.listeners.add(listener);
    return this;
  }

  off(event: 'state', listener: StateListener): this {
    if (event === 'state') this.listeners.delete(listener);
    return this;
  }

  /** Throws REG_NO_CREDENTIALS for a region without credentials, REG_DUPLICATE_REGION for a known one. */
  addRegion(region: RegionConfig): void {
    if (region.credentials === undefined) throw err('REG_NO_CREDENTIALS', { region: region.name });
    if (this.registrations.has(region.name)) throw err('REG_DUPLICATE_REGION', { region: region.name });
    const registration = new TrunkRegistration(region, {
      stack: this.opts.stack,
      resolve: this.resolve,
      timing: this.timing,
      now: this.opts.now ?? Date.now,
      random: this.opts.random ?? Math.random,
      log: this.log,
      onState: (status) => this.emit(region.name, status),
    });
    this.registrations.set(region.name, registration);
    if (this.running) registration.start();
  }

  /** Unregisters and forgets the region; throws REG_UNKNOWN_REGION when there is no registration for it. */
  async removeRegion(name: string): Promise<void> {
    const registration = this.registrations.get(name);
    if (registration === undefined) throw err('REG_UNKNOWN_REGION', { region: name });
    this.registrations.delete(name);
    await registration.stop();
  }

  /**
   * Applies a changed region: a new registration (new Call-ID) when anything it registers with changed,
   * removal when it lost its credentials, a new one when it gained them. Unchanged: nothing happens.
   */
  async updateRegion(region: RegionConfig): Promise<void> {
    const existing = this.registrations.get(region.name);
    if (existing === undefined) {
      if (region.credentials !== undefined) this.addRegion(region);
      return;
    }
    if (sameRegistration(existing.config, region)) return;
    await this.removeRegion(region.name);
    if (region.credentials !== undefined) this.addRegion(region);
  }

  private emit(region: string, status: RegistrationStatus): void {
    for (const listener of this.listeners) {
      try {
        listener(region, status);
      } catch (e) {
        this.log.error({ region, err: (e as Error).message }, 'registration state listener threw');
      }
    }
  }
}

function sameRegistration(a: RegionConfig, b: RegionConfig): boolean {
  const ca = a.credentials;
  const cb = b.credentials;
  return (
    a.sip_server === b.sip_server &&
    a.request_uri_host === b.request_uri_host &&
    ca !== undefined &&
    cb !== undefined &&
    ca.username === cb.username &&
    ca.password.value === cb.password.value &&
    ca.realm === cb.realm &&
    ca.expires === cb.expires &&
    ca.aor_user === cb.aor_user
  );
}

function systemResolver(stack: RegistrationStack, random: () => number): ResolveTarget {
  const dns = new Resolver();
  return (target) => {
    const supported = [...new Set<TransportProtocol>(stack.endpoints().map((e) => e.protocol))];
    return resolveSipTarget(target, dns, { supported, random });
  };
}
