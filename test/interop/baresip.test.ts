/**
 * baresip 1.0 as the PBX in front of the real `geored serve`: it registers with digest (the default
 * algorithm set, which must be one baresip can answer), places a call through geored to a region (sipp),
 * holds and resumes it (re-INVITEs) and hangs up; then it receives a call from another region at the
 * Contact it registered and answers it. Every response baresip receives carries its own Via on top,
 * exactly once (read from baresip's own SIP trace): what a proxy leaves of its Via, baresip rejects
 * ("unhandled response"), and its BYE and hold never complete.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parseMessage, type SipMessage, type SipResponse } from '../../src/sip/message';
import { startBaresip, stopAllBaresip, type BaresipPeer } from '../helpers/baresip';
import { freePort } from '../helpers/ports';
import { startSipp } from '../helpers/sipp';
import { SLOW_HEALTH, calls, regionLines, runUac, startGeored, stopEverything, until } from '../app/harness';

afterEach(async () => {
  await stopAllBaresip();
  await stopEverything();
});

function received(b: BaresipPeer): SipMessage[] {
  return b
    .sipTrace()
    .filter((e) => e.direction === 'received')
    .map((e) => parseMessage(Buffer.from(e.text), { datagram: true }));
}

function responses(b: BaresipPeer): SipResponse[] {
  return received(b).filter((m): m is SipResponse => 'status' in m);
}

describe('baresip as the PBX', () => {
  it('registers, calls out, holds, resumes and hangs up, then takes an inbound call at its Contact; every answer carries its Via once', async () => {
    // No -m: geored's first OPTIONS probe is a "call" of the scenario too.
    const east = await startSipp({ scenario: 'region-uas.xml' });
    const westPort = await freePort();
    const geored = await startGeored(
      [
        SLOW_HEALTH,
        '    regions:',
        ...regionLines('us-east-1', 1, east.port),
        ...regionLines('us-west-1', 2, westPort),
      ],
      // No algorithms: the default set is what a PBX in the field must be able to answer.
      [
        'pbx:',
        '  credentials:',
        '    username: pbx',
        '    password: env:PBX_PASSWORD',
        '    realm: geored.test',
      ],
      { PBX_PASSWORD: 'baresip-secret' },
    );
    const b = await startBaresip({
      account: {
        aor: `sip:pbx@127.0.0.1:${geored.sipPort}`,
        authUser: 'pbx',
        password: 'baresip-secret',
        regint: 600,
      },
    });
    await until(() => b.registered(), `baresip registered:\n${b.logs()}`);
    const ownVia = `127.0.0.1:${b.port}`;

    // Out: dial, hold (re-INVITE a=sendonly), resume (re-INVITE), hang up.
    await b.command('dial', `sip:+15550001111@127.0.0.1:${geored.sipPort}`);
    await b.waitEvent('CALL_ESTABLISHED');
    const okTo = (method: string, nth: number) => () =>
      responses(b).filter((r) => r.status === 200 && r.cseq.method === method).length >= nth;
    // The first INVITE's 200 is #1; hold's is #2, resume's #3.
    await until(okTo('INVITE', 1), 'the 200 to the INVITE');
    await b.command('hold');
    await until(okTo('INVITE', 2), `the 200 to the hold re-INVITE:\n${b.logs().slice(-3000)}`);
    await b.command('resume');
    await until(okTo('INVITE', 3), `the 200 to the resume re-INVITE:\n${b.logs().slice(-3000)}`);
    await b.command('hangup');
    await b.waitEvent('CALL_CLOSED');
    await until(okTo('BYE', 1), `the 200 to the BYE:\n${b.logs().slice(-3000)}`);

    // In: a call from the other region goes to the Contact baresip registered; baresip answers it.
    const inbound = runUac('region-uac-inbound.xml', geored.sipPort, 1, 1, westPort);
    const incoming = await b.waitEvent('CALL_INCOMING');
    expect(incoming.peeruri).toContain('+15551230000');
    await b.command('accept');
    const run = await inbound;
    expect(run.code, `${run.output}\n${b.logs().slice(-3000)}`).toBe(0);
    await b.waitEvent('CALL_CLOSED', (e) => e !== b.events.find((x) => x.type === 'CALL_CLOSED'));

    const invites = received(b).filter((m) => 'method' in m && m.method === 'INVITE');
    expect(invites).toHaveLength(1);
    const contact = b
      .sipTrace()
      .find((e) => e.direction === 'sent' && e.text.startsWith('REGISTER'))
      ?.text.match(/\r\nContact: <([^>]+)>/)?.[1];
    expect(contact).toMatch(/^sip:pbx-[^@]+@127\.0\.0\.1:\d+$/);
    expect((invites[0] as { uri: string }).uri).toBe(contact);

    // The point of it all: every response baresip got has its own Via on top, once, and nothing above.
    const all = responses(b);
    expect(all.length).toBeGreaterThanOrEqual(8);
    for (const r of all) {
      const vias = r.vias.map((v) => `${v.host}:${v.port}`);
      expect(vias, `${r.status} ${r.cseq.method}`).toEqual([ownVia]);
    }
    expect(b.logs()).not.toContain('unhandled response');
    const rows = await calls(geored);
    expect(rows.map((r) => [r.direction, r.region, r.final_status]).sort()).toEqual([
      ['inbound', 'us-west-1', 200],
      ['outbound', 'us-east-1', 200],
    ]);
  }, 90_000);
});
