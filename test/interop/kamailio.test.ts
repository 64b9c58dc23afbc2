/**
 * Kamailio 5.6 as two regional carriers in front of the real `geored serve` (the shared carrier anchor):
 * geored registers its trunk in both through a 401 challenge (MD5 at one, SHA-256 at the other), places the
 * PBX's calls through their 407 challenge, delivers inbound calls from each carrier to the PBX — one
 * carrier with check_via=yes, which drops any reply whose top Via is not its own — and, with one Kamailio
 * stopped, sends every new call to the other: zero failed setups. The PBX and the far ends are sipp.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startKamailio, stopAllKamailio } from '../helpers/kamailio';
import { freePort } from '../helpers/ports';
import { runSippUac, startSipp } from '../helpers/sipp';
import { FAST_HEALTH, GEO, calls, get, runUac, startGeored, stopEverything, until } from '../app/harness';

afterEach(async () => {
  await stopAllKamailio();
  await stopEverything();
});

function carrierRegion(name: string, priority: number, port: number, user: string, pwVar: string): string[] {
  return [
    `      - name: ${name}`,
    `        priority: ${priority}`,
    `        trunk_id: trunk-${name}`,
    `        sip_server: "127.0.0.1:${port}"`,
    '        credentials:',
    `          username: ${user}`,
    `          password: env:${pwVar}`,
    '          expires: 300',
  ];
}

describe('Kamailio as two regional carriers', () => {
  it('trunk registrations (401), outbound calls through the 407, inbound calls past check_via, failover when one stops', async () => {
    // The far ends behind each carrier, and the ports their carrier-side UACs call from.
    const farEast = await startSipp({ scenario: 'region-uas.xml' });
    const farWest = await startSipp({ scenario: 'region-uas.xml' });
    const uacEast = await freePort();
    const uacWest = await freePort();
    const east = await startKamailio({
      name: 'east',
      realm: 'east.carrier.test',
      user: 'trunk-east',
      password: 'east-secret',
      algorithm: 'MD5',
      uasPort: farEast.port,
      uacPort: uacEast,
      checkVia: true,
    });
    const west = await startKamailio({
      name: 'west',
      realm: 'west.carrier.test',
      user: 'trunk-west',
      password: 'west-secret',
      algorithm: 'SHA-256',
      uasPort: farWest.port,
      uacPort: uacWest,
    });
    const pbx = await startSipp({ scenario: 'pbx-uas.xml' });
    const geored = await startGeored(
      [
        FAST_HEALTH,
        '    regions:',
        ...carrierRegion('us-east-1', 1, east.port, 'trunk-east', 'EAST_PW'),
        ...carrierRegion('us-west-1', 2, west.port, 'trunk-west', 'WEST_PW'),
      ],
      ['pbx:', `  address: udp:127.0.0.1:${pbx.port}`],
      { EAST_PW: 'east-secret', WEST_PW: 'west-secret' },
    );
    const logs = (): string =>
      `${geored.output().slice(-4000)}\n--- east\n${east.logs().slice(-4000)}\n--- west\n${west.logs().slice(-3000)}`;

    // Trunk registrations, each through its carrier's 401.
    for (const region of ['us-east-1', 'us-west-1']) {
      await until(
        async () => (await get(geored, `${GEO}/regions/${region}/health`))['registration'] === 'registered',
        `${region} registered:\n${logs()}`,
      );
    }
    expect(east.logs()).toMatch(/challenge REGISTER/);
    expect(east.logs()).toMatch(/REGISTER of sip:trunk-east@[^ ]+ saved/);
    expect(west.logs()).toMatch(/REGISTER of sip:trunk-west@[^ ]+ saved/);

    // Outbound: the PBX's calls go to us-east-1 through its 407.
    const out1 = await runUac('pbx-uac.xml', geored.sipPort, 5, 5);
    expect(out1.code, `${out1.output}\n${logs()}`).toBe(0);
    expect([out1.successful, out1.failed]).toEqual([5, 0]);
    expect(east.logs()).toMatch(/challenge INVITE/);

    // Inbound from each carrier to the PBX; east checks that every reply's top Via is its own.
    const inEast = await runSippUac({
      scenario: 'region-uac-inbound.xml',
      target: east.port,
      port: uacEast,
      calls: 3,
      rate: 5,
      timeout: '30s',
      extraArgs: ['-s', 'trunk-east'],
    });
    expect(inEast.code, `${inEast.output}\n${logs()}`).toBe(0);
    expect([inEast.successful, inEast.failed]).toEqual([3, 0]);
    expect(east.logs()).not.toMatch(/host in first via!=me/);
    const inWest = await runSippUac({
      scenario: 'region-uac-inbound.xml',
      target: west.port,
      port: uacWest,
      calls: 2,
      rate: 5,
      timeout: '30s',
      extraArgs: ['-s', 'trunk-west'],
    });
    expect(inWest.code, `${inWest.output}\n${logs()}`).toBe(0);
    expect([inWest.successful, inWest.failed]).toEqual([2, 0]);

    // us-east-1's Kamailio stops: every new call is set up through us-west-1.
    await east.stop();
    const out2 = await runUac('pbx-uac.xml', geored.sipPort, 5, 5);
    expect(out2.code, `${out2.output}\n${logs()}`).toBe(0);
    expect([out2.successful, out2.failed]).toEqual([5, 0]);

    await until(
      async () => (await calls(geored)).filter((c) => c.ended_at !== null).length === 15,
      'all 15 call records',
    );
    const rows = await calls(geored);
    const tally = (dir: string, region: string) =>
      rows.filter((r) => r.direction === dir && r.region === region && r.final_status === 200).length;
    expect({
      outEast: tally('outbound', 'us-east-1'),
      outWest: tally('outbound', 'us-west-1'),
      inEast: tally('inbound', 'us-east-1'),
      inWest: tally('inbound', 'us-west-1'),
    }).toEqual({ outEast: 5, outWest: 5, inEast: 3, inWest: 2 });
  }, 120_000);
});
