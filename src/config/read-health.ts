/** `health_check`, `failover` and `failback` under features.geographic_redundancy. */
import { isScalar } from 'yaml';
import { BUILTIN_CHECK_METHODS, DEFAULT_FAILBACK, DEFAULT_FAILOVER, DEFAULT_HEALTH_CHECK } from './defaults';
import {
  FAILBACK_RULES as FB,
  FAILOVER_RULES as FO,
  FLAP_GUARD_RULES as FLAP,
  HEALTH_CHECK_RULES as HC,
  checkMethodExpected,
} from '../model/field-rules';
import { POSITIVE_SECONDS, integerAtLeast } from './durations';
import type {
  CustomCheckConfig,
  FailbackConfig,
  FailoverConfig,
  HealthCheckConfig,
  QuorumSetting,
} from './types';
import type { Cursor, Fields, Reader } from './yaml-reader';

const CHECK_NAME = /^[a-z][a-z0-9_-]{0,49}$/;

function readCustomChecks(r: Reader, c: Cursor, defaultTimeout: number): CustomCheckConfig[] {
  const out: CustomCheckConfig[] = [];
  const seen = new Map<string, string>();
  for (const item of r.list(c, 'a list of custom checks {name, type, ...}') ?? []) {
    if (item.node === undefined) {
      r.wrong(item, 'a custom check {name, type: command|ttl, ...}');
      continue;
    }
    const f = r.map(item, ['name', 'type', 'command', 'timeout', 'ttl']);
    if (!f) continue;
    const nameExpected = 'a check name of lowercase letters, digits, _ and -';
    const name = r.require(f.get('name'), nameExpected) ? r.string(f.get('name'), nameExpected) : undefined;
    if (name !== undefined && !CHECK_NAME.test(name)) r.wrong(f.get('name'), nameExpected);
    else if (name !== undefined && (BUILTIN_CHECK_METHODS as readonly string[]).includes(name)) {
      r.wrong(f.get('name'), `a name other than the built-in methods (${BUILTIN_CHECK_METHODS.join(', ')})`);
    } else if (name !== undefined && seen.has(name)) {
      r.reportAt('CONFIG_DUPLICATE', f.get('name'), {
        what: 'check name',
        value: `'${name}'`,
        first: seen.get(name),
      });
    }
    const type = r.require(f.get('type'), 'command or ttl')
      ? r.oneOf(f.get('type'), ['command', 'ttl'] as const)
      : undefined;
    if (type === 'command') {
      const command = r.require(
        f.get('command'),
        'a command as a list of strings, e.g. [/usr/local/bin/check, "{region}"]',
      )
        ? r.strings(f.get('command'), 'command arguments (strings)')
        : undefined;
      if (f.has('ttl')) r.wrong(f.get('ttl'), 'no ttl on a command check');
      if (command !== undefined && command.length === 0)
        r.wrong(f.get('command'), 'a non-empty command list');
      const timeout = r.number(f.get('timeout'), POSITIVE_SECONDS) ?? defaultTimeout;
      if (name !== undefined && command !== undefined && command.length > 0) {
        seen.set(name, f.get('name').path);
        out.push({ name, type, command, timeout });
      }
    } else if (type === 'ttl') {
      const ttl = r.require(f.get('ttl'), POSITIVE_SECONDS.expected)
        ? r.number(f.get('ttl'), POSITIVE_SECONDS)
        : undefined;
      if (f.has('command')) r.wrong(f.get('command'), 'no command on a ttl check');
      if (f.has('timeout')) r.wrong(f.get('timeout'), 'no timeout on a ttl check (ttl is its limit)');
      if (name !== undefined && ttl !== undefined) {
        seen.set(name, f.get('name').path);
        out.push({ name, type, ttl });
      }
    }
  }
  return out;
}

export function readHealthCheck(r: Reader, c: Cursor): HealthCheckConfig {
  const d = DEFAULT_HEALTH_CHECK;
  const f = r.map(c, [
    'interval',
    'timeout',
    'retry_count',
    'success_threshold',
    'check_methods',
    'custom_checks',
    'jitter',
    'latency_warning_ms',
    'sip_options_ok_codes',
    'passive_failure_threshold',
    'score_window',
    'retention',
    'quorum',
  ]);
  if (!f) return d;
  const timeout = r.field<number>(f.get('timeout'), HC.timeout) ?? d.timeout;
  const custom_checks = readCustomChecks(r, f.get('custom_checks'), timeout);
  const known = [...BUILTIN_CHECK_METHODS, ...custom_checks.map((cc) => cc.name)];
  // The list's shape is the shared rule; which names exist only the file (and the monitor) knows.
  let check_methods = r.field<string[]>(f.get('check_methods'), HC.check_methods);
  if (check_methods !== undefined) {
    const items = r.list(f.get('check_methods'), HC.check_methods.expected) ?? [];
    const unknown = items.filter((_, i) => !known.includes(check_methods![i]!));
    for (const item of unknown) r.wrong(item, checkMethodExpected(known));
    if (unknown.length > 0) check_methods = undefined;
  }
  const codes = r.list(f.get('sip_options_ok_codes'), 'a list of SIP status codes (100..699)') ?? [];
  const okCodes = codes
    .map((item) =>
      r.number(item, { expected: 'a SIP status code (100..699)', integer: true, min: 100, max: 699 }),
    )
    .filter((n): n is number => n !== undefined);
  if (f.has('sip_options_ok_codes') && codes.length === 0)
    r.wrong(f.get('sip_options_ok_codes'), 'at least one SIP status code');

  const retentionF = r.map(f.get('retention'), ['max_rows', 'max_age_days']);
  return {
    quorum: readQuorum(r, f.get('quorum')) ?? d.quorum ?? 'majority',
    interval: r.field<number>(f.get('interval'), HC.interval) ?? d.interval,
    timeout,
    retry_count: r.field<number>(f.get('retry_count'), HC.retry_count) ?? d.retry_count,
    success_threshold:
      r.field<number>(f.get('success_threshold'), HC.success_threshold) ?? d.success_threshold,
    check_methods: check_methods ?? d.check_methods,
    custom_checks,
    jitter:
      r.number(f.get('jitter'), { expected: 'a fraction of the interval from 0 to 0.5', min: 0, max: 0.5 }) ??
      d.jitter,
    latency_warning_ms:
      r.field<number>(f.get('latency_warning_ms'), HC.latency_warning_ms) ?? d.latency_warning_ms,
    sip_options_ok_codes:
      f.has('sip_options_ok_codes') && okCodes.length > 0 ? okCodes : d.sip_options_ok_codes,
    passive_failure_threshold:
      r.number(f.get('passive_failure_threshold'), integerAtLeast(1)) ?? d.passive_failure_threshold,
    score_window: r.number(f.get('score_window'), POSITIVE_SECONDS) ?? d.score_window,
    retention: {
      max_rows:
        (retentionF && r.number(retentionF.get('max_rows'), integerAtLeast(1))) ?? d.retention.max_rows,
      max_age_days:
        (retentionF && r.number(retentionF.get('max_age_days'), { expected: 'days > 0', above: 0 })) ??
        d.retention.max_age_days,
    },
  };
}

