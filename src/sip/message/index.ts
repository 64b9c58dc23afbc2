/**
 * The SIP message layer (sans-I/O): parse and serialize messages, URIs and headers. See
 * docs/architecture.md "SIP core contract".
 */
export { parseMessage, type ParseOptions } from './parse';
export { DEFAULT_LIMITS, resolveLimits, type ParseLimits } from './limits';
export { SipParseError, type SipErrorCode } from './errors';
export {
  SipRequest,
  SipResponse,
  isRequest,
  isResponse,
  parseRequestUri,
  parseCSeq,
  parseMaxForwards,
  parseCallId,
  type SipMessage,
  type CSeq,
} from './message';
export { Headers, type HeaderField } from './headers';
export { headerKey } from './header-names';
export {
  parseUri,
  parseUriShared,
  formatUri,
  formatHost,
  type Uri,
  type SipUri,
  type TelUri,
  type OtherUri,
} from './uri';
export { parseVia, formatVia, type Via } from './via';
export { parseNameAddr, parseNameAddrList, formatNameAddr, type NameAddr } from './name-addr';
export { paramsFrom, formatParams, type Params } from './params';
export { createResponse } from './create-response';
export { detached } from './detach';
export { newBranch, newTag, newCallId, MAGIC_COOKIE } from './ids';
export { reasonPhrase } from './reason';
export { StreamFramer, type Framed } from './framer';
export { checkMessage } from './validate';
export {
  checkRequestSemantics,
  checkResponseSemantics,
  type SemanticVerdict,
  type ElementRole,
} from './semantics';
