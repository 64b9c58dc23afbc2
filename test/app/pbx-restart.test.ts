/**
 * PBX registrations survive a restart of `geored serve` (issue 7): the PBX registers once, geored is
 * stopped and started again on the same store, and a call from the region reaches the PBX at once,
 * without the PBX registering again.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/ports';
import { startSipp } from '../helpers/sipp';
import {
  SLOW_HEALTH,
  calls,
  pbxCredentialLines,
  regionLines,
  registerPbx,
  runUac,
  startGeored,
  stopEverything,
  until,
} from './harness';

const dirs: string[] = [];
afterEach(async () => {
  await stopEverything();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('PBX registration across a restart', () => {
  it('a call from the region reaches the PBX after a restart, with no new REGISTER', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'geored-pbx-restart-'));
    dirs.push(dir);
    const carrierPort = await freePort();
    const pbxPort = await freePort();
    const config = (): Promise<Awaited<ReturnType<typeof startGeored>>> =>
      startGeored(
        [SLOW_HEALTH, '    regions:', ...regionLines('eu-west-1', 1, carrierPort)],
        pbxCredentialLines('    algorithms: [MD5]'),
        { PBX_PASSWORD: 'secret', GEORED_STORE: `sqlite:${join(dir, 'geored.db')}` },
      );
    const first = await config();
    // The PBX goes quiet (killed without un-registering) and geored restarts on the same store.
    await registerPbx(first, pbxPort);
    expect(await first.stop()).toBe(0);
    const second = await config();
    expect(
      second.logs().some((l) => String(l['msg']).startsWith('PBX registration restored from the store: 1')),
    ).toBe(true);
    const pbx = await startSipp({ scenario: 'pbx-uas.xml', port: pbxPort, extraArgs: ['-m', '1'] });
    const run = await runUac('region-uac-inbound.xml', second.sipPort, 1, 1, carrierPort);
    expect(run.code, `${run.output}\n${second.output()}`).toBe(0);
    expect(await pbx.exited, pbx.output()).toBe(0);
    await until(
      async () => (await calls(second)).some((c) => c.ended_at !== null),
      'the inbound call record',
    );
    const [row] = await calls(second);
    expect(row).toMatchObject({ direction: 'inbound', region: 'eu-west-1', final_status: 200 });
    expect(second.logs().some((l) => String(l['msg']).startsWith('PBX registration:'))).toBe(false);
  }, 120_000);
});
