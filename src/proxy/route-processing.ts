/**
 * RFC 3261 §16.4 Route information preprocessing, and §16.6 items 6–7: where a request goes next.
 */
import type { SipRequest } from '../sip/message';
import type { OwnAddresses } from './own-addresses';

/**
 * Removes our own Route entries (one per side when we double-record-routed) and undoes a strict router's
 * rewrite, in place.
 */
export function processRoutes(req: SipRequest, own: OwnAddresses): void {
  // "If the Request-URI contains a value this proxy previously placed into a Record-Route header field
  // (see Section 16.6 item 4), the proxy MUST replace the Request-URI in the request with the last value
  // from the Route header field, and remove that value from the Route header field." (a strict router
  // upstream moved our Route entry into the Request-URI)
  if (req.headers.has('Route') && own.isOwnRouteUri(req.uri)) {
    const routes = req.headers.getAll('Route');
    const last = routes.pop() as string;
    req.headers.remove('Route');
    for (const r of routes) req.headers.append('Route', r);
    const lt = last.indexOf('<');
    req.uri = lt >= 0 ? last.slice(lt + 1, last.indexOf('>', lt)) : last.split(';')[0]!.trim();
  }
  // "If the first value in the Route header field indicates this proxy, the proxy MUST remove that value
  // from the request." Repeated: with two Record-Route entries of ours both come back.
  for (;;) {
    const first = req.headers.get('Route');
    if (first === undefined) return;
    const top = req.routes[0];
    if (!top || !own.isOwnRouteUri(top.uri)) return;
    req.headers.removeFirst('Route');
  }
}

/**
 * §16.6 item 6–7: the URI the request is sent to — the first Route entry if any (loose routing), else the
 * Request-URI. A strict next hop (a Route without ;lr) is not rewritten here: every element geored
 * talks to (PBXs, trunk providers) is a loose router in practice, and that is logged where it is not.
 */
export function nextHopUri(req: SipRequest): string {
  const top = req.headers.has('Route') ? req.routes[0] : undefined;
  return top ? top.uri : req.uri;
}
