/** RFC 3261 §16.3 request validation, for requests geored is about to forward. */
import { errorFactory, type GeoredError } from '../errors/catalogue';
import { PROXY_ERRORS } from '../errors/proxy';
import type { SipRequest } from '../sip/message';
import { hashInBranch } from './loop-branch';
import type { OwnAddresses } from './own-addresses';

const err = errorFactory(PROXY_ERRORS);

/**
 * The reason to refuse `req`, or null. `hash` is the request's loop hash (initial requests only: the loop
 * check costs a parse of every Via, and in-dialog requests are bounded by Max-Forwards anyway).
 */
export function validateForward(req: SipRequest, own: OwnAddresses, hash: string | null): GeoredError | null {
  // §16.3 item 3: "If the request does not contain a Max-Forwards header field, this check is passed. If
  // the request contains a Max-Forwards header field with a field value greater than zero, the check is
  // passed. If the request contains a Max-Forwards header field with a field value of zero (0), the
  // element MUST NOT forward the request" — 483 (Too many hops).
  if (req.maxForwards === 0) return err('PROXY_TOO_MANY_HOPS', { method: req.method });
  // §16.3 item 6: "If the request contains a Proxy-Require header field with one or more option-tags this
  // element does not understand, the element MUST return a 420 (Bad Extension) response." geored
  // implements no proxy extensions, so any option tag is one it does not understand.
  const required = req.headers.getAll('Proxy-Require');
  if (required.length > 0) return err('PROXY_BAD_EXTENSION', { extensions: required.join(', ') });
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
