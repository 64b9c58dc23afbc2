/** What the pieces of the call path share: one object built by SipProxy, passed to the per-call helpers. */
import type { Logger } from 'pino';
import type { GeoredError } from '../errors/catalogue';
import type { ProxyConfig } from '../config/types';
import type { CallOutcome } from '../health/decide-health-types';
import type { Metrics } from '../metrics/registry';
import type { SipRequest, SipResponse } from '../sip/message';
import type { LogLimiter, ServerTx, SipStack } from '../sip/stack';
import type { CallRecorder } from './call-records';
import type { DialogTable } from './dialogs';
import type { OwnAddresses } from './own-addresses';
import type { RegionPlans } from './region-plan';
import type { SipCounters } from './sip-counters';

/** An INVITE in progress that a CANCEL can stop (§16.10). */
export interface Cancellable {
  cancel(now: number): void;
}

export interface ProxyContext {
  readonly stack: SipStack;
  readonly own: OwnAddresses;
  readonly proxy: ProxyConfig;
  readonly plans: RegionPlans;
  readonly dialogs: DialogTable;
  readonly recorder: CallRecorder;
  readonly counters: SipCounters | null;
  readonly metrics: Metrics | undefined;
  readonly log: Logger;
  /**
   * "Every region failed the call" happens once per call while no region answers, so its rate is the
   * PBX's call rate: at most one warn line a minute, with the count of the rest.
   */
  readonly allFailedLog: LogLimiter;
  readonly onCallOutcome: ((region: string, outcome: CallOutcome, detail?: string) => void) | undefined;
  /**
   * The last time each region answered an INVITE (any response, any call, ms): a provisional timeout counts
   * as a failed call only if the region answered nothing since that INVITE was sent (decide-signal.ts).
   */
  readonly inviteAnswers: Map<string, number>;
  /** The last lost connection to each region counted as a failed call: one reset counts once. */
  readonly countedLosses: Map<string, number>;
  /** INVITEs in progress by their CANCEL key (top Via branch and sent-by, §9.2 matching). */
  readonly invites: Map<string, Cancellable>;
  /** Sends a response through a server transaction, counting it; a transaction already gone is ignored. */
  respond(tx: Pick<ServerTx, 'respond'>, res: SipResponse): void;
  /** Answers `req` with the SIP status of `e`, a Warning saying why. */
  refuse(tx: ServerTx, req: SipRequest, e: GeoredError): void;
  /** Counts a request leaving geored. */
  sent(method: string): void;
  /** Proxied server transactions still waiting for their final response. */
  inflight(delta: number): void;
}

/** §9.2: a CANCEL matches the INVITE with the same top Via branch and sent-by. */
export function cancelKey(req: SipRequest): string {
  const v = req.topVia;
  return `${v.params['branch'] ?? ''}\n${v.host}:${v.port ?? ''}`;
}
