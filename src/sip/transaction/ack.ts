import { SipRequest, type SipResponse } from '../message';

/**
 * The ACK a client INVITE transaction sends for a 300-699 response (RFC 3261 §17.1.1.3). It belongs to
 * the INVITE's transaction, so it reuses the INVITE's branch; the ACK for a 2xx is the TU's business.
 */
export function ackForNonSuccess(invite: SipRequest, response: SipResponse): SipRequest {
  const h = invite.headers;
  const fields: [string, string][] = [];
  // "The ACK MUST contain a single Via header field, and this MUST be equal to the top Via header field of
  // the original request."
  const topVia = h.getAll('Via')[0];
  if (topVia !== undefined) fields.push(['Via', topVia]);
  // "If the INVITE request whose response is being acknowledged had Route header fields, those header
  // fields MUST appear in the ACK."
  for (const route of h.getAll('Route')) fields.push(['Route', route]);
  // §8.1.1.6: every request carries Max-Forwards; the ACK takes the INVITE's.
  fields.push(['Max-Forwards', h.get('Max-Forwards') ?? '70']);
  // "The Call-ID, From, and Request-URI header fields MUST be equal to the values of those header fields
  // in the request passed to the transport by the client transaction (call this the "original request").
  // The To header field in the ACK MUST equal the To header field in the response being acknowledged."
  fields.push(['From', h.get('From') ?? '']);
  fields.push(['To', response.headers.get('To') ?? '']);
  fields.push(['Call-ID', h.get('Call-ID') ?? '']);
  // "The CSeq header field in the ACK MUST contain the same value for the sequence number as was present
  // in the original request, but the method parameter MUST be equal to "ACK"."
  fields.push(['CSeq', `${invite.cseq.seq} ACK`]);
  return new SipRequest('ACK', invite.uri, fields);
}