const QUORUM_EXPECTED =
  'majority, a number of instances (an integer >= 1) or a fraction of the instances (greater than 0, less than 1)';

/** `quorum: majority | <n> | <fraction>` (decide-quorum.ts reads it). */
function readQuorum(r: Reader, c: Cursor): QuorumSetting | undefined {
  if (c.node === undefined) return undefined;
  const value: unknown = isScalar(c.node) ? c.node.value : undefined;
  if (value === 'majority') return 'majority';
  if (typeof value !== 'number') return r.wrong(c, QUORUM_EXPECTED);
  if (Number.isFinite(value) && ((Number.isInteger(value) && value >= 1) || (value > 0 && value < 1)))
    return value;
  return r.wrong(c, QUORUM_EXPECTED);
}

export interface FailoverAndFailback {
  readonly failover: FailoverConfig;
  readonly failback: FailbackConfig;
}

/** The guide puts `failback`/`failback_delay` inside `failover`; a separate `failback` block may say more. */
export function readFailoverAndFailback(
  r: Reader,
  failoverC: Cursor,
  failbackC: Cursor,
): FailoverAndFailback {
  const fo = r.map(failoverC, [
    'automatic',
    'failback',
    'failback_delay',
    'min_failure_duration',
    'failover_delay',
    'degraded_is_eligible',
    'flap_guard',
  ]);
  const fb = r.map(failbackC, ['enabled', 'delay', 'health_threshold', 'automatic']);
  const dfo = DEFAULT_FAILOVER;
  const dfb = DEFAULT_FAILBACK;
  const flapF = fo && r.map(fo.get('flap_guard'), ['max_switches', 'window']);
  const failover: FailoverConfig = {
    automatic: (fo && r.field<boolean>(fo.get('automatic'), FO.automatic)) ?? dfo.automatic,
    min_failure_duration:
      (fo && r.field<number>(fo.get('min_failure_duration'), FO.min_failure_duration)) ??
      dfo.min_failure_duration,
    failover_delay:
      (fo && r.field<number>(fo.get('failover_delay'), FO.failover_delay)) ?? dfo.failover_delay,
    degraded_is_eligible: (fo && r.boolean(fo.get('degraded_is_eligible'))) ?? dfo.degraded_is_eligible,
    flap_guard: {
      max_switches:
        (flapF && r.field<number>(flapF.get('max_switches'), FLAP.max_switches)) ??
        dfo.flap_guard.max_switches,
      window: (flapF && r.field<number>(flapF.get('window'), FLAP.window)) ?? dfo.flap_guard.window,
    },
  };

  const legacyEnabled = fo && r.field<boolean>(fo.get('failback'), FB.enabled);
  const legacyDelay = fo && r.field<number>(fo.get('failback_delay'), FB.delay);
  const enabled = fb && r.field<boolean>(fb.get('enabled'), FB.enabled);
  const delay = fb && r.field<number>(fb.get('delay'), FB.delay);
  agree(r, fb, 'enabled', enabled, fo, 'failback', legacyEnabled);
  agree(r, fb, 'delay', delay, fo, 'failback_delay', legacyDelay);

  const failback: FailbackConfig = {
    enabled: enabled ?? legacyEnabled ?? dfb.enabled,
    delay: delay ?? legacyDelay ?? dfb.delay,
    health_threshold:
      (fb && r.field<number>(fb.get('health_threshold'), FB.health_threshold)) ?? dfb.health_threshold,
    automatic: (fb && r.field<boolean>(fb.get('automatic'), FB.automatic)) ?? dfb.automatic,
  };
  return { failover, failback };
}

function agree<T>(
  r: Reader,
  fb: Fields | undefined,
  key: string,
  value: T | undefined,
  fo: Fields | undefined,
  legacyKey: string,
  legacy: T | undefined,
): void {
  if (fb === undefined || fo === undefined || value === undefined || legacy === undefined || value === legacy)
    return;
  r.reportAt('CONFIG_CONFLICT', fb.get(key), {
    found: `${key}: ${String(value)}`,
    other_path: fo.get(legacyKey).path,
    other: String(legacy),
  });
}
