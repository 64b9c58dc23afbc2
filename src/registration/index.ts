/**
 * Registrations: geored's own trunk registrations in every region (TrunkRegistrations), the PBX registering
 * to geored (PbxRegistrar), and telling request sources apart (classifySource).
 */
export {
  TrunkRegistrations,
  type TrunkRegistrationsOptions,
  type StateListener,
} from './trunk-registrations';
export { type RegistrationStack, type ResolveTarget } from './trunk-registration';
export {
  type RegistrationState,
  type RegistrationStatus,
  type RegistrationFacts,
  RegistrationMachine,
  canTransition,
} from './trunk-state';
export { DEFAULT_TIMING, resolveTiming, type RegistrationTiming } from './trunk-timing';
export {
  nextRegistrationAction,
  judgeRegisterResponse,
  refreshDelayMs,
  backoffDelayMs,
  type RegistrationDecision,
  type RegistrationAction,
  type RegisterAnswer,
  type RegisterOutcome,
} from './trunk-decide';
export {
  PbxRegistrar,
  DEFAULT_EXPIRY_LIMITS,
  type PbxContact,
  type PbxContactListener,
  type PbxRegistrarOptions,
} from './registrar';
export { BindingStore, type Binding } from './bindings';
export {
  planBindings,
  contactEndpoint,
  type BindingPlan,
  type ExpiryLimits,
  type RegisterFacts,
} from './binding-update';
export { classifySource, type RegionSources, type PbxSources, type SourceKind } from './classify-source';
export { canonicalIp, sameIp, isLoopback } from './ip-address';
