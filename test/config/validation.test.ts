import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config';
import { SOURCE, errorOf, geoDoc, problemsOf, region } from './helpers';

const G = 'features.geographic_redundancy';
const two = [region('a', 1), region('b', 2)];

interface Case {
  readonly name: string;
  readonly doc: string;
  readonly path: string;
  /** The exact message of the problem at `path`. */
  readonly message: string;
}

const cases: Case[] = [
  {
    name: 'interval must be > 0',
    doc: geoDoc({ health_check: { interval: 0 } }),
    path: `${G}.health_check.interval`,
    message:
      'found 0, expected a duration in seconds above 0 and at most 86400 (fractions allowed, e.g. 0.5)',
  },
  {
    name: 'interval must be a number, not a string',
    doc: geoDoc({ health_check: { interval: '30s' } }),
    path: `${G}.health_check.interval`,
    message:
      'found "30s", expected a duration in seconds above 0 and at most 86400 (fractions allowed, e.g. 0.5)',
  },
  {
    name: 'timeout must be > 0',
    doc: geoDoc({ health_check: { timeout: -1 } }),
    path: `${G}.health_check.timeout`,
    message:
      'found -1, expected a duration in seconds above 0 and at most 86400 (fractions allowed, e.g. 0.5)',
  },
  {
    name: 'retry_count is an integer >= 1',
    doc: geoDoc({ health_check: { retry_count: 0 } }),
    path: `${G}.health_check.retry_count`,
    message: 'found 0, expected an integer from 1 to 100',
  },
  {
    name: 'jitter is at most half the interval',
    doc: geoDoc({ health_check: { jitter: 0.7 } }),
    path: `${G}.health_check.jitter`,
    message: 'found 0.7, expected a fraction of the interval from 0 to 0.5',
  },
  ...[['most'], [0], [1.5], [-2], [true]].map(([value]) => ({
    name: `quorum ${JSON.stringify(value)} is majority, an instance count or a fraction`,
    doc: geoDoc({ health_check: { quorum: value } }),
    path: `${G}.health_check.quorum`,
    message:
      `found ${typeof value === 'string' ? JSON.stringify(value) : String(value)}, expected majority, a number of ` +
      'instances (an integer >= 1) or a fraction of the instances (greater than 0, less than 1)',
  })),
  {
    name: 'check methods are known',
    doc: geoDoc({ health_check: { check_methods: ['sip_options', 'smoke_signal'] } }),
    path: `${G}.health_check.check_methods[1]`,
    message:
      'found "smoke_signal", expected one of sip_options, http_ping, icmp_ping, tcp_connect (custom checks are declared in custom_checks)',
  },
  {
    name: 'OPTIONS ok codes are SIP statuses',
    doc: geoDoc({ health_check: { sip_options_ok_codes: [200, 99] } }),
    path: `${G}.health_check.sip_options_ok_codes[1]`,
    message: 'found 99, expected a SIP status code (100..699)',
  },
  {
    name: 'a command check needs a command',
    doc: geoDoc({ health_check: { custom_checks: [{ name: 'x', type: 'command' }] } }),
    path: `${G}.health_check.custom_checks[0].command`,
    message:
      'found nothing, expected a command as a list of strings, e.g. [/usr/local/bin/check, "{region}"]',
  },
  {
    name: 'custom checks cannot take a built-in name',
    doc: geoDoc({ health_check: { custom_checks: [{ name: 'http_ping', type: 'ttl', ttl: 5 }] } }),
    path: `${G}.health_check.custom_checks[0].name`,
    message:
      'found "http_ping", expected a name other than the built-in methods (sip_options, http_ping, icmp_ping, tcp_connect)',
  },
  {
    name: 'automatic is a boolean',
    doc: geoDoc({ failover: { automatic: 'yes' } }),
    path: `${G}.failover.automatic`,
    message: 'found "yes", expected true or false',
  },
  {
    name: 'failover_delay is >= 0',
    doc: geoDoc({ failover: { failover_delay: -5 } }),
    path: `${G}.failover.failover_delay`,
    message: 'found -5, expected a duration in seconds from 0 to 86400 (fractions allowed, e.g. 0.5)',
  },
  {
    name: 'health_threshold is in [0, 1]',
    doc: geoDoc({ failback: { health_threshold: 95 } }),
    path: `${G}.failback.health_threshold`,
    message: 'found 95, expected a number from 0 to 1',
  },
  {
    name: 'failback.enabled must agree with failover.failback',
    doc: geoDoc({ failover: { failback: false }, failback: { enabled: true } }),
    path: `${G}.failback.enabled`,
    message: `found enabled: true, which disagrees with ${G}.failover.failback (false); expected them to agree`,
  },
  {
    name: 'failback.delay must agree with failover.failback_delay',
    doc: geoDoc({ failover: { failback_delay: 300 }, failback: { delay: 60 } }),
    path: `${G}.failback.delay`,
    message: `found delay: 60, which disagrees with ${G}.failover.failback_delay (300); expected them to agree`,
  },
  {
    name: 'priority is an integer >= 1',
    doc: geoDoc({ regions: [region('a', 1), region('b', 0)] }),
    path: `${G}.regions[1].priority`,
    message: 'found 0, expected an integer from 1 to 1000000 (1 is the highest priority)',
  },
  {
    name: 'priority must be an integer',
    doc: geoDoc({ regions: [region('a', 1.5)] }),
    path: `${G}.regions[0].priority`,
    message: 'found 1.5, expected an integer from 1 to 1000000 (1 is the highest priority)',
  },
  {
    name: 'a region needs a sip_server',
    doc: geoDoc({ regions: [{ name: 'a', priority: 1, trunk_id: 't' }] }),
    path: `${G}.regions[0].sip_server`,
    message: 'found nothing, expected a host, host:port, [IPv6]:port, or a sip:/sips: URI',
  },
  {
    name: 'a region needs a name',
    doc: geoDoc({ regions: [{ priority: 1, trunk_id: 't', sip_server: 'h' }] }),
    path: `${G}.regions[0].name`,
    message: 'found nothing, expected a region name of up to 50 letters, digits, ., _ or - (e.g. us-east-1)',
  },
  {
    name: 'region names are unique',
    doc: geoDoc({ regions: [region('a', 1), { ...region('a', 2), sip_server: 'other.example.com' }] }),
    path: `${G}.regions[1].name`,
    message: `found region name 'a' again (first at ${G}.regions[0].name), expected each region name once`,
  },
  {
    name: 'two regions cannot share a sip_server',
    doc: geoDoc({ regions: [region('a', 1), { ...region('b', 2), sip_server: 'sip.a.example.com' }] }),
    path: `${G}.regions[1].sip_server`,
    message: `found sip_server 'sip.a.example.com' again (first at ${G}.regions[0].sip_server), expected each sip_server once`,
  },
  {
    name: 'sip_server port range',
    doc: geoDoc({ regions: [region('a', 1, { sip_server: 'host.example.com:70000' })] }),
    path: `${G}.regions[0].sip_server`,
    message:
      'found "host.example.com:70000", expected a host, host:port, [IPv6]:port, or a sip:/sips: URI such as sip:host:5060;transport=tcp',
  },
  {
    name: 'sip_server transport',
    doc: geoDoc({ regions: [region('a', 1, { sip_server: 'sip:h.example.com;transport=sctp' })] }),
    path: `${G}.regions[0].sip_server`,
    message: 'found "sip:h.example.com;transport=sctp", expected ;transport=udp, tcp or tls',
  },
  {
    name: 'weight is >= 0',
    doc: geoDoc({ regions: [region('a', 1, { weight: -1 })] }),
    path: `${G}.regions[0].weight`,
    message: 'found -1, expected a weight from 0 to 1000000',
  },
  {
    name: 'latitude range',
    doc: geoDoc({ regions: [region('a', 1, { latitude: 91, longitude: 0 })] }),
    path: `${G}.regions[0].latitude`,
    message: 'found 91, expected a latitude from -90 to 90',
  },
  {
    name: 'longitude range',
    doc: geoDoc({ regions: [region('a', 1, { latitude: 0, longitude: -181 })] }),
    path: `${G}.regions[0].longitude`,
    message: 'found -181, expected a longitude from -180 to 180',
  },
  {
    name: 'latitude without longitude',
    doc: geoDoc({ regions: [region('a', 1, { latitude: 10 })] }),
    path: `${G}.regions[0].longitude`,
    message: 'found nothing, expected longitude too, since latitude is given',
  },
  {
    name: 'region time zone is IANA',
    doc: geoDoc({ regions: [region('a', 1, { timezone: 'Mars/Olympus' })] }),
    path: `${G}.regions[0].timezone`,
    message: 'found "Mars/Olympus", expected an IANA time zone such as America/New_York',
  },
  {
    name: 'http_check_url is http(s)',
    doc: geoDoc({ regions: [region('a', 1, { http_check_url: 'ftp://x/health' })] }),
    path: `${G}.regions[0].http_check_url`,
    message: 'found "ftp://x/health", expected an http:// or https:// URL',
  },
  {
    name: 'source addresses are IPs or CIDRs',
    doc: geoDoc({ regions: [region('a', 1, { source_addresses: ['10.0.0.0/33'] })] }),
    path: `${G}.regions[0].source_addresses[0]`,
    message: 'found "10.0.0.0/33", expected an IP address or CIDR block such as 203.0.113.0/24',
  },
  {
    name: 'rewriting Via is refused',
    doc: geoDoc({ regions: [region('a', 1, { rewrite_headers: [{ header: 'Via', remove: true }] })] }),
    path: `${G}.regions[0].rewrite_headers[0].header`,
    message: 'found "Via", expected a header the proxy does not own (not Via: rewriting it breaks the call)',
  },
  {
    name: 'a rewrite has exactly one action',
    doc: geoDoc({
      regions: [region('a', 1, { rewrite_headers: [{ header: 'X-A', remove: true, set: 'v' }] })],
    }),
    path: `${G}.regions[0].rewrite_headers[0]`,
    message: 'found a mapping, expected exactly one of remove, set, replace_host (found remove and set)',
  },
  {
    name: 'credentials need a username',
    doc: geoDoc({ regions: [region('a', 1, { credentials: { password: 'env:P' } })] }),
    path: `${G}.regions[0].credentials.username`,
    message: 'found nothing, expected a user name',
  },
  {
    name: 'routing strategy',
    doc: geoDoc({ routing: { strategy: 'random' } }),
    path: `${G}.routing.strategy`,
    message: 'found "random", expected one of priority, proximity, time_of_day',
  },
  {
    name: 'routing weights name configured regions',
    doc: geoDoc({ regions: two, routing: { weights: { a: 1, c: 2 } } }),
    path: `${G}.routing.weights.c`,
    message: "found region 'c', expected one of the configured regions (a, b)",
  },
  {
    name: 'routing weights are >= 0',
    doc: geoDoc({ regions: two, routing: { weights: { a: -1 } } }),
    path: `${G}.routing.weights.a`,
    message: 'found -1, expected a weight from 0 to 1000000',
  },
  {
    name: 'time ranges are HH:MM-HH:MM',
    doc: geoDoc({ regions: two, routing: { time_based: { '8-17': 'a' } } }),
    path: `${G}.routing.time_based["8-17"]`,
    message:
      'found "8-17", expected HH:MM-HH:MM with start in 00:00..23:59, end in 00:01..24:00, start != end',
  },
  {
    name: '24:00 is only an end',
    doc: geoDoc({ regions: two, routing: { time_based: { '24:00-08:00': 'a' } } }),
    path: `${G}.routing.time_based["24:00-08:00"]`,
    message:
      'found "24:00-08:00", expected HH:MM-HH:MM with start in 00:00..23:59, end in 00:01..24:00, start != end',
  },
  {
    name: 'time ranges name configured regions',
    doc: geoDoc({ regions: two, routing: { time_based: { '00:00-08:00': 'z' } } }),
    path: `${G}.routing.time_based["00:00-08:00"]`,
    message: "found region 'z', expected one of the configured regions (a, b)",
  },
  {
    name: 'time ranges do not overlap (including across midnight)',
    doc: geoDoc({ regions: two, routing: { time_based: { '22:00-06:00': 'a', '05:00-09:00': 'b' } } }),
    path: `${G}.routing.time_based["05:00-09:00"]`,
    message:
      'found "05:00-09:00", which overlaps "22:00-06:00" at 05:00, expected time ranges that do not overlap',
  },
  {
    name: 'time_of_day needs ranges',
    doc: geoDoc({ regions: two, routing: { strategy: 'time_of_day' } }),
    path: `${G}.routing.time_based`,
    message:
      'found nothing, expected time_based ranges such as {"08:00-17:00": us-east-1}, since strategy is time_of_day',
  },
  {
    name: 'routing time zone is IANA',
    doc: geoDoc({ routing: { timezone: 'Europe/Atlantis' } }),
    path: `${G}.routing.timezone`,
    message: 'found "Europe/Atlantis", expected an IANA time zone such as America/New_York',
  },
  {
    name: 'a location rule has a prefix or a source',
    doc: geoDoc({ routing: { location_rules: [{ location: { latitude: 1, longitude: 2 } }] } }),
    path: `${G}.routing.location_rules[0]`,
    message:
      'found a mapping, expected exactly one of prefix and source ({prefix: "+1", location: {latitude, longitude}} or {source: CIDR, location: {...}})',
  },
  {
    name: 'a location rule source is a CIDR',
    doc: geoDoc({
      routing: { location_rules: [{ source: 'here', location: { latitude: 1, longitude: 2 } }] },
    }),
    path: `${G}.routing.location_rules[0].source`,
    message: 'found "here", expected an IP address or CIDR block such as 198.51.100.0/24',
  },
  {
    name: 'a location rule needs a location',
    doc: geoDoc({ routing: { location_rules: [{ prefix: '+1' }] } }),
    path: `${G}.routing.location_rules[0].location`,
    message: 'found nothing, expected {latitude, longitude}',
  },
  {
    name: 'listen addresses',
    doc: geoDoc({}, { server: { sip: { listen: ['udp:localhost:5060'] } } }),
    path: 'server.sip.listen[0]',
    message:
      'found "udp:localhost:5060", expected a listen address like udp:127.0.0.1:5060, tcp:[::1]:5060 or tls:0.0.0.0:5061',
  },
  {
    name: 'a tls listener needs tls files',
    doc: geoDoc({}, { server: { sip: { listen: ['tls:127.0.0.1:5061'] } } }),
    path: 'server.sip.tls',
    message: 'found nothing, expected tls {cert, key} since a tls: listen address is configured',
  },
  {
    name: 'api listen',
    doc: geoDoc({}, { server: { api: { listen: '127.0.0.1' } } }),
    path: 'server.api.listen',
    message: 'found "127.0.0.1", expected an IP address and port like 127.0.0.1:8080 or [::1]:8080',
  },
  {
    name: 'store',
    doc: geoDoc({}, { server: { store: 'mysql://db' } }),
    path: 'server.store',
    message: 'found "mysql://db", expected sqlite:PATH or a postgres://user@host/db URL',
  },
  {
    name: 'redis',
    doc: geoDoc({}, { server: { redis: 'http://cache:6379' } }),
    path: 'server.redis',
    message: 'found "http://cache:6379", expected a redis://host:port or rediss://host:port URL',
  },
  {
    name: 'token role',
    doc: geoDoc({}, { server: { tokens: [{ name: 't', token: 'env:T', role: 'root' }] } }),
    path: 'server.tokens[0].role',
    message: 'found "root", expected one of admin, read',
  },
  {
    name: 'log level',
    doc: geoDoc({}, { server: { log_level: 'verbose' } }),
    path: 'server.log_level',
    message: 'found "verbose", expected one of fatal, error, warn, info, debug, trace, silent',
  },
  {
    name: 'failover codes are 4xx/5xx other than auth challenges',
    doc: geoDoc({}, { proxy: { failover_codes: [503, 407] } }),
    path: 'proxy.failover_codes[1]',
    message: 'found 407, expected a SIP status from 400 to 599 other than 401 and 407',
  },
  {
    name: 'failover 6xx are 6xx',
    doc: geoDoc({}, { proxy: { failover_6xx: [503] } }),
    path: 'proxy.failover_6xx[0]',
    message: 'found 503, expected a SIP status from 600 to 699',
  },
  {
    name: 'provisional timeout',
    doc: geoDoc({}, { proxy: { provisional_timeout_ms: 0 } }),
    path: 'proxy.provisional_timeout_ms',
    message: 'found 0, expected milliseconds > 0',
  },
  {
    name: 'max_forwards',
    doc: geoDoc({}, { proxy: { max_forwards: 300 } }),
    path: 'proxy.max_forwards',
    message: 'found 300, expected an integer from 1 to 255',
  },
  {
    name: 'timer_c_ms',
    doc: geoDoc({}, { proxy: { timer_c_ms: 0 } }),
    path: 'proxy.timer_c_ms',
    message: 'found 0, expected milliseconds, an integer > 0 (RFC 3261 asks for more than 180000)',
  },
  {
    name: 'did_header',
    doc: geoDoc({}, { proxy: { did_header: 'X Called' } }),
    path: 'proxy.did_header',
    message: 'found "X Called", expected a SIP header name (a token, e.g. X-Called-DID)',
  },
  {
    name: 'pbx address',
    doc: geoDoc({}, { pbx: { address: '127.0.0.1:5070' } }),
    path: 'pbx.address',
    message: 'found "127.0.0.1:5070", expected a PBX address like udp:127.0.0.1:5070 or tcp:[::1]:5070',
  },
  {
    name: 'a mapping where a list belongs',
    doc: geoDoc({ regions: { name: 'a' } }),
    path: `${G}.regions`,
    message: 'found a mapping, expected a list of regions',
  },
];

