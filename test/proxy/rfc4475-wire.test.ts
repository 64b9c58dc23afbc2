/**
 * The RFC 4475 semantic cases (§3.3) sent as bytes over UDP to a real SipStack with a SipProxy on loopback:
 * the answer is the status the RFC's outcome implies, and a refused request reaches no region. The checks
 * the call path applies are the ones `geored sip-check` applies (src/sip/message/semantics.ts), so the
 * status asserted here is also what `checkRequestSemantics(req, 'proxy')` returns for the same bytes.
 *
 * Only the top Via is rewritten (sent-by → the test's own UDP socket, a unique branch) so that the answer
 * comes back to the test; every other octet is the torture message's.
 */
import { createSocket, type Socket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PbxRegistrar } from '../../src/registration/registrar';
import {
  checkRequestSemantics,
  createResponse,
  isRequest,
  parseMessage,
  type SipMessage,
  type SipRequest,
  type SipResponse,
} from '../../src/sip/message';
import { closeAllPeers, udpPeer, type UdpPeer } from '../helpers/udp-peer';
import { loadFixtures, type Fixture } from '../sip/message/fixtures';
import { startProxy, stopAll, type Harness } from './harness';

/**
 * What geored, as the PBX's proxy and registrar, does with each request. `refused`: geored answers this
 * status itself and forwards nothing. `forwarded`: it reaches the region unchanged in meaning, and the
 * region's answer (a UAS applying the RFC's rules) comes back. `registered`: geored's registrar serves it.
 */
type Outcome =
  | { readonly kind: 'refused'; readonly status: number }
  | { readonly kind: 'forwarded'; readonly regionStatus: number }
  | { readonly kind: 'registered'; readonly status: number };

const OUTCOMES: Record<string, Outcome> = {
  // §3.3.1: To, From, Call-ID (and Max-Forwards) missing: 400.
  insuf: { kind: 'refused', status: 400 },
  // §3.3.2, §3.3.3: an element that must act on the Request-URI answers 416 (RFC 3261 §16.3 step 2).
  unkscm: { kind: 'refused', status: 416 },
  novelsc: { kind: 'refused', status: 416 },
  // §3.3.5: Proxy-Require lists options no proxy supports: 420 from the proxy (RFC 3261 §16.3 step 5).
  bext01: { kind: 'refused', status: 420 },
  // §3.3.6: the unknown body type concerns the UAS (415), which a proxy forwards to.
  invut: { kind: 'forwarded', regionStatus: 415 },
  // §3.3.11: Max-Forwards 0 at a proxy: 483 (RFC 3261 §16.3 step 3).
  zeromf: { kind: 'refused', status: 483 },
  // §3.3.15: an Accept the UAS cannot honour is the UAS's business; the proxy forwards it.
  sdp01: { kind: 'forwarded', regionStatus: 488 },
  // §3.3.8: several values in single-value header fields: 400.
  multi01: { kind: 'refused', status: 400 },
  // §3.3.4: "A registrar would reject this request with a 400 Bad Request, since the To: header field is
  // required to contain a SIP or SIPS URI as an AOR" (a proxy would forward it: it passes the proxy checks).
  unksm2: { kind: 'registered', status: 400 },
  // §3.3.7, §3.3.12-14: valid REGISTERs (an unknown Authorization scheme, answered as if it were absent;
  // Contact parameters; an escaped header in a Contact URI): the registrar, which has no credentials
  // configured and trusts loopback here, binds them.
  regaut01: { kind: 'registered', status: 200 },
  cparam01: { kind: 'registered', status: 200 },
  cparam02: { kind: 'registered', status: 200 },
  regescrt: { kind: 'registered', status: 200 },
};

const semanticRequests = loadFixtures().filter(
  (f) => f.folder.includes('rfc4475') && f.exp.expect === 'semantic' && isRequest(parseMessage(f.bytes)),
);

/** The torture bytes with the top Via's transport and sent-by pointing at `port`, and a unique branch. */
function retarget(f: Fixture, port: number): { bytes: Buffer; branch: string } {
  const text = f.bytes.toString('latin1');
  const branch = `z9hG4bK-rfc4475-${f.name}-${process.pid}`;
  const via = /^(Via|v)[ \t]*:[ \t]*SIP\/2\.0\/[A-Za-z]+[ \t]+[^;\r\n]+;branch=[^;,\r\n]+/im;
  if (!via.test(text)) throw new Error(`${f.path}: no top Via with a branch to retarget`);
  const out = text.replace(
    via,
    (_m, name: string) => `${name}: SIP/2.0/UDP 127.0.0.1:${port};branch=${branch}`,
  );
  return { bytes: Buffer.from(out, 'latin1'), branch };
}

