export {
  SipStack,
  type ClientRequest,
  type FinalResponse,
  type RequestHandler,
  type RequestHooks,
  type ServerTx,
  type SipStackOptions,
  type StackCounters,
} from './stack';
export { LogLimiter } from './log-limiter';
export { buildRequest, type RequestSpec } from './build-request';
export { resolveTarget, sourceAddressFor, targetOf, type ResolveOptions, type Target } from './resolve';
