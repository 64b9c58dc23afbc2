/**
 * The passive health signal one attempt gives its region (what counts toward passive_failure_threshold),
 * decided from how the attempt ended and from what the region did meanwhile on other calls. Pure, so every
 * rule is a table test (test/proxy/decide-signal.test.ts).
 *
 * Why silence needs its own rule: the provisional timeout (500 ms by default, the same as T1) moves a call
 * on before its INVITE's first retransmission could be answered, which is right for the caller (a
 * blackholed region costs each call half a second, no more). But on a lossy link one INVITE in four or
 * five goes unanswered that long, and counting each as a failed call marks a working region DOWN within a
 * second: a false failover. A region that answered another INVITE after this one was sent is alive and the
 * silence was loss on the way, so it is not a failed call; a region that answered nothing since is what a
 * blackhole looks like, and counts at once (the blackhole's fast failover is unchanged). An answer that
 * comes late, to an INVITE the call had already moved on from (its retransmission got through), proves the
 * same and counts as a good call.
 *
 * Why a lost connection counts once: a RST of a TCP or TLS connection ends every transaction on it at
 * once (RFC 3261 §17.1.4), so under load one reset would be several failed calls in a row and mark a region
 * that is otherwise fine DOWN. It is one event; a region that is really gone keeps failing new calls (the
 * reconnect is refused or times out), and those count one each.
 */
import type { CallOutcome } from '../health/decide-health-types';
import type { AttemptEnd, NextPolicy } from './decide-next';
import { outcomeOf } from './failover-chain';

export interface SignalInput {
  readonly end: AttemptEnd;
  /** The attempt was an INVITE (the silence rule is about the provisional timeout, which only INVITEs have). */
  readonly invite: boolean;
  /** When the attempt's request was sent (ms). */
  readonly sentAt: number;
  /** The last time the region answered any INVITE (any response, any call, ms), or null if never. */
  readonly regionAnsweredAt: number | null;
  /** The last lost connection to the region already counted as a failed call (its id), if any. */
  readonly countedConnection?: number | null;
}

export interface SignalDecision {
  /** The outcome to report for the region; null: nothing to report. */
  readonly outcome: CallOutcome | null;
  readonly reason: string;
}

export function decideCallSignal(input: SignalInput, policy: NextPolicy): SignalDecision {
  const outcome = outcomeOf(input.end, policy);
  if (outcome === null)
    return { outcome, reason: 'A challenge or a fixable 6xx says nothing about the region.' };
  const end = input.end;
  if (end.kind === 'transport-error' && end.connection !== undefined) {
    if (end.connection === input.countedConnection)
      return {
        outcome: null,
        reason:
          `The connection to the region was lost (connection ${end.connection}), which an earlier call ` +
          'already counted: one reset is one failure, however many transactions it ended.',
      };
    return {
      outcome,
      reason: `The connection to the region was lost (connection ${end.connection}): a failed call, counted once.`,
    };
  }
  if (end.kind !== 'timeout' || !input.invite)
    return { outcome, reason: `The attempt ended with ${describe(input.end)}: reported as it is.` };
  const heard = input.regionAnsweredAt;
  if (heard !== null && heard > input.sentAt)
    return {
      outcome: null,
      reason:
        `No answer to this INVITE in time, but the region answered another INVITE ${heard - input.sentAt} ms ` +
        'after it was sent: the region is alive and the INVITE or its answer was lost, not a failed call.',
    };
  return {
    outcome,
    reason: 'No answer to this INVITE in time and none to any other since it was sent: a failed call.',
  };
}

/**
 * A response to an INVITE the call had already moved on from for silence (its retransmission got through,
 * or the region was slow): a provisional, 2xx or an answer about the callee proves the region takes calls
 * and counts as a good call; a failure answer (5xx, 408) is not counted again (the silence was).
 */
export function decideLateAnswer(status: number, policy: NextPolicy): SignalDecision {
  if (status < 200)
    return { outcome: 'ok', reason: `A late ${status} to a given-up INVITE: the region is alive.` };
  const outcome = outcomeOf({ kind: 'response', status }, policy);
  if (outcome === 'ok')
    return { outcome, reason: `A late ${status} to a given-up INVITE: the region takes calls.` };
  return {
    outcome: null,
    reason: `A late ${status} to a given-up INVITE: the call was already counted for its silence.`,
  };
}

function describe(end: AttemptEnd): string {
  switch (end.kind) {
    case 'response':
      return `a ${end.status}`;
    case 'timeout':
      return 'a timeout';
    case 'timer-c':
      return 'Timer C (a provisional, then no final answer)';
    case 'transport-error':
      return 'a transport error';
  }
}
