/**
 * A region's `sip_server`: `host`, `host:port`, `[v6]:port`, or a `sip:`/`sips:` URI with an optional
 * `;transport=udp|tcp|tls`. Port and transport stay null when not written, because RFC 3263 lets DNS
 * (NAPTR, SRV) choose them for a name without them.
 */
import type { TransportProtocol } from '../sip/transport/types';
import { parseHostPort } from './addresses';
import type { SipTarget } from './types';

export type SipTargetResult = { ok: true; target: SipTarget } | { ok: false; expected: string };

const EXPECTED = 'a host, host:port, [IPv6]:port, or a sip:/sips: URI such as sip:host:5060;transport=tcp';

export function parseSipServer(text: string): SipTargetResult {
  const uri = /^(sips?):(.*)$/i.exec(text);
  if (!uri) {
    const hp = parseHostPort(text);
    return hp
      ? { ok: true, target: { ...hp, transport: null, secure: false } }
      : { ok: false, expected: EXPECTED };
  }
  const secure = uri[1]!.toLowerCase() === 'sips';
  const [hostPart = '', ...params] = uri[2]!.split(';');
  if (hostPart.includes('@')) {
    return {
      ok: false,
      expected: 'a server URI without a user part (sip:host[:port]), since it names a server',
    };
  }
  if (hostPart.includes('?')) return { ok: false, expected: 'a server URI without headers (?...)' };
  const hp = parseHostPort(hostPart);
  if (!hp) return { ok: false, expected: EXPECTED };
  let transport: TransportProtocol | null = null;
  for (const param of params) {
    const [name = '', value] = param.split('=');
    if (name.toLowerCase() !== 'transport') continue;
    const t = value?.toLowerCase();
    if (t !== 'udp' && t !== 'tcp' && t !== 'tls')
      return { ok: false, expected: ';transport=udp, tcp or tls' };
    transport = t;
  }
  if (secure && transport === 'udp') {
    return { ok: false, expected: 'a sips: URI over TLS (sips: cannot use ;transport=udp)' };
  }
  // RFC 5630 §3.1.3: sips: with ;transport=tcp means TLS over TCP.
  if (secure && transport === 'tcp') transport = 'tls';
  return { ok: true, target: { ...hp, transport, secure } };
}

/** The transport to use when DNS does not choose: the URI's, else TLS for sips:, else UDP (RFC 3263 §4.1). */
export function defaultTransport(target: SipTarget): TransportProtocol {
  return target.transport ?? (target.secure ? 'tls' : 'udp');
}
