/** The `security` block (docs/security.md): defaults, every key read, and bad values named by path. */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config';
import { DEFAULT_SECURITY } from '../../src/config/defaults';
import { SOURCE, problemsOf } from './helpers';

describe('security config', () => {
  it('defaults: 5 failures per source, 20 per user, 60 s window, 10 min ban, silence; 4 MB UDP buffer', () => {
    expect(parseConfig('', SOURCE).security).toEqual(DEFAULT_SECURITY);
    expect(DEFAULT_SECURITY).toEqual({
      auth_failures: { per_source: 5, per_user: 20, window: 60, ban: 600, banned_response: 'silence' },
      unknown_source_response: 'reject',
      contact_binding: 'source',
      challenge_pbx_requests: undefined,
      udp: { receive_buffer: 4_194_304 },
      tcp: {
        max_connections_per_source: 32,
        max_inbound_connections: 1024,
        max_outbound_connections: 256,
        header_timeout: 10,
      },
    });
  });

  it('reads every key', () => {
    const doc = [
      'security:',
      '  auth_failures: { per_source: 3, per_user: 9, window: 30, ban: 120, banned_response: reject }',
      '  unknown_source_response: silence',
      '  contact_binding: refuse',
      '  challenge_pbx_requests: false',
      '  udp: { receive_buffer: 8388608 }',
      '  tcp: { max_connections_per_source: 4, max_inbound_connections: 100, max_outbound_connections: 50, header_timeout: 2.5 }',
    ].join('\n');
    expect(parseConfig(doc, SOURCE).security).toEqual({
      auth_failures: { per_source: 3, per_user: 9, window: 30, ban: 120, banned_response: 'reject' },
      unknown_source_response: 'silence',
      contact_binding: 'refuse',
      challenge_pbx_requests: false,
      udp: { receive_buffer: 8_388_608 },
      tcp: {
        max_connections_per_source: 4,
        max_inbound_connections: 100,
        max_outbound_connections: 50,
        header_timeout: 2.5,
      },
    });
  });

  it('names the path and what was expected for bad values', () => {
    const doc = [
      'security:',
      '  auth_failures: { per_source: 0, banned_response: drop }',
      '  contact_binding: anywhere',
      '  udp: { receive_buffer: 1000 }',
      '  tcp: { header_timeout: 0, bogus: 1 }',
    ].join('\n');
    const problems = problemsOf(doc).map((p) => [p.path, p.message]);
    expect(problems).toEqual([
      ['security.auth_failures.per_source', 'found 0, expected an integer >= 1'],
      ['security.auth_failures.banned_response', 'found "drop", expected one of reject, silence'],
      ['security.contact_binding', 'found "anywhere", expected one of source, refuse, as_registered'],
      ['security.udp.receive_buffer', 'found 1000, expected a size in bytes from 65536 to 1073741824'],
      [
        'security.tcp.header_timeout',
        'found 0, expected a duration in seconds > 0 (fractions allowed, e.g. 0.5)',
      ],
      [
        'security.tcp.bogus',
        "unknown key 'bogus': expected one of max_connections_per_source, max_inbound_connections, max_outbound_connections, header_timeout",
      ],
    ]);
  });
});
