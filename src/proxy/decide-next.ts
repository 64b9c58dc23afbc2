/**
 * The per-call "what next" choice after a region's attempt ended: forward this answer to the PBX, answer
 * the region's challenge, try the next target, or give up. A pure function, so every rule is a table test.
 */

/** How one attempt ended. A response is a real final one; the others mean no final answer arrived. */
export type AttemptEnd =
  | { readonly kind: 'response'; readonly status: number }
  /** No 1xx within the provisional timeout, or no final within the transaction's timeout. */
  | { readonly kind: 'timeout' }
  /** A provisional came, then no final answer within Timer C (RFC 3261 §16.8). */
  | { readonly kind: 'timer-c' }
  /**
   * `connection`: the id of the open connection whose loss ended it (the same for all it stranded);
   * `detail`: what the transport said (`TLS handshake failed: …`), for the region's health reason.
   */
  | { readonly kind: 'transport-error'; readonly connection?: number; readonly detail?: string };

export interface NextInput {
  readonly end: AttemptEnd;
  /** The region has credentials and this attempt did not already carry an answer to its challenge. */
  readonly canAuthenticate: boolean;
  /** Another target (endpoint of this region, or another region) is left to try. */
  readonly moreTargets: boolean;
}

export interface NextPolicy {
  /** Final 4xx/5xx statuses that mean "this region cannot take the call now". */
  readonly failoverCodes: readonly number[];
  /** 6xx statuses a region can fix (6xx are about the callee, and final, otherwise). */
  readonly failover6xx: readonly number[];
}

export type NextAction = 'forward' | 'authenticate' | 'retry' | 'give-up';

export interface NextDecision {
  readonly action: NextAction;
  readonly reason: string;
}

function retryOrGiveUp(moreTargets: boolean, why: string): NextDecision {
  return moreTargets
    ? { action: 'retry', reason: `${why}, so the call goes to the next target.` }
    : { action: 'give-up', reason: `${why}, and no target is left to try.` };
}

export function decideNext(input: NextInput, policy: NextPolicy): NextDecision {
  const { end, moreTargets } = input;
  if (end.kind === 'timeout') return retryOrGiveUp(moreTargets, 'The region did not answer in time');
  if (end.kind === 'timer-c')
    return retryOrGiveUp(
      moreTargets,
      'The region sent a provisional but no final answer within Timer C (RFC 3261 §16.8)',
    );
  if (end.kind === 'transport-error') return retryOrGiveUp(moreTargets, 'The transport to the region failed');
  const s = end.status;
  if (s < 300) return { action: 'forward', reason: `The region answered ${s}: the call is set up.` };
  if (s < 400)
    return { action: 'forward', reason: `A ${s} redirect is about the callee: it goes to the PBX.` };
  if (s === 401 || s === 407) {
    if (input.canAuthenticate)
      return {
        action: 'authenticate',
        reason: `The region challenged with ${s}: answer with its credentials.`,
      };
    // The challenge is for geored's trunk account, which the PBX cannot answer.
    return retryOrGiveUp(moreTargets, `The region refused geored's credentials with ${s}`);
  }
  if (s >= 600) {
    if (policy.failover6xx.includes(s))
      return retryOrGiveUp(moreTargets, `The region answered ${s}, configured as fixable by another region`);
    return { action: 'forward', reason: `A ${s} is a global answer about the callee: it goes to the PBX.` };
  }
  if (policy.failoverCodes.includes(s))
    return retryOrGiveUp(moreTargets, `The region answered ${s}, a failure of the region`);
  return { action: 'forward', reason: `A ${s} is about the callee, not the region: it goes to the PBX.` };
}

/**
 * RFC 3261 §16.7 item 6, choosing among the final answers of regions that all failed: a 6xx if there is
 * one, else the lowest class, preferring within 4xx the answers that say how to resubmit (415, 420, 484).
 * 401/407 are challenges to geored's own trunk account and mean nothing to the PBX, so they are never
 * chosen. Returns the index of the chosen status, or -1 when none qualifies (the caller answers 503).
 *
 * A 503 chosen here is forwarded, although §16.7 says a proxy SHOULD NOT forward one "unless it can
 * determine that any subsequent requests it might proxy will also generate a 503": every region has been
 * tried, which is exactly that determination, and the PBX's own trunk failover relies on seeing it.
 */
export function chooseBestResponse(statuses: readonly number[]): number {
  let best = -1;
  let bestRank = Infinity;
  for (let i = 0; i < statuses.length; i++) {
    const s = statuses[i] as number;
    if (s === 401 || s === 407 || s < 300) continue;
    const rank = s >= 600 ? 0 : Math.floor(s / 100) * 10 + (s === 415 || s === 420 || s === 484 ? 0 : 1);
    if (rank < bestRank) {
      best = i;
      bestRank = rank;
    }
  }
  return best;
}
