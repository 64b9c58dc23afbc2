/**
 * What geored puts on the wire, seen by raw UDP peers that forgive nothing (sipp does): one Via of ours
 * per hop and none left on a response (RFC 3261 §16.6 item 8, §16.7 item 3), the registered Contact as the
 * Request-URI toward the PBX (§16.5) with the DID still visible, malformed requests refused before any
 * region sees them (§8.1.1.5, §16.3), in-dialog loops stopped (§16.4), and Timer C (§16.8).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { PbxRegistrar } from '../../src/registration/registrar';
import type { SipRequest, SipResponse } from '../../src/sip/message';
import {
  answer,
  closeAllPeers,
  isRequestFor,
  isResponseTo,
  msg,
  udpPeer,
  type UdpPeer,
} from '../helpers/udp-peer';
import { metricSum, startProxy, stopAll, until, type Harness } from './harness';
import type { ProxyConfig } from '../../src/config/types';

afterEach(async () => {
  closeAllPeers();
  await stopAll();
});

let seq = 0;
const uniq = (): string => `${process.pid}-${++seq}-${Math.random().toString(36).slice(2, 8)}`;

interface Setup {
  h: Harness;
  pbx: UdpPeer;
  east: UdpPeer;
  west: UdpPeer;
  registrar: PbxRegistrar;
}

async function setup(proxy: Partial<ProxyConfig> = {}, regions = 1, t1Ms?: number): Promise<Setup> {
  const pbx = await udpPeer();
  const east = await udpPeer();
  const west = await udpPeer();
  const registrar = new PbxRegistrar({ pbx: { allow_any_loopback: true } });
  const runtimes = [
    { name: 'us-east-1', endpoints: [{ protocol: 'udp' as const, address: '127.0.0.1', port: east.port }] },
    { name: 'us-west-1', endpoints: [{ protocol: 'udp' as const, address: '127.0.0.1', port: west.port }] },
  ].slice(0, regions);
  const h = await startProxy({
    regions: runtimes,
    registrar,
    proxy,
    regionPorts: new Map([
      [east.port, 'us-east-1'],
      [west.port, 'us-west-1'],
    ]),
    ...(t1Ms !== undefined && { t1Ms }),
  });
  return { h, pbx, east, west, registrar };
}

function invite(from: UdpPeer, uri: string, o: { branch?: string; callId?: string; extra?: string[] } = {}) {
  const callId = o.callId ?? `wire-${uniq()}`;
  return {
    callId,
    text: msg([
      `INVITE ${uri} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${from.port};branch=${o.branch ?? `z9hG4bK-${uniq()}`};rport`,
      'Max-Forwards: 70',
      `From: <sip:caller@127.0.0.1:${from.port}>;tag=caller-${uniq()}`,
      `To: <${uri}>`,
      `Call-ID: ${callId}`,
      'CSeq: 1 INVITE',
      `Contact: <sip:caller@127.0.0.1:${from.port}>`,
      ...(o.extra ?? []),
    ]),
  };
}

/** An in-dialog request along the route set `routes` to `target`, as a UA builds it (§12.2.1.1). */
function inDialog(
  method: string,
  from: UdpPeer,
  target: string,
  routes: readonly string[],
  d: { callId: string; fromHdr: string; toHdr: string; cseq: number },
): string {
  return msg([
    `${method} ${target} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${from.port};branch=z9hG4bK-${uniq()};rport`,
    'Max-Forwards: 70',
    ...routes.map((r) => `Route: ${r}`),
    `From: ${d.fromHdr}`,
    `To: ${d.toHdr}`,
    `Call-ID: ${d.callId}`,
    `CSeq: ${d.cseq} ${method}`,
  ]);
}

const viaHosts = (m: SipRequest | SipResponse): string[] => m.vias.map((v) => `${v.host}:${v.port}`);

async function register(s: Setup, contact: string): Promise<void> {
  s.pbx.send(
    msg([
      `REGISTER sip:127.0.0.1:${s.h.port} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${s.pbx.port};branch=z9hG4bK-${uniq()};rport`,
      'Max-Forwards: 70',
      `From: <sip:alice@127.0.0.1>;tag=r-${uniq()}`,
      'To: <sip:alice@127.0.0.1>',
      `Call-ID: reg-${uniq()}`,
      'CSeq: 1 REGISTER',
      `Contact: <${contact}>`,
      'Expires: 600',
    ]),
    s.h.port,
  );
  await s.pbx.next(isResponseTo('REGISTER', 200));
}

