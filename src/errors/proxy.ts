import type { ErrorTable } from './catalogue';

/** Error codes of the proxy domain. Codes start with PROXY_; document each in docs/errors.md. */
export const PROXY_ERRORS = {
  PROXY_TOO_MANY_HOPS: {
    message: 'Max-Forwards reached 0 on a {method} request (RFC 3261 §16.3 item 3)',
    sip: 483,
  },
  PROXY_LOOP_DETECTED: {
    message:
      'the {method} request already passed through this proxy unchanged, or is addressed to it with no route onward (RFC 3261 §16.3 item 4, §16.4)',
    sip: 482,
  },
  PROXY_MALFORMED_REQUEST: {
    message: 'the {method} request is malformed: {reason}',
    sip: 400,
  },
  PROXY_UNSUPPORTED_SCHEME: {
    message: 'the {method} request cannot be served: {reason}',
    sip: 416,
  },
  PROXY_BAD_EXTENSION: {
    message: 'Proxy-Require lists extensions this proxy does not support: {extensions}',
    sip: 420,
  },
  PROXY_FORBIDDEN_SOURCE: {
    message: 'a {method} request from {source}, which is neither a region nor the PBX, was refused',
    sip: 403,
  },
  PROXY_NO_REGION: {
    message: 'no region can take the call: {reason}',
    sip: 503,
  },
  PROXY_NO_FINAL_ANSWER: {
    message: 'no region gave the call a final answer within Timer C (RFC 3261 §16.8): {reason}',
    sip: 408,
  },
  PROXY_NO_PBX_CONTACT: {
    message:
      'an inbound call from region {region} has nowhere to go: the PBX is not registered and no static address is configured',
    sip: 480,
  },
  PROXY_NO_TRANSACTION: {
    message: 'a {method} request matches no transaction or dialog this proxy knows (RFC 3261 §16.10)',
    sip: 481,
  },
  PROXY_UNROUTABLE: {
    message: "cannot forward a {method} request to '{uri}': {reason}",
    sip: 416,
  },
  PROXY_METHOD_NOT_ROUTED: {
    message:
      'an out-of-dialog {method} request is not routed by geored (only INVITE, REGISTER, OPTIONS, MESSAGE, INFO, NOTIFY, SUBSCRIBE, PUBLISH and REFER)',
    sip: 501,
  },
  PROXY_REGISTER_NOT_ACCEPTED: {
    message: 'REGISTER from {source} refused: {reason}',
    sip: 403,
  },
} as const satisfies ErrorTable;
