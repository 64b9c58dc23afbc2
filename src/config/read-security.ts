/** The `security` block: failed-auth bans, refusals, Contact binding, the PBX challenge, socket limits. */
import { DEFAULT_SECURITY } from './defaults';
import { integerAtLeast, POSITIVE_SECONDS } from './durations';
import type { ContactBinding, RefusalStyle, SecurityConfig } from './types';
import type { Cursor, Reader } from './yaml-reader';

const REFUSALS: readonly RefusalStyle[] = ['reject', 'silence'];
const BINDINGS: readonly ContactBinding[] = ['source', 'refuse', 'as_registered'];

export function readSecurity(r: Reader, c: Cursor): SecurityConfig {
  const d = DEFAULT_SECURITY;
  const f = r.map(c, [
    'auth_failures',
    'unknown_source_response',
    'contact_binding',
    'challenge_pbx_requests',
    'udp',
    'tcp',
  ]);
  if (!f) return d;
  const a = r.map(f.get('auth_failures'), ['per_source', 'per_user', 'window', 'ban', 'banned_response']);
  const udp = r.map(f.get('udp'), ['receive_buffer']);
  const tcp = r.map(f.get('tcp'), [
    'max_connections_per_source',
    'max_inbound_connections',
    'max_outbound_connections',
    'header_timeout',
  ]);
  const count = integerAtLeast(1);
  const da = d.auth_failures;
  return {
    auth_failures: a
      ? {
          per_source: r.number(a.get('per_source'), count) ?? da.per_source,
          per_user: r.number(a.get('per_user'), count) ?? da.per_user,
          window: r.number(a.get('window'), POSITIVE_SECONDS) ?? da.window,
          ban: r.number(a.get('ban'), POSITIVE_SECONDS) ?? da.ban,
          banned_response: r.oneOf(a.get('banned_response'), REFUSALS) ?? da.banned_response,
        }
      : da,
    unknown_source_response: r.oneOf(f.get('unknown_source_response'), REFUSALS) ?? d.unknown_source_response,
    contact_binding: r.oneOf(f.get('contact_binding'), BINDINGS) ?? d.contact_binding,
    challenge_pbx_requests: r.boolean(f.get('challenge_pbx_requests')) ?? d.challenge_pbx_requests,
    udp: {
      receive_buffer:
        (udp &&
          r.number(udp.get('receive_buffer'), {
            expected: 'a size in bytes from 65536 to 1073741824',
            integer: true,
            min: 65_536,
            max: 1 << 30,
          })) ??
        d.udp.receive_buffer,
    },
    tcp: tcp
      ? {
          max_connections_per_source:
            r.number(tcp.get('max_connections_per_source'), count) ?? d.tcp.max_connections_per_source,
          max_inbound_connections:
            r.number(tcp.get('max_inbound_connections'), count) ?? d.tcp.max_inbound_connections,
          max_outbound_connections:
            r.number(tcp.get('max_outbound_connections'), count) ?? d.tcp.max_outbound_connections,
          header_timeout: r.number(tcp.get('header_timeout'), POSITIVE_SECONDS) ?? d.tcp.header_timeout,
        }
      : d.tcp,
  };
}
