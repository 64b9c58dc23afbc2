/**
 * A 2xx from a branch geored already gave up on (the region answered after the provisional timeout, or
 * after a CANCEL crossed its 200): the callee is connected to nobody. geored acts as the UAC of that branch
 * for a moment: ACK the 2xx (RFC 3261 §13.2.2.4) and hang up with BYE (§15.1.1), along the route set the
 * 2xx's Record-Route gives, minus our own entries.
 */
import { Headers, SipRequest, type SipResponse } from '../sip/message';
import type { OwnAddresses } from './own-addresses';

export interface DialogRequest {
  readonly request: SipRequest;
  /** Where it goes first: the first Route entry, else the remote target. */
  readonly hop: string;
}

export function buildLateAnswerRequest(
  method: 'ACK' | 'BYE',
  sent: SipRequest,
  answer: SipResponse,
  own: OwnAddresses,
): DialogRequest | null {
  const contact = answer.contacts[0];
  if (!contact) return null;
  // §12.1.2: the UAC's route set is the Record-Route of the 2xx, reversed; ours point at ourselves.
  const routes = answer.recordRoutes
    .map((r) => r.uri)
    .reverse()
    .filter((u) => !own.isOwnRouteUri(u));
  const h = new Headers();
  for (const r of routes) h.append('Route', `<${r}>`);
  h.append('From', sent.headers.get('From') ?? '');
  h.append('To', answer.headers.get('To') ?? '');
  h.append('Call-ID', sent.callId);
  // ACK carries the INVITE's number; the BYE is the next request of this UAC (§12.2.1.1).
  h.append('CSeq', `${method === 'ACK' ? sent.cseq.seq : sent.cseq.seq + 1} ${method}`);
  h.append('Max-Forwards', '70');
  if (method === 'BYE') h.append('Reason', 'SIP;cause=200;text="Call completed elsewhere"');
  const request = new SipRequest(method, contact.uri, h);
  return { request, hop: routes[0] ?? contact.uri };
}
