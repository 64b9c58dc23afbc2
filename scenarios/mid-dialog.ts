/**
 * 9. re-INVITE, UPDATE and BYE across a failover: calls set up on region-1 are held 2 s while an operator
 * fails over to region-2 (POST /failover; region-1 stays up), then each sends a re-INVITE, an UPDATE and
 * its BYE. Every in-dialog request must still reach the region that holds the dialog, and new calls go to
 * region-2.
 */
import { settleRecords, withWorld } from './lib/common';
import { callsFor, coreInvariants, measure, type Scenario } from './lib/measure';
import { startPbxLoad } from './lib/pbx';
import { FAST_HEALTH, GEO, sleep } from './lib/world';

export const midDialog: Scenario = {
  name: 'mid-dialog',
  title: 're-INVITE, UPDATE and BYE of calls set up before a failover',
  invariant:
    'every re-INVITE, UPDATE and BYE of a call set up before the failover is answered 200 by the region holding it; zero failed setups; no record lost',
  run: (mode) =>
    withWorld(
      {
        health: FAST_HEALTH,
        regions: [
          { scenario: 'region-uas-dialog.xml' },
          { scenario: 'region-uas-dialog.xml' },
          { scenario: 'region-uas-dialog.xml' },
        ],
      },
      async (world) => {
        const { calls, rate } = callsFor(mode);
        const load = await startPbxLoad({
          target: world.sipTarget,
          calls,
          rate,
          timeoutS: 120,
          scenario: 'pbx-uac-dialog.xml',
        });
        await sleep(1500);
        const faultStart = Date.now();
        const res = await world.request('POST', `${GEO}/failover`, {
          target_region: 'region-2',
          reason: 'scenario mid-dialog: operator failover while calls are up',
        });
        const run = await load.done;
        await settleRecords(world, run);
        const records = await world.callRecords();
        const byId = new Map(records.map((r) => [r.call_id, r]));
        const m = await measure(world, {
          run,
          faultStart,
          faultedRegions: [],
          caught: 'in-window',
          records,
        });
        const before = run.calls.filter((c) => run.epochMs + c.startMs < faultStart - 200);
        const onRegion1 = before.filter((c) => byId.get(c.callId)?.region === 'region-1');
        const missing = (step: string) => before.filter((c) => c.events[step] === undefined).length;
        const after = run.calls.filter((c) => run.epochMs + c.startMs > faultStart + 500);
        const afterOn2 = after.filter((c) => byId.get(c.callId)?.region === 'region-2').length;
        return {
          name: midDialog.name,
          title: midDialog.title,
          mode,
          measured: m,
          invariants: [
            {
              statement: 'the operator failover was accepted',
              holds: res.status === 200,
              detail: `POST /failover: ${res.status}`,
            },
            ...coreInvariants(m, { falseFailoversAllowed: true }),
            {
              statement: 'calls set up before the failover were carried by region-1',
              holds: before.length > 0 && onRegion1.length === before.length,
              detail: `${onRegion1.length} of ${before.length} on region-1`,
            },
            ...(['reinvited', 'updated', 'ended'] as const).map((step) => ({
              statement: `every ${step === 'reinvited' ? 're-INVITE' : step === 'updated' ? 'UPDATE' : 'BYE'} of those calls answered 200`,
              holds: missing(step) === 0,
              detail: `${missing(step)} of ${before.length} unanswered`,
            })),
            {
              statement: 'calls placed after the failover go to region-2',
              holds: after.length > 0 && afterOn2 === after.length,
              detail: `${afterOn2} of ${after.length} on region-2`,
            },
          ],
          notes: [],
        };
      },
    ),
};
