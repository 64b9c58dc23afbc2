/**
 * Which check method a name in `check_methods` means: the four built-ins, the command and TTL checks of
 * `custom_checks`, and TypeScript functions registered at run time (`addHealthCheckMethod`). Unknown names
 * are refused with the list of known ones, so a typo fails loudly instead of never probing.
 */
import type { CustomCheckConfig, RegionConfig } from '../../config/types';
import { errorFactory } from '../../errors/catalogue';
import { CHECK_ERRORS } from '../../errors/checks';
import { commandCheck } from './command';
import { customCheck, type CustomCheckFn } from './custom';
import type { ResolveEndpoints } from './endpoints';
import { httpPing } from './http-ping';
import { icmpPingCheck } from './icmp-ping';
import { sipOptionsCheck, type OptionsSender } from './sip-options';
import { tcpConnectCheck } from './tcp-connect';
import { TtlBoard, type TtlPush } from './ttl';
import type { CheckEntry } from './types';

const checkError = errorFactory(CHECK_ERRORS);

export const BUILTIN_METHODS = ['sip_options', 'http_ping', 'icmp_ping', 'tcp_connect'] as const;

/** What the monitor needs from a registry: a method by name. */
export interface CheckLookup {
  get(name: string): CheckEntry;
}

export interface CheckRegistryDeps {
  readonly stack: OptionsSender;
  /** RFC 3263 resolution of a region's `sip_server` (TargetCache.resolve fits). */
  readonly resolve: ResolveEndpoints;
  /** `sip_options_ok_codes`, read at each probe. */
  readonly okCodes: () => readonly number[];
  /** The clock TTL pushes are timed with (the monitor's, so tests can run TTLs in virtual time). */
  readonly now: () => number;
  readonly pingPath?: string;
}

export class CheckRegistry implements CheckLookup {
  readonly ttl: TtlBoard;
  private readonly builtins = new Map<string, CheckEntry>();
  /** From `custom_checks` in the configuration; replaced as a whole by `configure`. */
  private configured = new Map<string, CheckEntry>();
  private readonly ttlNames = new Set<string>();
  /** Registered at run time; these win over configured ones of the same name. */
  private readonly registered = new Map<string, CheckEntry>();

  constructor(deps: CheckRegistryDeps) {
    this.ttl = new TtlBoard(deps.now);
    const add = (entry: CheckEntry) => this.builtins.set(entry.name, entry);
    add({ name: 'sip_options', run: sipOptionsCheck(deps) });
    add({
      name: 'http_ping',
      run: httpPing,
      // Only regions with a URL have an HTTP side to ping; the others are judged by their other methods.
      appliesTo: (region: RegionConfig) => region.http_check_url !== undefined,
    });
    add({ name: 'icmp_ping', run: icmpPingCheck(deps.resolve, deps.pingPath) });
    add({ name: 'tcp_connect', run: tcpConnectCheck(deps.resolve) });
  }

  /** Installs the command and TTL checks of `health_check.custom_checks`, replacing the previous set. */
  configure(checks: readonly CustomCheckConfig[]): void {
    const next = new Map<string, CheckEntry>();
    this.ttlNames.clear();
    for (const c of checks) {
      if (this.builtins.has(c.name)) throw checkError('CHECK_BUILTIN_NAME', { name: c.name });
      if (c.type === 'command') {
        next.set(c.name, { name: c.name, run: commandCheck(c), timeoutMs: c.timeout * 1000 });
      } else {
        next.set(c.name, { name: c.name, run: this.ttl.check(c.name, c.ttl) });
        this.ttlNames.add(c.name);
      }
    }
    this.configured = next;
  }

  /** A TypeScript check function under `name`; registering the same name again replaces it. */
  register(name: string, fn: CustomCheckFn, opts: { timeoutMs?: number } = {}): void {
    if (this.builtins.has(name)) throw checkError('CHECK_BUILTIN_NAME', { name });
    const entry: CheckEntry = { name, run: customCheck(name, fn) };
    this.registered.set(name, opts.timeoutMs === undefined ? entry : { ...entry, timeoutMs: opts.timeoutMs });
  }

  unregister(name: string): boolean {
    return this.registered.delete(name);
  }

  has(name: string): boolean {
    return this.builtins.has(name) || this.registered.has(name) || this.configured.has(name);
  }

  names(): string[] {
    return [...new Set([...this.builtins.keys(), ...this.configured.keys(), ...this.registered.keys()])];
  }

  get(name: string): CheckEntry {
    const entry = this.builtins.get(name) ?? this.registered.get(name) ?? this.configured.get(name);
    if (!entry) throw checkError('CHECK_UNKNOWN_METHOD', { name, known: this.names().join(', ') });
    return entry;
  }

  /** Throws CHECK_UNKNOWN_METHOD for the first name that is not a known method. */
  requireAll(names: readonly string[]): void {
    for (const name of names) this.get(name);
  }

  /** A TTL push from outside (the REST API). */
  pushTtl(region: string, name: string, push: TtlPush): void {
    if (!this.ttlNames.has(name) || this.registered.has(name)) {
      throw checkError('CHECK_NOT_TTL', { name, known: [...this.ttlNames].join(', ') || '(none)' });
    }
    this.ttl.push(region, name, push);
  }
}