describe('one Via per hop, and none of ours left on a response', () => {
  it('an outbound call, its re-INVITE (hold) and BYE: each request carries one geored Via, each answer the PBX gets only its own', async () => {
    const s = await setup();
    const geored = `127.0.0.1:${s.h.port}`;
    const inv = invite(s.pbx, `sip:+15550001111@${geored}`);
    s.pbx.send(inv.text, s.h.port);
    const atRegion = await s.east.next<SipRequest>(isRequestFor('INVITE'));
    expect(viaHosts(atRegion)).toEqual([geored, `127.0.0.1:${s.pbx.port}`]);
    const rr = atRegion.headers.getAll('Record-Route');
    expect(rr).toEqual([`<sip:${geored};lr>`]);
    s.east.send(
      answer(atRegion, 200, 'OK', 'east', [`Contact: <sip:callee@127.0.0.1:${s.east.port}>`]),
      s.h.port,
    );
    const ok = await s.pbx.next<SipResponse>(isResponseTo('INVITE', 200));
    expect(viaHosts(ok)).toEqual([`127.0.0.1:${s.pbx.port}`]);

    const d = { callId: inv.callId, fromHdr: atRegion.headers.get('From')!, toHdr: ok.headers.get('To')! };
    const remote = `sip:callee@127.0.0.1:${s.east.port}`;
    // Hold: a re-INVITE along the route set; then the BYE.
    for (const [method, cseq] of [
      ['INVITE', 2],
      ['BYE', 3],
    ] as const) {
      s.pbx.send(inDialog(method, s.pbx, remote, rr, { ...d, cseq }), s.h.port);
      const req = await s.east.next<SipRequest>(
        (m) => isRequestFor(method)(m) && (m as SipRequest).toTag !== null,
      );
      expect(viaHosts(req), `${method} at the region`).toEqual([geored, `127.0.0.1:${s.pbx.port}`]);
      expect(req.headers.getAll('Route')).toEqual([]);
      s.east.send(answer(req, 200, 'OK', 'east'), s.h.port);
      const res = await s.pbx.next<SipResponse>(isResponseTo(method, 200));
      expect(viaHosts(res), `200 for the ${method} at the PBX`).toEqual([`127.0.0.1:${s.pbx.port}`]);
    }
    expect(s.h.proxy.dialogCount).toBe(0);
  }, 20_000);

  it('an INVITE gets one 100 Trying once it is on its way; one with no region to go to gets its 503 alone', async () => {
    const s = await setup();
    const inv = invite(s.pbx, `sip:+15550004444@127.0.0.1:${s.h.port}`);
    s.pbx.send(inv.text, s.h.port);
    await s.east.next<SipRequest>(isRequestFor('INVITE'));
    const trying = await s.pbx.next<SipResponse>(isResponseTo('INVITE', 100));
    expect(viaHosts(trying)).toEqual([`127.0.0.1:${s.pbx.port}`]);
    expect(trying.toTag).toBeNull(); // §17.2.1: no To tag on a 100

    const none = await setup({}, 0);
    const lost = invite(none.pbx, `sip:+15550004445@127.0.0.1:${none.h.port}`);
    none.pbx.send(lost.text, none.h.port);
    await none.pbx.next<SipResponse>(isResponseTo('INVITE', 503));
    expect(none.pbx.received.filter(isResponseTo('INVITE', 100))).toHaveLength(0);
    expect(s.pbx.received.filter(isResponseTo('INVITE', 100))).toHaveLength(1);
  }, 20_000);

  it("the region's 2xx retransmissions after the answer reach the PBX, our Via off, and a late 180 does not (RFC 6026 §8.4)", async () => {
    const s = await setup();
    const geored = `127.0.0.1:${s.h.port}`;
    const inv = invite(s.pbx, `sip:+15550002222@${geored}`);
    s.pbx.send(inv.text, s.h.port);
    const atRegion = await s.east.next<SipRequest>(isRequestFor('INVITE'));
    const ok = answer(atRegion, 200, 'OK', 'east', [`Contact: <sip:callee@127.0.0.1:${s.east.port}>`]);
    s.east.send(ok, s.h.port);
    await s.pbx.next<SipResponse>(isResponseTo('INVITE', 200));
    // The call was closed in the same turn that sent this 200 up: what carries the retransmissions now is
    // what the call left the stack for Timer M, not the call.
    s.east.send(answer(atRegion, 180, 'Ringing', 'east'), s.h.port);
    for (let i = 0; i < 2; i++) {
      s.east.send(ok, s.h.port);
      const again = await s.pbx.next<SipResponse>(isResponseTo('INVITE', 200));
      expect(viaHosts(again)).toEqual([`127.0.0.1:${s.pbx.port}`]);
      expect(again.callId).toBe(inv.callId);
      expect(again.cseq).toEqual({ seq: 1, method: 'INVITE' });
    }
    expect(s.pbx.received.filter(isResponseTo('INVITE', 200))).toHaveLength(3);
    expect(s.pbx.received.filter(isResponseTo('INVITE', 180))).toHaveLength(0);
  }, 20_000);

  it('an inbound call goes to the registered Contact with the DID in To, History-Info and the configured header; the region gets only its own Via back', async () => {
    const s = await setup({ did_header: 'X-Called-DID' });
    const geored = `127.0.0.1:${s.h.port}`;
    const contact = `sip:alice@127.0.0.1:${s.pbx.port};line=7`;
    await register(s, contact);
    const dialled = `sip:+15557654321@${geored}`;
    const inv = invite(s.east, dialled);
    s.east.send(inv.text, s.h.port);
    const atPbx = await s.pbx.next<SipRequest>(isRequestFor('INVITE'));
    // §16.5: the target is the Contact the PBX registered, exactly; not the DID at the Contact's host.
    expect(atPbx.uri).toBe(contact);
    expect(atPbx.to.uri).toBe(dialled);
    expect(atPbx.headers.get('X-Called-DID')).toBe('+15557654321');
    expect(atPbx.headers.getAll('History-Info')).toEqual([
      `<${dialled}>;index=1`,
      `<${contact}>;index=1.1;rc=1`,
    ]);
    expect(viaHosts(atPbx)).toEqual([geored, `127.0.0.1:${s.east.port}`]);
    s.pbx.send(answer(atPbx, 180, 'Ringing', 'pbx'), s.h.port);
    const ringing = await s.east.next<SipResponse>(isResponseTo('INVITE', 180));
    expect(viaHosts(ringing)).toEqual([`127.0.0.1:${s.east.port}`]);
    s.pbx.send(answer(atPbx, 200, 'OK', 'pbx', [`Contact: <${contact}>`]), s.h.port);
    const ok = await s.east.next<SipResponse>(isResponseTo('INVITE', 200));
    expect(viaHosts(ok)).toEqual([`127.0.0.1:${s.east.port}`]);

    // The carrier hangs up along the Record-Route; the PBX's 200 reaches it with its own Via alone.
    const rr = ok.headers.getAll('Record-Route');
    const d = { callId: inv.callId, fromHdr: atPbx.headers.get('From')!, toHdr: ok.headers.get('To')! };
    s.east.send(inDialog('BYE', s.east, contact, rr, { ...d, cseq: 2 }), s.h.port);
    const bye = await s.pbx.next<SipRequest>(isRequestFor('BYE'));
    expect(viaHosts(bye)).toEqual([geored, `127.0.0.1:${s.east.port}`]);
    s.pbx.send(answer(bye, 200, 'OK', 'pbx'), s.h.port);
    const byeOk = await s.east.next<SipResponse>(isResponseTo('BYE', 200));
    expect(viaHosts(byeOk)).toEqual([`127.0.0.1:${s.east.port}`]);
  }, 20_000);

  it('without a registration, the static PBX address gets the dialled number as user', async () => {
    const pbx = await udpPeer();
    const east = await udpPeer();
    const h = await startProxy({
      regions: [
        { name: 'us-east-1', endpoints: [{ protocol: 'udp', address: '127.0.0.1', port: east.port }] },
      ],
      pbxAddress: { protocol: 'udp', address: '127.0.0.1', port: pbx.port },
      regionPorts: new Map([[east.port, 'us-east-1']]),
      proxy: { history_info: false },
    });
    east.send(invite(east, `sip:+15550009999@127.0.0.1:${h.port}`).text, h.port);
    const atPbx = await pbx.next<SipRequest>(isRequestFor('INVITE'));
    expect(atPbx.uri).toBe(`sip:+15550009999@127.0.0.1:${pbx.port}`);
    expect(atPbx.headers.getAll('History-Info')).toEqual([]);
  });
});

