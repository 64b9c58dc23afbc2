import { describe, expect, it } from 'vitest';
import { parseVia } from '../../../src/sip/message';
import { responseDestination } from '../../../src/sip/transaction';
import type { Endpoint } from '../../../src/sip/transport/types';

const via = (v: string) => parseVia(v)[0]!;
const udpSource: Endpoint = { protocol: 'udp', address: '203.0.113.7', port: 40_000 };

describe('responseDestination (RFC 3261 §18.2.2, RFC 3581)', () => {
  it('answers on the connection the request came in on when the transport is reliable', () => {
    const tcp: Endpoint = { protocol: 'tcp', address: '203.0.113.7', port: 51_234 };
    expect(responseDestination(via('SIP/2.0/TCP pbx.example.com:5060;branch=z9hG4bKx'), tcp)).toBe(tcp);
    const tls: Endpoint = { protocol: 'tls', address: '2001:db8::1', port: 50_001 };
    expect(responseDestination(via('SIP/2.0/TLS [2001:db8::1];branch=z9hG4bKx'), tls)).toBe(tls);
  });

  it('uses received and rport on UDP when they are present', () => {
    expect(
      responseDestination(
        via('SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bKx;received=203.0.113.7;rport=40000'),
        udpSource,
      ),
    ).toEqual({ protocol: 'udp', address: '203.0.113.7', port: 40_000 });
  });

  it('uses received with the sent-by port when rport is absent or a bare flag', () => {
    expect(
      responseDestination(via('SIP/2.0/UDP 10.0.0.5:5070;branch=z9hG4bKx;received=203.0.113.9'), udpSource),
    ).toEqual({
      protocol: 'udp',
      address: '203.0.113.9',
      port: 5070,
    });
    expect(
      responseDestination(via('SIP/2.0/UDP 10.0.0.5:5070;rport;received=203.0.113.9'), udpSource),
    ).toEqual({
      protocol: 'udp',
      address: '203.0.113.9',
      port: 5070,
    });
  });

  it('falls back to the source address and the sent-by port, 5060 by default', () => {
    expect(responseDestination(via('SIP/2.0/UDP 203.0.113.7;branch=z9hG4bKx'), udpSource)).toEqual({
      protocol: 'udp',
      address: '203.0.113.7',
      port: 5060,
    });
    expect(responseDestination(via('SIP/2.0/UDP 203.0.113.7:5099;branch=z9hG4bKx'), udpSource)).toEqual({
      protocol: 'udp',
      address: '203.0.113.7',
      port: 5099,
    });
  });

  it('takes 5061 as the default port of a TLS sent-by', () => {
    expect(responseDestination(via('SIP/2.0/TLS 203.0.113.7;received=203.0.113.8'), udpSource).port).toBe(
      5061,
    );
  });

  it('takes an IPv6 received as RFC 3261 writes it, without brackets', () => {
    expect(
      responseDestination(via('SIP/2.0/UDP [2001:db8::5]:5070;received=2001:db8::9'), udpSource),
    ).toEqual({
      protocol: 'udp',
      address: '2001:db8::9',
      port: 5070,
    });
  });

  it('strips the brackets of an IPv6 received and honours maddr', () => {
    expect(
      responseDestination(via('SIP/2.0/UDP [2001:db8::5];received=[2001:db8::9];rport=7000'), udpSource),
    ).toEqual({
      protocol: 'udp',
      address: '2001:db8::9',
      port: 7000,
    });
    expect(
      responseDestination(via('SIP/2.0/UDP 10.0.0.5:5062;maddr=239.255.255.1;ttl=1'), udpSource),
    ).toEqual({
      protocol: 'udp',
      address: '239.255.255.1',
      port: 5062,
    });
  });
});
