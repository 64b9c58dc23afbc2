/** The call path: see sip-proxy.ts. */
export { SipProxy, createSipProxy } from './sip-proxy';
export type {
  CallFacts,
  PbxContact,
  ProxyLimits,
  RegionRuntime,
  RegistrarLike,
  SipProxyOptions,
  SourceClass,
} from './types';
export { decideNext, chooseBestResponse, type NextDecision, type NextPolicy } from './decide-next';
export {
  FailoverChain,
  type Attempt,
  type ChainAction,
  type ChainRegion,
  type ChainState,
} from './failover-chain';
