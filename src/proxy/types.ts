/**
 * What the proxy needs from the rest of geored, as small structural interfaces, so the lead can wire it
 * from whatever the health monitor, registrar and routing service expose.
 */
import type { Logger } from 'pino';
import type { Config, HeaderRewrite } from '../config/types';
import type { CallOutcome } from '../health/decide-health-types';
import type { Metrics } from '../metrics/registry';
import type { RouteDecision } from '../routing/decide-route';
import type { SipRequest, SipResponse } from '../sip/message';
import type { ServerTx, SipStack } from '../sip/stack';
import type { Endpoint } from '../sip/transport/types';
import type { CallInput, CallJournal, Store } from '../store/types';

/** One region as the call path sees it right now. Return the same object until something about it changes. */
export interface RegionRuntime {
  readonly name: string;
  /** RFC 3263 targets of the region's sip_server, in the order they are to be tried. */
  readonly endpoints: readonly Endpoint[];
  /** Host put in the Request-URI (a provider's domain); default: the first endpoint's address and port. */
  readonly request_uri_host?: string;
  readonly rewrite_headers?: readonly HeaderRewrite[];
  /** Digest credentials for the region's 401/407 challenges to an INVITE. */
  readonly credentials?: { readonly username: string; readonly password: string; readonly realm?: string };
  /** The region's measured OPTIONS round trip; the provisional timeout is at least three times this. */
  readonly rttMs?: number | null;
}

/** The facts the router sees for a new outbound call. */
export interface CallFacts {
  readonly callId: string;
  readonly fromUri: string;
  readonly toUri: string;
  readonly requestUri: string;
  readonly source: Endpoint;
}

export type SourceClass =
  | { readonly kind: 'region'; readonly region: string }
  | { readonly kind: 'pbx' }
  | { readonly kind: 'unknown' };

/** Where calls from the regions go: the PBX's registered contact. */
export interface PbxContact {
  /** The registered Contact URI (its user part is replaced by the dialled number). */
  readonly uri: string;
  /** Where to send: the source the REGISTER came from (NAT-safe) or the Contact's own address. */
  readonly endpoint: Endpoint;
}

export interface RegistrarLike {
  handle(req: SipRequest, tx: ServerTx, source: Endpoint): void;
  currentContact(): PbxContact | null;
  /** True when REGISTERs are checked with digest: then a PBX not yet known by its address may register. */
  readonly authenticates: boolean;
  /** True when out-of-dialog requests from the PBX are digest-challenged (407) before routing. */
  readonly challengesRequests?: boolean;
  /** A ban check before any transaction exists (see PbxRegistrar.screen). */
  screen?(req: SipRequest, source: Endpoint): RegistrarScreening;
  /** Verifies (or challenges) an out-of-dialog request from the PBX; false when it has been answered. */
  checkRequest?(req: SipRequest, source: Endpoint, respond: (res: SipResponse) => void): boolean;
}

export type RegistrarScreening =
  | { readonly verdict: 'pass' }
  | { readonly verdict: 'silence'; readonly reason: string }
  | { readonly verdict: 'reject'; readonly status: number; readonly reason: string };

export interface SipProxyOptions {
  readonly stack: SipStack;
  readonly config: Pick<Config, 'proxy' | 'pbx'> & { readonly security?: Config['security'] };
  /** Ordered region names for a new call (the routing service's routeCall). */
  readonly router: (facts: CallFacts) => RouteDecision;
  readonly regions: () => readonly RegionRuntime[];
  readonly classify: (source: Endpoint) => SourceClass;
  readonly registrar?: RegistrarLike;
  readonly store?: Pick<Store, 'recordCalls' | 'endCalls' | 'pruneCalls'>;
  /** Where settled call records wait for the store between flushes, safe from a kill (SQLite's file journal). */
  readonly callJournal?: CallJournal;
  readonly metrics?: Metrics;
  /**
   * Passive health signal: how each region answered each call it was given; `detail`, for a transport
   * error, what the transport said (`TLS handshake failed: certificate has expired (CERT_HAS_EXPIRED)`).
   */
  readonly onCallOutcome?: (region: string, outcome: CallOutcome, detail?: string) => void;
  /** Call records just written to the store (the event stream's `call` events). */
  readonly onCallsRecorded?: (calls: readonly CallInput[]) => void;
  readonly logger: Logger;
  /** Tunables; defaults in src/proxy/defaults.ts. */
  readonly limits?: Partial<ProxyLimits>;
}

export interface ProxyLimits {
  /** Dialogs remembered for in-dialog routing and CSeq offsets. */
  readonly maxDialogs: number;
  /** A dialog with no request for this long is forgotten, ms. */
  readonly dialogIdleMs: number;
  /**
   * Call records are flushed to the store this often, ms, or sooner when this many are pending; 0: at the
   * end of the event-loop turn that settled them (for a synchronous store, SQLite).
   */
  readonly recordFlushMs: number;
  readonly recordBatch: number;
  /** geo_calls keeps the newest this many rows. */
  readonly maxCallRows: number;
  /**
   * Call records kept in memory while the store cannot take them (a database restart), written when it
   * comes back; beyond this many the oldest are dropped and counted.
   */
  readonly maxSpooledRecords: number;
  /** The first retry of a failed write comes after this long, ms; each further one waits twice as long, up to 5 s. */
  readonly recordRetryMs: number;
}