describe('validation: each rule names the path, what was found and what was expected', () => {
  it.each(cases)('$name', ({ doc, path, message }) => {
    const problems = problemsOf(doc, { P: 'pw', T: 'tok' });
    const match = problems.find((p) => p.path === path);
    expect(match, `no problem at ${path}; got ${JSON.stringify(problems)}`).toBeDefined();
    expect(match!.message).toBe(message);
    expect(problems).toHaveLength(1);
  });
});

describe('positions', () => {
  it('gives the line and column of the offending value', () => {
    const text = [
      'features:',
      '  geographic_redundancy:',
      '    regions:',
      '      - name: a',
      '        priority: 1',
      '        trunk_id: t',
      '        sip_server: a.example.com',
      '      - name: b',
      '        priority: zero',
      '        trunk_id: t',
      '        sip_server: b.example.com',
    ].join('\n');
    expect(problemsOf(text)).toEqual([
      {
        code: 'CONFIG_WRONG_VALUE',
        path: `${G}.regions[1].priority`,
        message: 'found "zero", expected an integer from 1 to 1000000 (1 is the highest priority)',
        line: 9,
        column: 19,
      },
    ]);
  });

  it('points a missing key at its enclosing mapping', () => {
    const text =
      'features:\n  geographic_redundancy:\n    regions:\n      - name: a\n        priority: 1\n        trunk_id: t\n';
    const [p] = problemsOf(text);
    expect(p).toMatchObject({
      code: 'CONFIG_MISSING',
      path: `${G}.regions[0].sip_server`,
      line: 4,
      column: 9,
    });
  });
});

