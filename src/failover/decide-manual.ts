/**
 * A manual failover (target, reason, who) as a switch decision, or the error the API answers with.
 */
import { errorFactory } from '../errors/catalogue';
import { FAILOVER_ERRORS } from '../errors/failover';
import type { FailoverDecision, FailoverDecisionConfig, FailoverInput } from './decide-failover-types';
import { isEligible } from './decide-select';

const failoverError = errorFactory(FAILOVER_ERRORS);

export interface ManualFailoverRequest {
  readonly target: string;
  readonly by: string;
  readonly reason: string;
  /** Fail over even to a region that is not eligible. */
  readonly force?: boolean;
}

/** Throws FAILOVER_UNKNOWN_REGION, FAILOVER_ALREADY_ACTIVE or FAILOVER_TARGET_NOT_ELIGIBLE. */
export function decideManualFailover(
  request: ManualFailoverRequest,
  input: FailoverInput,
  cfg: FailoverDecisionConfig,
  now: number,
): Extract<FailoverDecision, { kind: 'switch' }> {
  const target = input.regions.find((r) => r.name === request.target);
  if (!target) throw failoverError('FAILOVER_UNKNOWN_REGION', { region: request.target });
  if (input.active === target.name) throw failoverError('FAILOVER_ALREADY_ACTIVE', { region: target.name });
  const eligible = isEligible(target.state, cfg);
  if (!eligible && !request.force) {
    throw failoverError('FAILOVER_TARGET_NOT_ELIGIBLE', {
      region: target.name,
      state: target.state.toUpperCase(),
    });
  }
  const from = input.regions.find((r) => r.name === input.active) ?? null;
  const fromFailing = from !== null && !isEligible(from.state, cfg) && from.firstFailureAt !== null;
  return {
    kind: 'switch',
    from: input.active,
    to: target.name,
    automatic: false,
    initiated_by: request.by,
    reason:
      `manual failover from ${input.active ?? 'no region'} to ${target.name} by ${request.by}: ${request.reason}` +
      (eligible ? '' : ` (forced although ${target.name} is ${target.state.toUpperCase()})`),
    ...(fromFailing ? { duration_ms: now - from.firstFailureAt! } : {}),
    pin: { kind: 'manual', target: target.name, at: now, by: request.by, reason: request.reason },
  };
}
