/** The passive health signal of an attempt (decide-signal.ts): a table per rule, every reason asserted. */
import { describe, expect, it } from 'vitest';
import type { AttemptEnd } from '../../src/proxy/decide-next';
import { decideCallSignal, decideLateAnswer } from '../../src/proxy/decide-signal';

const POLICY = { failoverCodes: [408, 500, 503, 504], failover6xx: [600] };
const SENT = 10_000;

describe('decideCallSignal', () => {
  const cases: Array<{
    name: string;
    end: AttemptEnd;
    invite?: boolean;
    answeredAt: number | null;
    counted?: number;
    outcome: string | null;
    reason: RegExp;
  }> = [
    {
      name: 'a silent INVITE with the region silent since: a failed call (the blackhole)',
      end: { kind: 'timeout' },
      answeredAt: SENT - 40,
      outcome: 'timeout',
      reason: /^No answer to this INVITE in time and none to any other since it was sent: a failed call\.$/,
    },
    {
      name: 'a silent INVITE to a region that never answered one: a failed call',
      end: { kind: 'timeout' },
      answeredAt: null,
      outcome: 'timeout',
      reason: /none to any other since it was sent/,
    },
    {
      name: 'an answer in the very millisecond it was sent does not prove this INVITE arrived later',
      end: { kind: 'timeout' },
      answeredAt: SENT,
      outcome: 'timeout',
      reason: /a failed call/,
    },
    {
      name: 'a silent INVITE while the region answered another one after it: loss, not counted',
      end: { kind: 'timeout' },
      answeredAt: SENT + 120,
      outcome: null,
      reason:
        /^No answer to this INVITE in time, but the region answered another INVITE 120 ms after it was sent: the region is alive and the INVITE or its answer was lost, not a failed call\.$/,
    },
    {
      name: 'a non-INVITE deadline is reported as it is (no provisional timeout is involved)',
      end: { kind: 'timeout' },
      invite: false,
      answeredAt: SENT + 120,
      outcome: 'timeout',
      reason: /^The attempt ended with a timeout: reported as it is\.$/,
    },
    {
      name: 'Timer C (a provisional, then nothing final) is a failure whatever else the region answers',
      end: { kind: 'timer-c' },
      answeredAt: SENT + 120,
      outcome: 'timeout',
      reason: /Timer C/,
    },
    {
      name: 'a transport error counts, heard or not',
      end: { kind: 'transport-error' },
      answeredAt: SENT + 120,
      outcome: 'transport-error',
      reason: /a transport error: reported as it is/,
    },
    {
      name: 'the first transaction a lost connection ended: a failed call, counted once',
      end: { kind: 'transport-error', connection: 7 },
      answeredAt: SENT + 1,
      outcome: 'transport-error',
      reason: /^The connection to the region was lost \(connection 7\): a failed call, counted once\.$/,
    },
    {
      name: 'another transaction ended by the same reset: not counted again',
      end: { kind: 'transport-error', connection: 7 },
      answeredAt: null,
      counted: 7,
      outcome: null,
      reason:
        /^The connection to the region was lost \(connection 7\), which an earlier call already counted: one reset is one failure, however many transactions it ended\.$/,
    },
    {
      name: 'a later reset of the new connection counts again',
      end: { kind: 'transport-error', connection: 8 },
      answeredAt: null,
      counted: 7,
      outcome: 'transport-error',
      reason: /connection 8\): a failed call, counted once/,
    },
    {
      name: 'a 503 counts, heard or not (the 503 storm)',
      end: { kind: 'response', status: 503 },
      answeredAt: SENT + 1,
      outcome: '5xx',
      reason: /a 503: reported as it is/,
    },
    {
      name: 'a 200 is a good call',
      end: { kind: 'response', status: 200 },
      answeredAt: SENT + 1,
      outcome: 'ok',
      reason: /a 200/,
    },
    {
      name: 'a challenge says nothing about the region',
      end: { kind: 'response', status: 407 },
      answeredAt: null,
      outcome: null,
      reason: /challenge/,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const d = decideCallSignal(
        {
          end: c.end,
          invite: c.invite ?? true,
          sentAt: SENT,
          regionAnsweredAt: c.answeredAt,
          countedConnection: c.counted ?? null,
        },
        POLICY,
      );
      expect(d.outcome).toBe(c.outcome);
      expect(d.reason).toMatch(c.reason);
    });
  }
});

describe('decideLateAnswer', () => {
  const cases: Array<{ status: number; outcome: string | null; reason: RegExp }> = [
    { status: 100, outcome: 'ok', reason: /^A late 100 to a given-up INVITE: the region is alive\.$/ },
    { status: 180, outcome: 'ok', reason: /late 180.*alive/ },
    { status: 200, outcome: 'ok', reason: /^A late 200 to a given-up INVITE: the region takes calls\.$/ },
    { status: 486, outcome: 'ok', reason: /late 486.*takes calls/ },
    {
      status: 503,
      outcome: null,
      reason: /^A late 503 to a given-up INVITE: the call was already counted for its silence\.$/,
    },
    { status: 408, outcome: null, reason: /already counted/ },
  ];
  for (const c of cases) {
    it(`a late ${c.status}`, () => {
      const d = decideLateAnswer(c.status, POLICY);
      expect(d.outcome).toBe(c.outcome);
      expect(d.reason).toMatch(c.reason);
    });
  }
});
