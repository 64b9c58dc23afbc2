/** Reading Contact header fields and comparing contact URIs (RFC 3261 §10.3 step 6, §19.1.4 simplified). */
import { parseNameAddr, parseUri, type NameAddr, type SipUri } from '../sip/message';
import { sameIp } from './ip-address';

export interface HeaderSource {
  readonly headers: { getAll(name: string): string[] };
}

/** Every Contact element of a message; an element that does not parse is reported, not skipped. */
export function readContacts(
  msg: HeaderSource,
): { ok: true; contacts: NameAddr[] } | { ok: false; detail: string } {
  const contacts: NameAddr[] = [];
  for (const value of msg.headers.getAll('Contact')) {
    try {
      contacts.push(parseNameAddr(value, 'Contact'));
    } catch (e) {
      return { ok: false, detail: (e as Error).message };
    }
  }
  return { ok: true, contacts };
}

export function sipUriOf(text: string): SipUri | null {
  try {
    const u = parseUri(text);
    return u.kind === 'sip' ? u : null;
  } catch {
    return null;
  }
}

/**
 * Two contact URIs name the same binding when scheme, user, host, port and transport agree. Good enough for
 * matching our own contact in a 2xx and a PBX's refreshes; other parameters do not make a new binding.
 */
export function sameContact(a: string, b: string): boolean {
  const x = sipUriOf(a);
  const y = sipUriOf(b);
  if (x === null || y === null) return a === b;
  const transport = (u: SipUri): string => (u.params['transport'] ?? 'udp').toLowerCase();
  return (
    x.scheme === y.scheme &&
    x.user === y.user &&
    (sameIp(x.host, y.host) || x.host.toLowerCase() === y.host.toLowerCase()) &&
    (x.port ?? 5060) === (y.port ?? 5060) &&
    transport(x) === transport(y)
  );
}

/** A delta-seconds value (RFC 3261 §25.1): digits only; anything else is null. */
export function deltaSeconds(text: string | null | undefined): number | null {
  if (text === null || text === undefined) return null;
  const t = text.trim();
  if (!/^\d{1,10}$/.test(t)) return null;
  return Number(t);
}