describe('unknown keys', () => {
  it("suggest the closest key: did you mean 'retry_count'?", () => {
    const [p] = problemsOf('features:\n  geographic_redundancy:\n    health_check:\n      retry_cout: 3\n');
    expect(p).toEqual({
      code: 'CONFIG_UNKNOWN_KEY',
      path: `${G}.health_check.retry_cout`,
      message: "unknown key 'retry_cout': did you mean 'retry_count'?",
      line: 4,
      column: 7,
    });
  });

  it('list the allowed keys when nothing is close', () => {
    const [p] = problemsOf(geoDoc({ failback: { banana: 1 } }));
    expect(p!.message).toBe(
      "unknown key 'banana': expected one of enabled, delay, health_threshold, automatic",
    );
  });

  it('are found at every level, including the top and inside regions', () => {
    const problems = problemsOf(
      geoDoc({ regions: [region('a', 1, { sip_sever: 'x' })] }, { servr: {}, proxy: { recordroute: true } }),
    );
    expect(problems.map((p) => [p.path, p.message])).toEqual([
      [`${G}.regions[0].sip_sever`, "unknown key 'sip_sever': did you mean 'sip_server'?"],
      ['servr', "unknown key 'servr': did you mean 'server'?"],
      ['proxy.recordroute', "unknown key 'recordroute': did you mean 'record_route'?"],
    ]);
  });
});

