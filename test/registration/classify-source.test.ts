import { describe, expect, it } from 'vitest';
import {
  canonicalIp,
  classifySource,
  isLoopback,
  type PbxSources,
  type RegionSources,
} from '../../src/registration';

const regions: RegionSources[] = [
  { region: 'us-east-1', endpoints: [{ address: '127.0.0.1', port: 5070 }], sourceAddresses: [] },
  {
    region: 'eu-west-1',
    endpoints: [{ address: '::1', port: 5080 }],
    sourceAddresses: ['203.0.113.0/24', '2001:db8:1::/48'],
  },
];
const noPbx: PbxSources = { registered: [], configured: false, allowAnyLoopback: true };

describe('classifySource', () => {
  it('knows a region by its resolved target, address and port', () => {
    expect(classifySource({ address: '127.0.0.1', port: 5070 }, regions, noPbx)).toMatchObject({
      kind: 'region',
      region: 'us-east-1',
    });
    // IPv6 written differently, and an IPv4-mapped IPv6 source, are the same addresses.
    expect(classifySource({ address: '0:0:0:0:0:0:0:1', port: 5080 }, regions, noPbx)).toMatchObject({
      region: 'eu-west-1',
    });
    expect(classifySource({ address: '::ffff:127.0.0.1', port: 5070 }, regions, noPbx)).toMatchObject({
      region: 'us-east-1',
    });
  });

  it('knows a region by its configured source CIDRs, any port, IPv4 and IPv6', () => {
    expect(classifySource({ address: '203.0.113.77', port: 1 }, regions, noPbx)).toMatchObject({
      region: 'eu-west-1',
    });
    expect(classifySource({ address: '2001:db8:1:ffff::9', port: 5060 }, regions, noPbx)).toMatchObject({
      region: 'eu-west-1',
    });
    expect(classifySource({ address: '203.0.114.1', port: 5060 }, regions, noPbx).kind).toBe('unknown');
  });

  it('with no PBX configured and allow_any_loopback, any other loopback source is the PBX', () => {
    expect(classifySource({ address: '127.0.0.1', port: 5071 }, regions, noPbx).kind).toBe('pbx');
    expect(classifySource({ address: '127.8.0.1', port: 5071 }, regions, noPbx).kind).toBe('pbx');
    expect(classifySource({ address: '::1', port: 5081 }, regions, noPbx).kind).toBe('pbx');
    expect(classifySource({ address: '192.0.2.1', port: 5060 }, regions, noPbx).kind).toBe('unknown');
    const strict = { ...noPbx, allowAnyLoopback: false };
    expect(classifySource({ address: '127.0.0.1', port: 5071 }, regions, strict).kind).toBe('unknown');
  });

  it('with a PBX configured, only its registered contact or configured address is the PBX', () => {
    const pbx: PbxSources = {
      registered: [{ address: '192.0.2.10' }],
      address: { address: '2001:db8::10' },
      configured: true,
      allowAnyLoopback: true,
    };
    expect(classifySource({ address: '192.0.2.10', port: 40000 }, regions, pbx).kind).toBe('pbx');
    expect(classifySource({ address: '2001:DB8:0::10', port: 5060 }, regions, pbx).kind).toBe('pbx');
    expect(classifySource({ address: '127.0.0.1', port: 5071 }, regions, pbx).kind).toBe('unknown');
    // A region's exact target wins even when the PBX shares the address.
    const shared = { ...pbx, registered: [{ address: '127.0.0.1' }] };
    expect(classifySource({ address: '127.0.0.1', port: 5070 }, regions, shared).kind).toBe('region');
    expect(classifySource({ address: '127.0.0.1', port: 5071 }, regions, shared).kind).toBe('pbx');
  });
});

describe('IP address helpers', () => {
  it('canonicalises IPv6 and IPv4-mapped forms', () => {
    expect(canonicalIp('::1')).toBe('0000:0000:0000:0000:0000:0000:0000:0001');
    expect(canonicalIp('[2001:DB8::1]')).toBe('2001:0db8:0000:0000:0000:0000:0000:0001');
    expect(canonicalIp('::ffff:10.1.2.3')).toBe('10.1.2.3');
    expect(canonicalIp('2001:db8::10.1.2.3')).toBe('2001:0db8:0000:0000:0000:0000:0a01:0203');
    expect(isLoopback('127.255.0.1')).toBe(true);
    expect(isLoopback('::1')).toBe(true);
    expect(isLoopback('::2')).toBe(false);
    expect(isLoopback('10.0.0.1')).toBe(false);
  });
});