let h: Harness;
let pbx: UdpPeer;
let region: UdpPeer;
let sender: Socket;

beforeAll(async () => {
  pbx = await udpPeer();
  region = await udpPeer();
  sender = createSocket('udp4');
  await new Promise<void>((r) => sender.bind(0, '127.0.0.1', () => r()));
  h = await startProxy({
    regions: [
      { name: 'us-east-1', endpoints: [{ protocol: 'udp', address: '127.0.0.1', port: region.port }] },
    ],
    registrar: new PbxRegistrar({ pbx: { allow_any_loopback: true } }),
  });
});

afterAll(async () => {
  sender.close();
  closeAllPeers();
  await stopAll();
});

const branchOf = (m: SipMessage): string | undefined => m.headers.get('Via')?.match(/branch=([^;,\s]+)/)?.[1];
const finalFor =
  (branch: string) =>
  (m: SipMessage): boolean =>
    'status' in m && (m as SipResponse).status >= 200 && branchOf(m) === branch;

describe('RFC 4475 semantic requests through SipStack + SipProxy on UDP', () => {
  it('covers every semantic request of the RFC 4475 fixtures, and only those', () => {
    expect(semanticRequests.map((f) => f.name).sort()).toEqual(Object.keys(OUTCOMES).sort());
  });

  it.each(semanticRequests.map((f) => [f.name, f] as const))('%s', async (name, f) => {
    const outcome = OUTCOMES[name]!;
    const { bytes, branch } = retarget(f, pbx.port);
    const sent = parseMessage(bytes) as SipRequest;
    // The library verdict for the bytes that go on the wire: the proxy must agree with it.
    const library = checkRequestSemantics(sent, 'proxy');
    if (outcome.kind === 'refused') expect(library?.status).toBe(outcome.status);
    else expect(library).toBeNull();
    if (f.exp.response !== undefined && outcome.kind !== 'registered') {
      // The RFC's own status: the proxy's (refused) or the UAS's behind it (forwarded).
      expect(outcome.kind === 'refused' ? outcome.status : outcome.regionStatus).toBe(f.exp.response);
    }
    const regionBefore = region.received.length;
    sender.send(bytes, h.port, '127.0.0.1');

    if (outcome.kind === 'forwarded') {
      const callId = sent.callId;
      const fwd = await region.next<SipRequest>((m) => isRequest(m) && m.callId === callId);
      expect(fwd.method).toBe(sent.method);
      expect(fwd.maxForwards).toBe((sent.maxForwards ?? 70) - 1);
      // The region is a UAS applying the RFC's rules: its verdict is the one the RFC names.
      const uas = checkRequestSemantics(fwd, 'uas');
      expect(uas?.status ?? 488).toBe(outcome.regionStatus);
      region.send(
        createResponse(fwd, outcome.regionStatus, undefined, { toTag: 'r1' }).toBuffer().toString('latin1'),
        h.port,
      );
      const res = await pbx.next<SipResponse>(finalFor(branch));
      expect(res.status).toBe(outcome.regionStatus);
      // The proxy ACKs the region's non-2xx final answer hop by hop (RFC 3261 §17.1.1.3).
      await region.next<SipRequest>((m) => isRequest(m) && m.method === 'ACK' && m.callId === callId);
      return;
    }

    const res = await pbx.next<SipResponse>(finalFor(branch));
    expect(res.status).toBe(outcome.status);
    // Nothing of a refused or registered request reached the region: send a sentinel OPTIONS after it and,
    // once the region has that one, the region must hold nothing else new (UDP on loopback keeps order).
    const sentinel = `sentinel-${name}-${process.pid}`;
    pbx.send(
      [
        'OPTIONS sip:someone@127.0.0.1 SIP/2.0',
        `Via: SIP/2.0/UDP 127.0.0.1:${pbx.port};branch=z9hG4bK-${sentinel}`,
        'Max-Forwards: 70',
        'From: <sip:pbx@127.0.0.1>;tag=s1',
        'To: <sip:someone@127.0.0.1>',
        `Call-ID: ${sentinel}`,
        'CSeq: 1 OPTIONS',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n'),
      h.port,
    );
    const got = await region.next<SipRequest>((m) => isRequest(m) && m.callId === sentinel);
    region.send(createResponse(got, 200, undefined, { toTag: 'r2' }).toBuffer().toString('latin1'), h.port);
    const fresh = region.received.slice(regionBefore).filter((m) => m.callId !== sentinel);
    expect(fresh).toEqual([]);
    await pbx.next((m) => 'status' in m && m.callId === sentinel);
  });
});
