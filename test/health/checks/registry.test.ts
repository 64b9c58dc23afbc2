/** The check registry: built-ins, configured command/TTL checks, registered functions, unknown names. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckRegistry } from '../../../src/health/checks/registry';
import { SipStack } from '../../../src/sip/stack';
import { ctx, region } from './region';

let stack: SipStack;
let now = 0;
let registry: CheckRegistry;

beforeAll(async () => {
  stack = await SipStack.create({ listen: [{ protocol: 'udp', address: '127.0.0.1', port: 0 }] });
  registry = new CheckRegistry({
    stack,
    resolve: async (t) => [{ protocol: 'udp', address: t.host, port: t.port ?? 5060 }],
    okCodes: () => [200],
    now: () => now,
  });
});
afterAll(() => stack.close());

describe('CheckRegistry', () => {
  it('knows the four built-ins, and refuses an unknown name listing the known ones', () => {
    expect(registry.names()).toEqual(['sip_options', 'http_ping', 'icmp_ping', 'tcp_connect']);
    expect(() => registry.get('sip_optoins')).toThrowError(
      expect.objectContaining({
        code: 'CHECK_UNKNOWN_METHOD',
        message:
          'no health-check method named sip_optoins; known methods: sip_options, http_ping, icmp_ping, tcp_connect',
      }),
    );
    expect(() => registry.requireAll(['sip_options', 'nope'])).toThrowError(/nope/);
  });

  it('http_ping applies only to regions with an http_check_url', () => {
    const http = registry.get('http_ping');
    expect(http.appliesTo?.(region('a', '127.0.0.1', 5060))).toBe(false);
    expect(http.appliesTo?.(region('b', '127.0.0.1', 5060, { http_check_url: 'http://127.0.0.1:1/' }))).toBe(
      true,
    );
  });

  it('installs command and TTL checks from the configuration, with the command’s own timeout', async () => {
    registry.configure([
      { name: 'script', type: 'command', command: ['sh', '-c', 'exit 1'], timeout: 3 },
      { name: 'pushed', type: 'ttl', ttl: 10 },
    ]);
    const script = registry.get('script');
    expect(script.timeoutMs).toBe(3000);
    expect(await script.run(region('r', '127.0.0.1', 5060), ctx(3000))).toMatchObject({ level: 'warning' });

    now = 5_000;
    registry.pushTtl('r', 'pushed', { status: 'fail', note: 'maintenance' });
    expect(await registry.get('pushed').run(region('r', '127.0.0.1', 5060), ctx(1000))).toMatchObject({
      success: false,
      error: 'TTL push says fail: maintenance',
    });
    expect(() => registry.pushTtl('r', 'script', { status: 'pass' })).toThrowError(
      expect.objectContaining({
        code: 'CHECK_NOT_TTL',
        message: 'health check script is not a TTL check; TTL checks: pushed',
      }),
    );

    // A new configuration replaces the old set.
    registry.configure([]);
    expect(registry.has('script')).toBe(false);
  });

  it('registers TypeScript functions, refusing to replace a built-in', async () => {
    registry.register('custom', (reg) => reg.name === 'good');
    expect((await registry.get('custom').run(region('good', '127.0.0.1', 5060), ctx(1000))).success).toBe(
      true,
    );
    expect((await registry.get('custom').run(region('bad', '127.0.0.1', 5060), ctx(1000))).success).toBe(
      false,
    );
    expect(() => registry.register('sip_options', () => true)).toThrowError(
      expect.objectContaining({ code: 'CHECK_BUILTIN_NAME' }),
    );
    expect(registry.unregister('custom')).toBe(true);
    expect(registry.has('custom')).toBe(false);
  });
});
