import { describe, expect, it } from 'vitest';
import { cidrContains, distanceKm, locateCaller } from '../../src/routing/locate-caller';

const london = { latitude: 51.5, longitude: -0.1 };
const nyc = { latitude: 40.7, longitude: -74 };
const rules = [
  { prefix: '+1', location: nyc },
  { prefix: '+44', location: london },
  { prefix: '+4420', location: { latitude: 51.51, longitude: -0.12 } },
  { source: '192.0.2.0/24', location: london },
  { source: '2001:db8::/32', location: nyc },
];

describe('locateCaller', () => {
  it('takes the longest matching number prefix', () => {
    expect(locateCaller({ number: '+44 20 7946 0000', sourceAddress: null }, rules)).toEqual({
      location: { latitude: 51.51, longitude: -0.12 },
      because: 'calling number matches prefix +4420',
    });
    expect(locateCaller({ number: 'sip:+12125550100', sourceAddress: null }, rules)?.because).toBe(
      'calling number matches prefix +1',
    );
  });

  it('falls back to source-address rules, IPv4 and IPv6', () => {
    expect(locateCaller({ number: '999', sourceAddress: '192.0.2.7' }, rules)?.location).toEqual(london);
    expect(locateCaller({ number: null, sourceAddress: '2001:db8:1::5' }, rules)?.location).toEqual(nyc);
    expect(locateCaller({ number: null, sourceAddress: '198.51.100.1' }, rules)).toBeNull();
  });

  it('matches CIDRs exactly at their edges and rejects nonsense', () => {
    expect(cidrContains('10.0.0.0/8', '10.255.255.255')).toBe(true);
    expect(cidrContains('10.0.0.0/8', '11.0.0.0')).toBe(false);
    expect(cidrContains('127.0.0.1', '127.0.0.1')).toBe(true);
    expect(cidrContains('::1/128', '::1')).toBe(true);
    expect(cidrContains('10.0.0.0/33', '10.0.0.1')).toBe(false);
    expect(cidrContains('not-an-ip/8', '10.0.0.1')).toBe(false);
    expect(cidrContains('10.0.0.0/8', 'nope')).toBe(false);
  });

  it('measures great-circle distance', () => {
    expect(Math.round(distanceKm(london, nyc))).toBeGreaterThan(5500);
    expect(Math.round(distanceKm(london, nyc))).toBeLessThan(5600);
    expect(distanceKm(london, london)).toBe(0);
  });
});
