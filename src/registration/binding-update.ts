/**
 * What a REGISTER does to the PBX's bindings (RFC 3261 §10.3 steps 6–8), as a pure function: the new
 * binding list, or the error response and why. The registrar does the authentication and the I/O.
 */
import type { NameAddr } from '../sip/message';
import type { Endpoint } from '../sip/transport/types';
import type { RegistrationErrorCode } from '../errors/registration';
import type { Binding } from './bindings';
import { deltaSeconds, sameContact, sipUriOf } from './contacts';
import { sameIp } from './ip-address';
import { isIP } from 'node:net';
import type { ContactBinding } from '../config/types';

export interface ExpiryLimits {
  /** Shorter non-zero registrations are answered 423 with Min-Expires (§10.3 step 7). */
  readonly minExpires: number;
  /** Longer ones are granted this much. */
  readonly maxExpires: number;
  /** When neither the Contact nor the request says. */
  readonly defaultExpires: number;
}

export interface RegisterFacts {
  readonly contacts: readonly NameAddr[];
  /** The Expires header field's value, as received. */
  readonly expiresHeader: string | undefined;
  readonly callId: string;
  readonly cseq: number;
  readonly source: Endpoint;
  /** What a Contact at another address than the source gets (default 'source': bound to the source). */
  readonly binding?: ContactBinding;
}

export type BindingPlan =
  | { readonly ok: true; readonly bindings: readonly Binding[]; readonly reason: string }
  | {
      readonly ok: false;
      readonly status: number;
      readonly code: RegistrationErrorCode;
      readonly params: Record<string, unknown>;
      /** Header fields the error response carries (Min-Expires for a 423). */
      readonly headers: ReadonlyArray<readonly [string, string]>;
    };

function refuse(
  status: number,
  code: RegistrationErrorCode,
  params: Record<string, unknown>,
  headers: ReadonlyArray<readonly [string, string]> = [],
): BindingPlan {
  return { ok: false, status, code, params, headers };
}

/**
 * Where requests for a contact go: its IP literal and port (the PBX said where it listens), or, for a host
 * name, the address the REGISTER came from: the call path must never wait on DNS for the PBX.
 */
export function contactEndpoint(uri: string, source: Endpoint): Endpoint | null {
  const sip = sipUriOf(uri);
  if (sip === null) return null;
  const transport = sip.params['transport']?.toLowerCase();
  const protocol =
    transport === 'udp' || transport === 'tcp' || transport === 'tls'
      ? transport
      : sip.scheme === 'sips'
        ? 'tls'
        : source.protocol;
  if (isIP(sip.host) === 0) return source;
  return { protocol, address: sip.host, port: sip.port ?? (protocol === 'tls' ? 5061 : 5060) };
}

export function planBindings(
  facts: RegisterFacts,
  existing: readonly Binding[],
  limits: ExpiryLimits,
  now: number,
): BindingPlan {
  if (facts.contacts.length === 0)
    return { ok: true, bindings: existing, reason: 'query: bindings unchanged' };
  const headerExpires = facts.expiresHeader === undefined ? undefined : deltaSeconds(facts.expiresHeader);
  if (headerExpires === null) return refuse(400, 'REG_BAD_EXPIRES', { value: facts.expiresHeader });

  if (facts.contacts.some((c) => c.uri === '*')) {
    // §10.3 step 6: "*" only alone and only with Expires: 0.
    if (facts.contacts.length !== 1 || headerExpires !== 0) {
      return refuse(400, 'REG_BAD_CONTACT', { detail: '"*" must be the only Contact, with Expires: 0' });
    }
    return { ok: true, bindings: [], reason: 'every binding removed (Contact: *)' };
  }

  let bindings = [...existing];
  const changes: string[] = [];
  for (const contact of facts.contacts) {
    const param = contact.params['expires'];
    const asked = param === undefined || param === null ? headerExpires : deltaSeconds(param);
    if (asked === null) return refuse(400, 'REG_BAD_EXPIRES', { value: param });
    const expires = asked ?? limits.defaultExpires;
    if (expires > 0 && expires < limits.minExpires) {
      return refuse(423, 'REG_INTERVAL_TOO_BRIEF', { expires, min: limits.minExpires }, [
        ['Min-Expires', String(limits.minExpires)],
      ]);
    }
    const named = contactEndpoint(contact.uri, facts.source);
    if (named === null) return refuse(400, 'REG_BAD_CONTACT', { detail: `${contact.uri} is not a sip: URI` });
    // RFC 5626's flow idea: requests for the binding go back where the REGISTER came from. A Contact
    // naming another host is what a hijacker registers; a NATed PBX names a private address it is not at.
    const elsewhere = !sameEndpoint(named, facts.source);
    const binding = facts.binding ?? 'source';
    if (elsewhere && expires > 0 && binding === 'refuse') {
      return refuse(403, 'REG_CONTACT_NOT_SOURCE', {
        contact: contact.uri,
        source: `${facts.source.address}:${facts.source.port}`,
      });
    }
    const endpoint = elsewhere && binding === 'source' ? facts.source : named;
    const old = bindings.find((b) => sameContact(b.uri, contact.uri));
    // §10.3 step 7: the same Call-ID must come with a higher CSeq, or the request is out of order.
    if (old !== undefined && old.callId === facts.callId && facts.cseq <= old.cseq) {
      return refuse(500, 'REG_OUT_OF_ORDER', { cseq: facts.cseq, last: old.cseq });
    }
    bindings = bindings.filter((b) => b !== old);
    if (expires === 0) {
      if (old !== undefined) changes.push(`${contact.uri} removed`);
      continue;
    }
    const granted = Math.min(expires, limits.maxExpires);
    bindings.push({
      uri: contact.uri,
      endpoint,
      callId: facts.callId,
      cseq: facts.cseq,
      expiresAt: now + granted * 1000,
      registeredAt: now,
    });
    changes.push(
      `${contact.uri} for ${granted} s` +
        (elsewhere && binding === 'source'
          ? ` (bound to its source ${facts.source.address}:${facts.source.port})`
          : ''),
    );
  }
  return { ok: true, bindings, reason: changes.length > 0 ? changes.join(', ') : 'nothing to change' };
}

function sameEndpoint(a: Endpoint, b: Endpoint): boolean {
  return a.protocol === b.protocol && a.port === b.port && sameIp(a.address, b.address);
}
