/**
 * Registrations through the real `geored serve`: geored's own trunk registration in a region (a sipp
 * registrar that challenges with 401 and grants short registrations, so geored must refresh), and the PBX
 * registering to geored and then receiving a call from a region at the address it registered from.
 */
import { createSocket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/ports';
import { startSipp } from '../helpers/sipp';
import { SippMessageLog } from '../registration/helpers';
import {
  GEO,
  SLOW_HEALTH,
  calls,
  get,
  metricSum,
  regionLines,
  pbxCredentialLines,
  registerPbx,
  runUac,
  startGeored,
  stopEverything,
  until,
} from './harness';

const logs: SippMessageLog[] = [];
afterEach(async () => {
  await stopEverything();
  for (const l of logs.splice(0)) l.remove();
});

describe('registrations through geored serve', () => {
  it("registers the trunk with a 401 challenge, refreshes it, and shows it in the region's health", async () => {
    const log = new SippMessageLog();
    logs.push(log);
    const registrar = await startSipp({
      scenario: 'registrar-refresh.xml',
      set: { user: 'alice', password: 'wonderland', expires: '3' },
      extraArgs: log.args,
    });
    const geored = await startGeored(
      [
        SLOW_HEALTH,
        '    regions:',
        ...regionLines('eu-west-1', 1, registrar.port, [
          '        credentials:',
          '          username: alice',
          '          password: env:EU_WEST_PASSWORD',
          '          expires: 60',
        ]),
      ],
      [],
      { EU_WEST_PASSWORD: 'wonderland' },
    );
    const health = async () => (await get(geored, `${GEO}/regions/eu-west-1/health`))['registration'];
    await until(async () => (await health()) === 'registered', 'registration registered');
    // The grant is 3 s, so staying registered means refreshing: at least two 200s from the registrar.
    await until(() => log.sentStatuses().filter((s) => s === '200').length >= 2, 'a refresh answered 200');
    expect(await health()).toBe('registered');
    expect(log.sentStatuses()).toContain('401');
    const text = await get<string>(geored, '/metrics');
    expect(metricSum(text, 'geored_registration_state', { region: 'eu-west-1', state: 'rejected' })).toBe(0);
    expect(
      metricSum(text, 'geored_registration_state', { region: 'eu-west-1', state: 'registered' }) +
        metricSum(text, 'geored_registration_state', { region: 'eu-west-1', state: 'refreshing' }),
    ).toBe(1);
    // SIGTERM removes the binding (REGISTER with Expires: 0) before geored exits.
    const before = log.receivedRegisters().length;
    expect(await geored.stop()).toBe(0);
    const after = log.receivedRegisters().slice(before);
    expect(after.some((r) => /^Expires:\s*0\s*$/im.test(r) || /;expires=0/i.test(r))).toBe(true);
  }, 90_000);

  it('the PBX registers to geored (digest MD5) and then receives an inbound call from a region', async () => {
    const carrierPort = await freePort();
    const pbxPort = await freePort();
    const geored = await startGeored(
      [SLOW_HEALTH, '    regions:', ...regionLines('eu-west-1', 1, carrierPort)],
      pbxCredentialLines('    algorithms: [MD5]'),
      { PBX_PASSWORD: 'secret' },
    );
    // The PBX registers from pbxPort and holds the registration; it is then killed without un-registering,
    // so the binding stays and the PBX's UAS can take over the same port.
    await registerPbx(geored, pbxPort);
    const pbx = await startSipp({ scenario: 'pbx-uas.xml', port: pbxPort, extraArgs: ['-m', '1'] });

    const run = await runUac('region-uac-inbound.xml', geored.sipPort, 1, 1, carrierPort);
    expect(run.code, `${run.output}\n${geored.output()}`).toBe(0);
    expect(await pbx.exited, pbx.output()).toBe(0);
    await until(
      async () => (await calls(geored)).some((c) => c.ended_at !== null),
      'the inbound call record',
    );
    const [row] = await calls(geored);
    expect(row).toMatchObject({ direction: 'inbound', region: 'eu-west-1', final_status: 200 });
  }, 90_000);

  it('a source refused before the PBX registers from it is the PBX once it has (the classification is not kept past the change)', async () => {
    const carrierPort = await freePort();
    const pbxPort = await freePort();
    const geored = await startGeored(
      [SLOW_HEALTH, '    regions:', ...regionLines('eu-west-1', 1, carrierPort)],
      pbxCredentialLines(),
      { PBX_PASSWORD: 'secret' },
    );
    // OPTIONS from the PBX's port, answered by geored itself: 403 from an unknown source, 200 from the PBX.
    const optionsFrom = async (n: number): Promise<number> => {
      const socket = createSocket('udp4');
      await new Promise<void>((r) => socket.bind(pbxPort, '127.0.0.1', () => r()));
      try {
        const answered = new Promise<number>((resolve) =>
          socket.on('message', (buf) =>
            resolve(Number(/^SIP\/2\.0 (\d{3})/.exec(buf.toString('latin1'))?.[1])),
          ),
        );
        const text = [
          `OPTIONS sip:127.0.0.1:${geored.sipPort} SIP/2.0`,
          `Via: SIP/2.0/UDP 127.0.0.1:${pbxPort};branch=z9hG4bK-classify-${n};rport`,
          'Max-Forwards: 70',
          `From: <sip:pbx@127.0.0.1:${pbxPort}>;tag=classify-${n}`,
          `To: <sip:127.0.0.1:${geored.sipPort}>`,
          `Call-ID: classify-${n}-${process.pid}`,
          `CSeq: ${n} OPTIONS`,
          'Content-Length: 0',
          '',
          '',
        ].join('\r\n');
        socket.send(text, geored.sipPort, '127.0.0.1');
        return await answered;
      } finally {
        socket.close();
      }
    };
    expect(await optionsFrom(1)).toBe(403);
    expect(await optionsFrom(2)).toBe(403);
    await registerPbx(geored, pbxPort);
    expect(await optionsFrom(3)).toBe(200);
  }, 60_000);

  it('a rejected registration while the region answers its probes makes the region DEGRADED', async () => {
    // Over TCP, so the probe (tcp_connect) and the registration reach the same sipp, which forbids REGISTER.
    const registrar = await startSipp({ scenario: 'registrar-forbidden.xml', transport: 'tcp' });
    const geored = await startGeored(
      [
        '    health_check: { interval: 0.25, timeout: 0.5, retry_count: 2, jitter: 0, check_methods: [tcp_connect] }',
        '    regions:',
        '      - name: eu-west-1',
        '        priority: 1',
        '        trunk_id: trunk-eu-west',
        `        sip_server: "sip:127.0.0.1:${registrar.port};transport=tcp"`,
        '        credentials:',
        '          username: alice',
        '          password: env:EU_WEST_PASSWORD',
      ],
      [],
      { EU_WEST_PASSWORD: 'wonderland' },
    );
    const health = () => get(geored, `${GEO}/regions/eu-west-1/health`);
    await until(async () => (await health())['state'] === 'degraded', 'eu-west-1 DEGRADED');
    const h = await health();
    expect(h['registration']).toBe('failed');
    expect((h['checks'] as Array<{ success: boolean }>).every((c) => c.success)).toBe(true);
  }, 90_000);
});
