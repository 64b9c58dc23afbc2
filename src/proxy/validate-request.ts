/** RFC 3261 §16.3 request validation, for requests geored is about to forward. */
import { errorFactory, type GeoredError } from '../errors/catalogue';
import { PROXY_ERRORS } from '../errors/proxy';
import { checkRequestSemantics, type SipRequest } from '../sip/message';
import { hashInBranch } from './loop-branch';
import type { OwnAddresses } from './own-addresses';

const err = errorFactory(PROXY_ERRORS);

/**
 * The reason to refuse `req` before it is routed anywhere, or null: the message-layer rules a proxy applies
 * (src/sip/message/semantics.ts, the one place they are written) as proxy errors. §16.3 item 1: "The
 * request MUST be well-formed"; item 2 (scheme, 416), item 3 (Max-Forwards 0, 483), item 5 (Proxy-Require,
 * 420); §8.1.1.5 (CSeq method, 400). A request refused here reaches no region, so it can count against none
 * (passive health sees only what regions did with requests that were fit to send).
 */
export function checkRequest(req: SipRequest): GeoredError | null {
  const v = checkRequestSemantics(req, 'proxy');
  if (v === null) return null;
  switch (v.status) {
    case 483:
      return err('PROXY_TOO_MANY_HOPS', { method: req.method });
    case 420:
      return err('PROXY_BAD_EXTENSION', { extensions: req.headers.getAll('Proxy-Require').join(', ') });
    case 416:
      return err('PROXY_UNSUPPORTED_SCHEME', { method: req.method, reason: v.reason });
    default:
      return err('PROXY_MALFORMED_REQUEST', { method: req.method, reason: v.reason });
  }
}

/**
 * §16.3 item 4 and §16.4/§16.6 loops, for a request that passed `checkRequest`. `hash` is the request's
 * loop hash (initial requests only: the loop check costs a parse of every Via); `routed` is false when
 * Route processing left no Route entry, so the Request-URI is the next hop.
 */
export function detectLoop(
  req: SipRequest,
  own: OwnAddresses,
  hash: string | null,
  routed = true,
): GeoredError | null {
  // §16.4/§16.6 item 6-7: with no Route left, the request goes to its Request-URI. If that names geored
  // itself, it would come straight back, and again, until Max-Forwards runs out (an in-dialog BYE whose
  // remote target is geored went round 70 times). Nothing downstream can answer it: 482.
  if (!routed && own.isAddressedToUs(req)) return err('PROXY_LOOP_DETECTED', { method: req.method });
  // §16.3 item 4: "it MUST inspect the branch parameter in that Via header field value. If the parameter
  // is present, the element MUST compute the branch value for the current request ... and compare it with
  // the parameter received" — a match under our own sent-by is a loop (482); a mismatch is a spiral.
  if (hash !== null) {
    for (const v of req.vias) {
      if (hashInBranch(v.params['branch']) === hash && own.isOwnVia(v)) {
        return err('PROXY_LOOP_DETECTED', { method: req.method });
      }
    }
  }
  return null;
}

/** Both checks, for a request about to be forwarded (`checkRequest`, then `detectLoop`). */
export function validateForward(req: SipRequest, own: OwnAddresses, hash: string | null): GeoredError | null {
  return checkRequest(req) ?? detectLoop(req, own, hash);
}