describe('all problems at once', () => {
  it('reports every problem in one ConfigError, in file order, and lists them all in its message', () => {
    const doc = geoDoc(
      {
        health_check: { interval: 0, retry_count: 0 },
        regions: [region('a', 0), region('b', -2, { weight: -1 })],
      },
      { server: { log_level: 'loud' } },
    );
    const err = errorOf(doc);
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.problems.map((p) => p.path)).toEqual([
      `${G}.health_check.interval`,
      `${G}.health_check.retry_count`,
      `${G}.regions[0].priority`,
      `${G}.regions[1].priority`,
      `${G}.regions[1].weight`,
      'server.log_level',
    ]);
    expect(err.message.split('\n')[0]).toBe(`${SOURCE}: 6 configuration problem(s):`);
    for (const p of err.problems)
      expect(err.message).toContain(`${SOURCE}:${p.line}:${p.column}: ${p.path}: ${p.message}`);
  });
});

describe('accepted forms', () => {
  it('takes fractional durations', () => {
    const c = parseConfig(
      geoDoc({ health_check: { interval: 0.5, timeout: 0.25, retry_count: 2 } }),
      SOURCE,
      {},
    );
    expect(c.geo.health_check).toMatchObject({ interval: 0.5, timeout: 0.25, retry_count: 2 });
  });

  it.each([
    [undefined, 'majority'],
    ['majority', 'majority'],
    [2, 2],
    [0.18, 0.18],
  ] as const)('takes health_check.quorum %s as %s', (value, expected) => {
    const c = parseConfig(geoDoc({ health_check: value === undefined ? {} : { quorum: value } }), SOURCE, {});
    expect(c.geo.health_check.quorum).toBe(expected);
  });

  it('takes every sip_server form and parses it into a target', () => {
    const forms: Array<[string, unknown, string]> = [
      ['sip.example.com', { host: 'sip.example.com', port: null, transport: null, secure: false }, 'udp'],
      [
        'sip.example.com:5080',
        { host: 'sip.example.com', port: 5080, transport: null, secure: false },
        'udp',
      ],
      ['192.0.2.1', { host: '192.0.2.1', port: null, transport: null, secure: false }, 'udp'],
      ['[2001:db8::1]:5060', { host: '2001:db8::1', port: 5060, transport: null, secure: false }, 'udp'],
      [
        'sip:h.example.com;transport=tcp',
        { host: 'h.example.com', port: null, transport: 'tcp', secure: false },
        'tcp',
      ],
      [
        'sips:h.example.com:5061',
        { host: 'h.example.com', port: 5061, transport: null, secure: true },
        'tls',
      ],
      [
        'sip:[::1]:5070;transport=UDP;lr',
        { host: '::1', port: 5070, transport: 'udp', secure: false },
        'udp',
      ],
    ];
    const c = parseConfig(
      geoDoc({ regions: forms.map(([s], i) => region(`r${i}`, i + 1, { sip_server: s })) }),
      SOURCE,
      {},
    );
    forms.forEach(([, target, transport], i) => {
      expect(c.geo.regions[i]!.target).toEqual(target);
      expect(c.geo.regions[i]!.transport).toBe(transport);
    });
  });

  it('takes the failback block alone, and both forms when they agree', () => {
    const alone = parseConfig(
      geoDoc({ failback: { enabled: true, delay: 60, automatic: false } }),
      SOURCE,
      {},
    );
    expect(alone.geo.failback).toEqual({
      enabled: true,
      delay: 60,
      health_threshold: 0.95,
      automatic: false,
    });
    const both = parseConfig(
      geoDoc({ failover: { failback: true, failback_delay: 60 }, failback: { enabled: true, delay: 60 } }),
      SOURCE,
      {},
    );
    expect(both.geo.failback).toMatchObject({ enabled: true, delay: 60 });
    const legacy = parseConfig(geoDoc({ failover: { failback: true, failback_delay: 120 } }), SOURCE, {});
    expect(legacy.geo.failback).toMatchObject({ enabled: true, delay: 120, automatic: true });
  });

  it('lets time ranges wrap midnight and end at 24:00', () => {
    const c = parseConfig(
      geoDoc({
        regions: two,
        routing: { strategy: 'time_of_day', time_based: { '22:00-06:00': 'a', '06:00-22:00': 'b' } },
      }),
      SOURCE,
      {},
    );
    expect(c.geo.routing.time_based).toEqual([
      { start: 1320, end: 360, region: 'a', label: '22:00-06:00' },
      { start: 360, end: 1320, region: 'b', label: '06:00-22:00' },
    ]);
    const whole = parseConfig(
      geoDoc({ regions: two, routing: { time_based: { '00:00-24:00': 'a' } } }),
      SOURCE,
      {},
    );
    expect(whole.geo.routing.time_based[0]).toMatchObject({ start: 0, end: 1440 });
  });

  it('takes IPv6 listeners and a pbx block', () => {
    const c = parseConfig(
      geoDoc(
        {},
        {
          server: { sip: { listen: ['tcp:[::1]:5060', 'udp:0.0.0.0:0'] }, api: { listen: '[::1]:0' } },
          pbx: {
            address: 'udp:127.0.0.1:5070',
            credentials: { username: 'pbx', password: 'env:P' },
            allow_any_loopback: false,
          },
        },
      ),
      SOURCE,
      { P: 'pbx-pass' },
    );
    expect(c.server.sip.listen).toEqual([
      { protocol: 'tcp', address: '::1', port: 5060 },
      { protocol: 'udp', address: '0.0.0.0', port: 0 },
    ]);
    expect(c.server.api.listen).toEqual({ address: '::1', port: 0 });
    expect(c.pbx.address).toEqual({ protocol: 'udp', address: '127.0.0.1', port: 5070 });
    expect(c.pbx.credentials).toMatchObject({ username: 'pbx', realm: 'geored' });
    expect(c.pbx.credentials!.password.value).toBe('pbx-pass');
    expect(c.pbx.allow_any_loopback).toBe(false);
  });

  it('follows YAML aliases', () => {
    const text = [
      'features:',
      '  geographic_redundancy:',
      '    regions:',
      '      - &base { name: a, priority: 1, trunk_id: t, sip_server: a.example.com }',
      '      - { name: b, priority: 2, trunk_id: t, sip_server: b.example.com }',
    ].join('\n');
    expect(parseConfig(text, SOURCE, {}).geo.regions.map((r) => r.name)).toEqual(['a', 'b']);
  });
});
