import { describe, expect, it } from 'vitest';
import { decideApprovalRequest, type ApprovalRequestFacts } from '../../src/failover/decide-approval';

const SINCE = Date.parse('2026-01-01T10:00:00Z');

function facts(approvals: ApprovalRequestFacts['approvals']): ApprovalRequestFacts {
  return { from: 'us-west-1', to: 'us-east-1', activeSince: SINCE, approvals };
}
const at = (ms: number) => new Date(ms).toISOString();

describe('decideApprovalRequest (one approval request per recovery)', () => {
  const ask =
    'no failback from us-west-1 to us-east-1 was requested since 2026-01-01T10:00:00.000Z: ask the operator';
  const rows: Array<[string, ApprovalRequestFacts['approvals'], 'request' | 'already-requested', string]> = [
    ['nothing asked yet', [], 'request', ask],
    [
      'asked for the same move during this recovery',
      [{ from_region: 'us-west-1', to_region: 'us-east-1', requested_at: at(SINCE + 5_000) }],
      'already-requested',
      'failback from us-west-1 to us-east-1 was already requested at 2026-01-01T10:00:05.000Z during this ' +
        'recovery: one request per recovery',
    ],
    [
      'asked at the very moment the region became active',
      [{ from_region: 'us-west-1', to_region: 'us-east-1', requested_at: at(SINCE) }],
      'already-requested',
      'failback from us-west-1 to us-east-1 was already requested at 2026-01-01T10:00:00.000Z during this ' +
        'recovery: one request per recovery',
    ],
    [
      'asked during an earlier recovery',
      [{ from_region: 'us-west-1', to_region: 'us-east-1', requested_at: at(SINCE - 1) }],
      'request',
      ask,
    ],
    [
      'asked for another target',
      [{ from_region: 'us-west-1', to_region: 'eu-west-1', requested_at: at(SINCE + 5_000) }],
      'request',
      ask,
    ],
    [
      'asked from another source',
      [{ from_region: 'eu-west-1', to_region: 'us-east-1', requested_at: at(SINCE + 5_000) }],
      'request',
      ask,
    ],
  ];
  it.each(rows)('%s', (_name, approvals, decision, reason) => {
    expect(decideApprovalRequest(facts(approvals))).toEqual({ decision, reason });
  });
});