describe('malformed requests are answered before routing, and blamed on no region', () => {
  it('an INVITE with CSeq method BYE gets 400 and reaches no region; a burst of them counts against none', async () => {
    const s = await setup({}, 2);
    for (let i = 0; i < 20; i++) {
      const inv = invite(s.pbx, `sip:+15550001111@127.0.0.1:${s.h.port}`);
      s.pbx.send(inv.text.replace('CSeq: 1 INVITE', 'CSeq: 1 BYE'), s.h.port);
      const res = await s.pbx.next<SipResponse>(
        (m) => 'status' in m && (m as SipResponse).callId === inv.callId && m.status >= 200,
      );
      expect(res.status).toBe(400);
      expect(res.headers.get('Warning')).toContain('CSeq method BYE differs from the request method INVITE');
    }
    // A well-formed call afterwards still goes to the first region: nothing was marked against it.
    s.pbx.send(invite(s.pbx, `sip:+15550001111@127.0.0.1:${s.h.port}`).text, s.h.port);
    await s.east.next(isRequestFor('INVITE'));
    expect(s.east.received.filter(isRequestFor('INVITE'))).toHaveLength(1);
    expect(s.west.received).toHaveLength(0);
    expect(s.h.routed).toHaveLength(1);
    expect(s.h.outcomes).toEqual([]);
  }, 20_000);

  it.each([
    ['abc', 400],
    ['300', 400],
    ['-1', 400],
  ])('Max-Forwards: %s gets %i (and nothing reaches a region)', async (value, status) => {
    const s = await setup();
    const inv = invite(s.pbx, `sip:+15550001111@127.0.0.1:${s.h.port}`);
    s.pbx.send(inv.text.replace('Max-Forwards: 70', `Max-Forwards: ${value}`), s.h.port);
    const res = await s.pbx.next<SipResponse>((m) => 'status' in m && m.status >= 200);
    expect(res.status).toBe(status);
    expect(res.headers.get('Warning')).toContain('Max-Forwards');
    expect(s.east.received).toHaveLength(0);
    expect(s.h.stack.counters.handlerFailures).toBe(0);
  });

  it('a Max-Forwards above the configured maximum is lowered to it, as Kamailio’s max_limit does', async () => {
    const s = await setup({ max_forwards: 20 });
    const inv = invite(s.pbx, `sip:+15550001111@127.0.0.1:${s.h.port}`);
    s.pbx.send(inv.text.replace('Max-Forwards: 70', 'Max-Forwards: 255'), s.h.port);
    const at = await s.east.next<SipRequest>(isRequestFor('INVITE'));
    expect(at.maxForwards).toBe(20);
  });

  it('INVITEs without To get 400 at once, never only a 100, and leave no transaction behind', async () => {
    // T1 of 10 ms: the answered transactions end (Timer H, 64*T1) within a second.
    const s = await setup({}, 1, 10);
    const N = 50;
    for (let i = 0; i < N; i++) {
      const inv = invite(s.pbx, `sip:+15550001111@127.0.0.1:${s.h.port}`);
      s.pbx.send(inv.text.replace(/\r\nTo: [^\r]*/, ''), s.h.port);
      const res = await s.pbx.next<SipResponse>((m) => 'status' in m && m.callId === inv.callId);
      expect(res.status).toBe(400);
      expect(res.headers.get('Warning')).toContain('mandatory header(s) missing: to');
    }
    expect(s.east.received).toHaveLength(0);
    await until(() => s.h.stack.transactionCount === 0);
    expect(s.h.stack.counters.handlerFailures).toBe(0);
  });
});

