/** The REGISTER geored sends for a region's trunk (RFC 3261 §10.2): who registers, where, and with what contact. */
import type { RegionConfig } from '../config/types';
import { formatHost, type SipRequest } from '../sip/message';
import { buildRequest } from '../sip/stack';
import type { Endpoint } from '../sip/transport/types';

export interface RegistrationAddresses {
  /** The registrar's domain (§10.2: Request-URI without a user part). */
  readonly requestUri: string;
  /** The address-of-record, in To and From. */
  readonly aor: string;
  readonly aorUser: string;
}

/** The domain is the provider's (request_uri_host) when configured, else sip_server's host and port. */
export function registrationAddresses(region: RegionConfig): RegistrationAddresses {
  const creds = region.credentials;
  const aorUser = creds?.aor_user ?? creds?.username ?? '';
  const scheme = region.target.secure ? 'sips' : 'sip';
  const host = region.request_uri_host ?? region.target.host;
  const port =
    region.request_uri_host === undefined && region.target.port !== null ? `:${region.target.port}` : '';
  const domain = `${formatHost(host)}${port}`;
  return { requestUri: `${scheme}:${domain}`, aor: `${scheme}:${aorUser}@${domain}`, aorUser };
}

/** Our contact for `local`: transport spelled out except for UDP, the default every registrar assumes. */
export function contactUri(user: string, local: Endpoint): string {
  const transport = local.protocol === 'udp' ? '' : `;transport=${local.protocol}`;
  return `sip:${user}@${formatHost(local.address)}:${local.port}${transport}`;
}

export interface RegisterSpec {
  readonly addresses: RegistrationAddresses;
  readonly fromTag: string;
  readonly callId: string;
  readonly cseq: number;
  /**
   * Always our own contact, also when unregistering: `*` would remove the bindings of other geored
   * instances sharing the account.
   */
  readonly contact: string;
  readonly expires: number;
  /** Authorization or Proxy-Authorization values answering the last challenge. */
  readonly auth?: { readonly header: string; readonly values: readonly string[] };
}

export function buildRegister(spec: RegisterSpec): SipRequest {
  const headers: Array<[string, string]> = [['Expires', String(spec.expires)]];
  for (const value of spec.auth?.values ?? []) headers.push([spec.auth!.header, value]);
  headers.push(['User-Agent', 'geored']);
  return buildRequest({
    method: 'REGISTER',
    uri: spec.addresses.requestUri,
    from: `<${spec.addresses.aor}>;tag=${spec.fromTag}`,
    to: spec.addresses.aor,
    callId: spec.callId,
    cseq: spec.cseq,
    contact: `<${spec.contact}>`,
    headers,
  });
}
