import { createResponse, SipRequest, type SipResponse } from '../../../src/sip/message';
import type { LayerOutput, TransactionLayer } from '../../../src/sip/transaction';
import type { Endpoint, TransportProtocol } from '../../../src/sip/transport/types';

export const UAC: Endpoint = { protocol: 'udp', address: '192.0.2.10', port: 5060 };
export const UAS: Endpoint = { protocol: 'udp', address: '198.51.100.20', port: 5060 };

export function over(e: Endpoint, protocol: TransportProtocol): Endpoint {
  return { ...e, protocol };
}

export interface RequestSpec {
  branch?: string | null;
  transport?: string;
  sentBy?: string;
  cseq?: number;
  callId?: string;
  fromTag?: string;
  toTag?: string;
  uri?: string;
  routes?: string[];
  extraVia?: string;
}

let counter = 0;

/** A request as a UAC (or a proxy) would send it; every field can be varied. */
export function makeRequest(method: string, spec: RequestSpec = {}): SipRequest {
  const n = ++counter;
  const branch = spec.branch === undefined ? `z9hG4bK-test-${n}` : spec.branch;
  const via = `SIP/2.0/${spec.transport ?? 'UDP'} ${spec.sentBy ?? '192.0.2.10:5060'}${branch === null ? '' : `;branch=${branch}`}`;
  const fields: [string, string][] = [['Via', via]];
  if (spec.extraVia) fields.push(['Via', spec.extraVia]);
  for (const r of spec.routes ?? []) fields.push(['Route', r]);
  fields.push(
    ['Max-Forwards', '70'],
    ['From', `"Alice" <sip:alice@example.com>;tag=${spec.fromTag ?? `from-${n}`}`],
    ['To', `<sip:bob@example.net>${spec.toTag ? `;tag=${spec.toTag}` : ''}`],
    ['Call-ID', spec.callId ?? `call-${n}@192.0.2.10`],
    ['CSeq', `${spec.cseq ?? 1} ${method}`],
    ['Contact', '<sip:alice@192.0.2.10:5060>'],
  );
  return new SipRequest(method, spec.uri ?? 'sip:bob@example.net', fields);
}

/** A copy of `req` as the network delivers it again: a new object, the same content. */
export function retransmission(req: SipRequest): SipRequest {
  return req.clone();
}

export function makeResponse(req: SipRequest, status: number, toTag?: string): SipResponse {
  return createResponse(req, status, undefined, toTag === undefined ? {} : { toTag });
}

export function sends(out: LayerOutput[]): Extract<LayerOutput, { type: 'send' }>[] {
  return out.filter((o): o is Extract<LayerOutput, { type: 'send' }> => o.type === 'send');
}

export function types(out: LayerOutput[]): string[] {
  return out.map((o) => o.type);
}

export interface Timed {
  at: number;
  out: LayerOutput;
}

/**
 * Runs the layer's timers in virtual time up to `until` (inclusive), returning every output with the
 * instant it came out. The layer is asked for its next deadline each time, as a real clock would.
 */
export function runTimers(layer: TransactionLayer, until: number): Timed[] {
  const timed: Timed[] = [];
  for (;;) {
    const at = layer.nextTimer();
    if (at === null || at > until) return timed;
    for (const out of layer.onTimer(at)) timed.push({ at, out });
  }
}

/** The instants of the `send` outputs among `timed`. */
export function sendTimes(timed: Timed[]): number[] {
  return timed.filter((t) => t.out.type === 'send').map((t) => t.at);
}
