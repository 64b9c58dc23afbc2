import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SipMessage, SipRequest, SipResponse } from '../../../src/sip/message';
import { TransactionLayer, type LayerOutput } from '../../../src/sip/transaction';
import type { Endpoint, TransportProtocol } from '../../../src/sip/transport/types';
import { makeRequest, makeResponse } from './fixtures';

/** What the UAS's TU does with one request: maybe a provisional, then (always, possibly late) a final. */
interface Plan {
  method: 'INVITE' | 'OPTIONS';
  startAt: number;
  provisionalAfter: number | null;
  finalAfter: number;
  finalStatus: number;
}

interface Hop {
  drop: boolean;
  duplicate: boolean;
  delay: number;
}

interface Scenario {
  protocol: TransportProtocol;
  T1: number;
  /**
   * Loss and duplication happen before this instant only. A network that loses everything forever leaves
   * an INVITE that got a provisional waiting for ever (its guard is the proxy's Timer C, not §17), so the
   * network heals while the UAS still retransmits its final (64*T1 ≥ 16 s, every T2 = 4 s at most).
   */
  lossyUntil: number;
  plans: Plan[];
  hops: Hop[];
}

const planArb: fc.Arbitrary<Plan> = fc.record({
  method: fc.constantFrom('INVITE' as const, 'OPTIONS' as const),
  startAt: fc.integer({ min: 0, max: 5000 }),
  provisionalAfter: fc.option(fc.integer({ min: 0, max: 3000 }), { nil: null }),
  // Up to well past Timer B/F, so some answers come after the client has given up.
  finalAfter: fc.integer({ min: 0, max: 45_000 }),
  finalStatus: fc.constantFrom(200, 202, 302, 404, 486, 500, 503, 603),
});

const hopArb: fc.Arbitrary<Hop> = fc.record({
  drop: fc.boolean(),
  duplicate: fc.boolean(),
  delay: fc.integer({ min: 0, max: 4000 }),
});

const scenarioArb: fc.Arbitrary<Scenario> = fc.record({
  protocol: fc.constantFrom<TransportProtocol>('udp', 'udp', 'tcp'),
  T1: fc.constantFrom(500, 250),
  lossyUntil: fc.integer({ min: 0, max: 10_000 }),
  plans: fc.array(planArb, { minLength: 1, maxLength: 8 }),
  hops: fc.array(hopArb, { minLength: 1, maxLength: 40 }),
});

interface Event {
  at: number;
  seq: number;
  run: (at: number) => void;
}

