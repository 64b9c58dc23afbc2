/**
 * Property: any document from a generator of valid documents loads, and the loaded Config carries
 * exactly the values written (secrets included, read from the environment).
 */
import fc from 'fast-check';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config';

const seconds = fc.double({ min: 0.001, max: 86_400, noNaN: true, noDefaultInfinity: true });
const label = fc.stringMatching(/^[a-z]([a-z0-9-]{0,18}[a-z0-9])?$/);
const secretValue = fc.stringMatching(/^[A-Za-z0-9+/=_-]{1,40}$/);

const sipServer = fc.oneof(
  label.map((h) => ({
    text: `${h}.example.com`,
    target: { host: `${h}.example.com`, port: null, transport: null, secure: false },
  })),
  fc.tuple(label, fc.integer({ min: 1, max: 65535 })).map(([h, p]) => ({
    text: `${h}.example.net:${p}`,
    target: { host: `${h}.example.net`, port: p, transport: null, secure: false },
  })),
  fc
    .tuple(label, fc.constantFrom('udp', 'tcp', 'tls'), fc.integer({ min: 1, max: 65535 }))
    .map(([h, t, p]) => ({
      text: `sip:${h}.example.org:${p};transport=${t}`,
      target: { host: `${h}.example.org`, port: p, transport: t, secure: false },
    })),
  fc.tuple(fc.integer({ min: 1, max: 254 }), fc.integer({ min: 1, max: 65535 })).map(([o, p]) => ({
    text: `[2001:db8::${o.toString(16)}]:${p}`,
    target: { host: `2001:db8::${o.toString(16)}`, port: p, transport: null, secure: false },
  })),
);

const regionGen = fc.record({
  priority: fc.integer({ min: 1, max: 100 }),
  trunk_id: label,
  server: sipServer,
  location: fc.option(
    fc.string({ minLength: 1, maxLength: 30 }).filter((s) => s.trim() !== ''),
    { nil: undefined },
  ),
  weight: fc.double({ min: 0, max: 1000, noNaN: true, noDefaultInfinity: true }),
  coords: fc.option(
    fc.record({
      latitude: fc.double({ min: -90, max: 90, noNaN: true }),
      longitude: fc.double({ min: -180, max: 180, noNaN: true }),
    }),
    { nil: undefined },
  ),
  capabilities: fc.uniqueArray(fc.constantFrom('voice', 'sms', 'fax', 'video'), { maxLength: 4 }),
  password: fc.option(secretValue, { nil: undefined }),
});

const docGen = fc.record({
  health: fc.record({ interval: seconds, timeout: seconds, retry_count: fc.integer({ min: 1, max: 20 }) }),
  failover: fc.record({
    automatic: fc.boolean(),
    failback: fc.boolean(),
    failback_delay: fc.double({ min: 0, max: 3600, noNaN: true }),
  }),
  health_threshold: fc.double({ min: 0, max: 1, noNaN: true }),
  regions: fc.uniqueArray(regionGen, { maxLength: 6, selector: (r) => JSON.stringify(r.server.target) }),
  provisional_timeout_ms: fc.integer({ min: 1, max: 10_000 }),
  api_port: fc.integer({ min: 0, max: 65535 }),
  log_level: fc.constantFrom('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'),
});

describe('valid documents round-trip', () => {
  it('loads every generated document with the values written', () => {
    fc.assert(
      fc.property(docGen, (d) => {
        const env: Record<string, string> = {};
        const regions = d.regions.map((r, i) => {
          if (r.password !== undefined) env[`PW_${i}`] = r.password;
          return {
            name: `region-${i}`,
            priority: r.priority,
            trunk_id: r.trunk_id,
            sip_server: r.server.text,
            ...(r.location !== undefined ? { location: r.location } : {}),
            weight: r.weight,
            ...(r.coords ?? {}),
            capabilities: r.capabilities,
            ...(r.password !== undefined
              ? { credentials: { username: `user${i}`, password: `env:PW_${i}` } }
              : {}),
          };
        });
        const text = stringify({
          features: {
            geographic_redundancy: {
              health_check: d.health,
              failover: d.failover,
              failback: { health_threshold: d.health_threshold },
              regions,
            },
          },
          server: { api: { listen: `127.0.0.1:${d.api_port}` }, log_level: d.log_level },
          proxy: { provisional_timeout_ms: d.provisional_timeout_ms },
        });
        const c = parseConfig(text, 'generated.yml', env);
        expect(c.geo.health_check).toMatchObject(d.health);
        expect(c.geo.failover.automatic).toBe(d.failover.automatic);
        expect(c.geo.failback).toMatchObject({
          enabled: d.failover.failback,
          delay: d.failover.failback_delay,
          health_threshold: d.health_threshold,
        });
        expect(c.server.api.listen).toEqual({ address: '127.0.0.1', port: d.api_port });
        expect(c.server.log_level).toBe(d.log_level);
        expect(c.proxy.provisional_timeout_ms).toBe(d.provisional_timeout_ms);
        expect(c.geo.regions).toHaveLength(d.regions.length);
        d.regions.forEach((r, i) => {
          const got = c.geo.regions[i]!;
          expect(got.name).toBe(`region-${i}`);
          expect(got.priority).toBe(r.priority);
          expect(got.trunk_id).toBe(r.trunk_id);
          expect(got.sip_server).toBe(r.server.text);
          expect(got.target).toEqual(r.server.target);
          expect(got.location).toBe(r.location);
          expect(got.weight).toBe(r.weight);
          expect(got.latitude).toBe(r.coords?.latitude);
          expect(got.longitude).toBe(r.coords?.longitude);
          expect(got.capabilities).toEqual(r.capabilities);
          expect(got.credentials?.password.value).toBe(r.password);
        });
      }),
      { numRuns: 200 },
    );
  });
});
