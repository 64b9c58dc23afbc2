/**
 * Which URIs and Vias name this proxy (RFC 3261 §16.4: "indicates this proxy"), and the Via and
 * Record-Route values we put on requests, computed once from the stack's listening endpoints.
 */
import { formatHost, parseUriShared, type SipRequest, type Via } from '../sip/message';
import type { Endpoint, TransportProtocol } from '../sip/transport/types';

export interface LocalSide {
  /** `SIP/2.0/UDP host:port;rport;branch=` — the branch is appended per request. */
  readonly viaPrefix: string;
  /** Our Record-Route value toward this side, with ;lr (RFC 3261 §16.6 item 4). */
  readonly recordRoute: string;
}

export class OwnAddresses {
  private readonly keys = new Set<string>();
  private readonly sides = new Map<string, LocalSide>();
  /**
   * The side by protocol and address family of the destination, which is all the local endpoint depends
   * on: several look-ups per call otherwise rebuild the stack's endpoint list each time.
   */
  private readonly byDest = new Map<string, LocalSide>();

  constructor(
    endpoints: readonly Endpoint[],
    private readonly localFor: (protocol: TransportProtocol, toward: Endpoint) => Endpoint,
  ) {
    for (const e of endpoints) {
      this.keys.add(`${e.address.toLowerCase()}:${e.port}`);
      // A listener on a wildcard address answers to loopback too; that is where tests and sidecars talk.
      if (e.address === '0.0.0.0') this.keys.add(`127.0.0.1:${e.port}`);
      if (e.address === '::') this.keys.add(`::1:${e.port}`);
    }
  }

  isOwnHostPort(host: string, port: number | null, secure: boolean): boolean {
    return this.keys.has(`${host.toLowerCase()}:${port ?? (secure ? 5061 : 5060)}`);
  }

  /** A URI with no user part that names one of our listeners: a Route or Record-Route entry of ours. */
  isOwnRouteUri(uriText: string): boolean {
    let u;
    try {
      u = parseUriShared(uriText);
    } catch {
      return false;
    }
    if (u.kind !== 'sip' || u.user !== null) return false;
    const tls = u.scheme === 'sips' || u.params['transport']?.toLowerCase() === 'tls';
    return this.isOwnHostPort(u.host, u.port, tls);
  }

  isOwnVia(v: Via): boolean {
    return this.isOwnHostPort(v.host, v.port, v.transport.toUpperCase() === 'TLS');
  }

  /** The request is addressed to geored itself (OPTIONS pings): R-URI host and port are ours. */
  isAddressedToUs(req: SipRequest): boolean {
    const u = req.requestUri;
    return u.kind === 'sip' && this.isOwnHostPort(u.host, u.port, u.scheme === 'sips');
  }

  /** Via prefix and Record-Route for requests going out toward `dest`, cached per local endpoint. */
  side(dest: Endpoint): LocalSide {
    const destKey = dest.address.includes(':') ? `${dest.protocol}6` : dest.protocol;
    const known = this.byDest.get(destKey);
    if (known) return known;
    const s = this.sideOf(dest);
    this.byDest.set(destKey, s);
    return s;
  }

  private sideOf(dest: Endpoint): LocalSide {
    const local = this.localFor(dest.protocol, dest);
    const key = `${local.protocol}:${local.address}:${local.port}`;
    let s = this.sides.get(key);
    if (!s) {
      const hp = `${formatHost(local.address)}:${local.port}`;
      const transport = local.protocol === 'udp' ? '' : `;transport=${local.protocol}`;
      const scheme = local.protocol === 'tls' ? 'sips' : 'sip';
      s = {
        viaPrefix: `SIP/2.0/${local.protocol.toUpperCase()} ${hp};rport;branch=`,
        recordRoute: `<${scheme}:${hp}${transport};lr>`,
      };
      this.sides.set(key, s);
    }
    return s;
  }
}
