/**
 * One approval request per recovery: while failback waits for an operator, the failover loop decides
 * "await approval" on every tick. Asking again each time would bury the operator (and undo a rejection), so
 * a request is made only when none was recorded for the same move since the active region became active.
 */

export interface ApprovalRequestFacts {
  readonly from: string;
  readonly to: string;
  /** When the active region became active (ms); 0 when unknown. */
  readonly activeSince: number;
  /** The failback approvals known (newest first does not matter). */
  readonly approvals: ReadonlyArray<{
    readonly from_region: string | null;
    readonly to_region: string;
    /** ISO-8601. */
    readonly requested_at: string;
  }>;
}

export interface ApprovalRequestDecision {
  readonly decision: 'request' | 'already-requested';
  readonly reason: string;
}

export function decideApprovalRequest(f: ApprovalRequestFacts): ApprovalRequestDecision {
  const asked = f.approvals.find(
    (a) => a.from_region === f.from && a.to_region === f.to && Date.parse(a.requested_at) >= f.activeSince,
  );
  if (asked) {
    return {
      decision: 'already-requested',
      reason:
        `failback from ${f.from} to ${f.to} was already requested at ${asked.requested_at} during this ` +
        'recovery: one request per recovery',
    };
  }
  return {
    decision: 'request',
    reason: `no failback from ${f.from} to ${f.to} was requested since ${new Date(f.activeSince).toISOString()}: ask the operator`,
  };
}