describe('in-dialog loops', () => {
  it.each([
    ['no Route at all', [] as string[]],
    ['only our own Route', ['ROUTE']],
  ])(
    'a BYE whose Request-URI is geored itself, %s, gets 482 and is not sent anywhere',
    async (_n, routes) => {
      const s = await setup();
      const geored = `127.0.0.1:${s.h.port}`;
      const r = routes.map(() => `<sip:${geored};lr>`);
      s.pbx.send(
        inDialog('BYE', s.pbx, `sip:loop@${geored}`, r, {
          callId: `loop-${uniq()}`,
          fromHdr: '<sip:a@127.0.0.1>;tag=a',
          toHdr: '<sip:b@127.0.0.1>;tag=b',
          cseq: 2,
        }),
        s.h.port,
      );
      const res = await s.pbx.next<SipResponse>(isResponseTo('BYE'));
      expect(res.status).toBe(482);
      expect(
        await metricSum(s.h.metrics, 'geored_sip_messages_in_total', { kind: 'request', value: 'BYE' }),
      ).toBe(1);
      expect(
        await metricSum(s.h.metrics, 'geored_sip_messages_out_total', { kind: 'request', value: 'BYE' }),
      ).toBe(0);
    },
  );
});

describe('Timer C (RFC 3261 §16.8), short on purpose', () => {
  it('a region that rings and then stays silent is CANCELled and the next region takes the call', async () => {
    const s = await setup({ timer_c_ms: 1_000 }, 2);
    const inv = invite(s.pbx, `sip:+15550001111@127.0.0.1:${s.h.port}`);
    s.pbx.send(inv.text, s.h.port);
    const atEast = await s.east.next<SipRequest>(isRequestFor('INVITE'));
    s.east.send(answer(atEast, 180, 'Ringing', 'east'), s.h.port);
    await s.pbx.next(isResponseTo('INVITE', 180));
    const cancel = await s.east.next<SipRequest>(isRequestFor('CANCEL'));
    expect(cancel.topVia.params['branch']).toBe(atEast.topVia.params['branch']);
    s.east.send(answer(cancel, 200, 'OK', 'east'), s.h.port);
    s.east.send(answer(atEast, 487, 'Request Terminated', 'east'), s.h.port);
    const atWest = await s.west.next<SipRequest>(isRequestFor('INVITE'));
    s.west.send(answer(atWest, 200, 'OK', 'west', [`Contact: <sip:w@127.0.0.1:${s.west.port}>`]), s.h.port);
    const ok = await s.pbx.next<SipResponse>((m) => 'status' in m && m.status >= 200);
    expect(ok.status).toBe(200);
    expect(s.h.outcomes).toEqual([
      ['us-east-1', 'timeout'],
      ['us-west-1', 'ok'],
    ]);
  }, 20_000);

  it('the only region rings and stays silent: CANCEL to it, 408 to the PBX', async () => {
    const s = await setup({ timer_c_ms: 1_000 }, 1);
    const inv = invite(s.pbx, `sip:+15550001111@127.0.0.1:${s.h.port}`);
    s.pbx.send(inv.text, s.h.port);
    const atEast = await s.east.next<SipRequest>(isRequestFor('INVITE'));
    s.east.send(answer(atEast, 180, 'Ringing', 'east'), s.h.port);
    await s.east.next(isRequestFor('CANCEL'));
    const res = await s.pbx.next<SipResponse>((m) => 'status' in m && m.status >= 200);
    expect(res.status).toBe(408);
    expect(res.headers.get('Warning')).toContain('Timer C');
  }, 20_000);

  it('an inbound call the PBX rings and never answers: CANCEL to the PBX, 408 to the region', async () => {
    const s = await setup({ timer_c_ms: 1_000 });
    await register(s, `sip:alice@127.0.0.1:${s.pbx.port}`);
    s.east.send(invite(s.east, `sip:+15557654321@127.0.0.1:${s.h.port}`).text, s.h.port);
    const atPbx = await s.pbx.next<SipRequest>(isRequestFor('INVITE'));
    s.pbx.send(answer(atPbx, 180, 'Ringing', 'pbx'), s.h.port);
    const cancel = await s.pbx.next<SipRequest>(isRequestFor('CANCEL'));
    expect(cancel.uri).toBe(atPbx.uri);
    const res = await s.east.next<SipResponse>((m) => 'status' in m && m.status >= 200);
    expect(res.status).toBe(408);
    await until(() => s.h.proxy.dialogCount === 0);
  }, 20_000);
});