/** Two transaction layers joined by a network that loses, duplicates, delays and reorders datagrams. */
function simulate(s: Scenario) {
  const reliable = s.protocol !== 'udp';
  const uac: Endpoint = { protocol: s.protocol, address: '192.0.2.10', port: 5060 };
  const uas: Endpoint = { protocol: s.protocol, address: '198.51.100.20', port: 5060 };
  const client = new TransactionLayer({ timers: { T1: s.T1 } });
  const server = new TransactionLayer({ timers: { T1: s.T1 } });
  const events: Event[] = [];
  let seq = 0;
  let hop = 0;
  const schedule = (at: number, run: (at: number) => void) => events.push({ at, seq: seq++, run });

  const outcomes = new Map<string, (number | 'timeout')[]>();
  const planByTx = new Map<string, Plan>();
  const acked = new Set<string>();
  const terminations = new Map<string, number>();
  const planOf = new Map<string, Plan>();

  const transmit = (message: SipMessage, to: TransactionLayer, from: Endpoint, at: number) => {
    const h = s.hops[hop++ % s.hops.length] as Hop;
    // A reliable transport neither loses nor duplicates; only delay (and so reordering) is left.
    const lossy = !reliable && at < s.lossyUntil;
    if (h.drop && lossy) return;
    schedule(at + h.delay, (t) => onServerOrClient(to, to.receive(message, from, t), t));
    if (h.duplicate && lossy)
      schedule(at + h.delay + 1 + (h.delay >> 1), (t) =>
        onServerOrClient(to, to.receive(message, from, t), t),
      );
  };

  const onServerOrClient = (layer: TransactionLayer, out: LayerOutput[], at: number) =>
    layer === client ? onClient(out, at) : onServer(out, at);

  function onClient(out: LayerOutput[], at: number): void {
    for (const o of out) {
      if (o.type === 'send') transmit(o.message, server, uac, at);
      else if (o.type === 'response') {
        outcomes.get(o.txId)?.push(o.response.status);
        if (o.response.cseq.method === 'INVITE') ackSuccess(o.response, at);
      } else if (o.type === 'stray-response') {
        if (o.response.cseq.method === 'INVITE') ackSuccess(o.response, at);
      } else if (o.type === 'timeout') outcomes.get(o.txId)?.push('timeout');
      else if (o.type === 'terminated') terminations.set(o.txId, (terminations.get(o.txId) ?? 0) + 1);
      else if (o.type === 'transport-error') throw new Error('no transport errors in this network');
    }
  }

  /** The UAC core acknowledges every 2xx to an INVITE itself, end to end, with a branch of its own. */
  function ackSuccess(res: SipResponse, at: number): void {
    if (res.status < 200 || res.status >= 300) return;
    transmit(
      makeRequest('ACK', { callId: res.callId, transport: s.protocol.toUpperCase() }),
      server,
      uac,
      at,
    );
  }

  /** §13.3.1.4: the UAS core retransmits its 2xx (T1 doubling to T2) until the ACK, for at most 64*T1. */
  function retransmit2xx(txId: string, res: SipResponse, sentAt: number, interval: number, at: number): void {
    schedule(at + interval, (t) => {
      if (acked.has(res.callId) || t - sentAt >= 64 * s.T1 || server.stateOf(txId) === undefined) return;
      onServer(server.respond(txId, res, t), t);
      retransmit2xx(txId, res, sentAt, Math.min(2 * interval, 4000), t);
    });
  }

  function onServer(out: LayerOutput[], at: number): void {
    for (const o of out) {
      if (o.type === 'send') transmit(o.message, client, uas, at);
      else if (o.type === 'ack') acked.add(o.request.callId);
      else if (o.type === 'request') {
        const plan = planOf.get(o.request.callId) as Plan;
        const req = o.request;
        if (plan.provisionalAfter !== null && plan.provisionalAfter < plan.finalAfter) {
          schedule(at + plan.provisionalAfter, (t) =>
            onServer(server.respond(o.txId, makeResponse(req, 180, 'uas'), t), t),
          );
        }
        schedule(at + plan.finalAfter, (t) => {
          const res = makeResponse(req, plan.finalStatus, 'uas');
          onServer(server.respond(o.txId, res, t), t);
          if (plan.method === 'INVITE' && res.status < 300) retransmit2xx(o.txId, res, t, s.T1, t);
        });
      }
    }
  }

  const requests: { req: SipRequest; plan: Plan }[] = s.plans.map((plan) => ({
    req: makeRequest(plan.method, { transport: s.protocol.toUpperCase() }),
    plan,
  }));
  for (const { req, plan } of requests) {
    planOf.set(req.callId, plan);
    schedule(plan.startAt, (t) => {
      const { id, outputs } = client.sendRequest(req, uas, t);
      outcomes.set(id, []);
      planByTx.set(id, plan);
      onClient(outputs, t);
    });
  }

  // The one clock: whichever comes first of the network, the TU, or either layer's timers.
  let now = 0;
  for (let steps = 0; ; steps++) {
    if (steps > 100_000) throw new Error('the simulation does not settle');
    events.sort((a, b) => a.at - b.at || a.seq - b.seq);
    const next = [events[0]?.at, client.nextTimer(), server.nextTimer()].filter(
      (t): t is number => t !== undefined && t !== null,
    );
    if (next.length === 0) break;
    const t = Math.min(...next);
    expect(t).toBeGreaterThanOrEqual(now);
    now = t;
    if (events[0]?.at === t) (events.shift() as Event).run(t);
    else if (client.nextTimer() === t) onClient(client.onTimer(t), t);
    else onServer(server.onTimer(t), t);
  }
  return { client, server, outcomes, terminations, requests, planByTx };
}

describe('transactions over a lossy network (property)', () => {
  it('every client transaction ends in exactly one final outcome and both layers empty out', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const { client, server, outcomes, terminations, requests } = simulate(s);
        expect(outcomes.size).toBe(requests.length);
        for (const [id, seen] of outcomes) {
          // 2xx retransmissions reaching an Accepted INVITE transaction are passed up again by design
          // (RFC 6026); the outcome is the first final.
          const finals = seen.filter((x) => x === 'timeout' || x >= 200);
          const firstFinal = finals[0];
          expect(firstFinal).toBeDefined();
          const extra = finals.slice(1);
          for (const x of extra) {
            expect(
              typeof firstFinal === 'number' && firstFinal < 300 && typeof x === 'number' && x < 300,
            ).toBe(true);
          }
          // Nothing reaches the TU after a timeout.
          if (firstFinal === 'timeout') expect(seen[seen.length - 1]).toBe('timeout');
          expect(terminations.get(id)).toBe(1);
        }
        // A final response is the one the UAS's TU chose.
        const planned = new Set(requests.map((r) => r.plan.finalStatus));
        for (const seen of outcomes.values()) {
          for (const x of seen) if (x !== 'timeout' && x >= 200) expect(planned.has(x)).toBe(true);
        }
        expect(client.size).toBe(0);
        expect(server.size).toBe(0);
        expect(client.nextTimer()).toBeNull();
        expect(server.nextTimer()).toBeNull();
      }),
      { numRuns: 150 },
    );
  });

  it('over a network that delivers everything promptly, every client transaction gets its planned final', () => {
    fc.assert(
      fc.property(
        fc.array(
          planArb.map((p) => ({ ...p, finalAfter: p.finalAfter % 20_000 })),
          { minLength: 1, maxLength: 8 },
        ),
        fc.constantFrom<TransportProtocol>('udp', 'tcp'),
        (plans, protocol) => {
          const { outcomes, planByTx, client } = simulate({
            protocol,
            T1: 500,
            lossyUntil: 0,
            plans,
            hops: [{ drop: false, duplicate: false, delay: 20 }],
          });
          for (const [id, seen] of outcomes) {
            expect(seen.find((x) => x === 'timeout' || x >= 200)).toBe(planByTx.get(id)?.finalStatus);
          }
          expect(client.size).toBe(0);
        },
      ),
      { numRuns: 60 },
    );
  });
});
