import type { SipRequest } from '../message';
import type { Endpoint } from '../transport/types';

/**
 * RFC 3261 §18.2.1 and RFC 3581 §4: a server records where a request really came from in its top Via, so
 * the response finds its way back through NAT: `received=` when the sent-by host is not the source address,
 * and the source port in an `rport` the client left empty. Edits the raw Via text so every other parameter
 * stays byte for byte.
 */
export function applyReceived(req: SipRequest, source: Endpoint): void {
  const top = req.topVia;
  if (!top) return;
  const rportEmpty = 'rport' in top.params && !top.params['rport'];
  const hostDiffers = stripBrackets(top.host) !== source.address;
  if (!rportEmpty && !hostDiffers) return;
  const raw = req.headers.getAll('Via')[0];
  if (raw === undefined) return;
  let edited = raw;
  if (rportEmpty) edited = edited.replace(/;\s*rport\s*(?==|;|$)(=\s*(?=;|$))?/i, `;rport=${source.port}`);
  // received is set whenever rport is present too (RFC 3581 §4), and replaces a stale one.
  if (hostDiffers || rportEmpty) {
    edited = edited.replace(/;\s*received\s*=\s*[^;]*/i, '') + `;received=${source.address}`;
  }
  req.headers.removeFirst('Via');
  req.headers.prepend('Via', edited);
}

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}
