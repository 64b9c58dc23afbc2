/**
 * The PBX's out-of-dialog requests digest-challenged like a trunk provider does (issue 7): a 407 first,
 * then the answer is checked, our Proxy-Authorization is taken off before the region sees the request,
 * and the PBX may reuse the nonce with a rising nc for its next requests (no second 407). A replayed nc is
 * refused. With security.challenge_pbx_requests: false, the PBX is trusted by its address as before.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SECURITY } from '../../src/config/defaults';
import type { PbxConfig, SecurityConfig } from '../../src/config/types';
import { PbxRegistrar } from '../../src/registration';
import { answerResponse, DigestClient } from '../../src/sip/auth';
import { createResponse, type SipRequest } from '../../src/sip/message';
import { buildRequest, SipStack } from '../../src/sip/stack';
import { startProxy, stopAll, type Harness } from './harness';

const pbx: PbxConfig = {
  credentials: {
    username: 'pbx',
    password: { source: 'env:PBX_PASSWORD', value: 'secret' },
    realm: 'geored.test',
    algorithms: ['MD5'],
  },
  allow_any_loopback: false,
};

const stacks: SipStack[] = [];
const registrars: PbxRegistrar[] = [];
afterEach(async () => {
  for (const r of registrars.splice(0)) r.close();
  await stopAll();
  await Promise.all(stacks.splice(0).map((s) => s.close()));
});

async function setup(security: SecurityConfig): Promise<{ h: Harness; phone: SipStack; seen: SipRequest[] }> {
  const region = await SipStack.create({ listen: [{ protocol: 'udp', address: '127.0.0.1', port: 0 }] });
  const phone = await SipStack.create({ listen: [{ protocol: 'udp', address: '127.0.0.1', port: 0 }] });
  stacks.push(region, phone);
  const seen: SipRequest[] = [];
  region.onRequest((req, tx) => {
    seen.push(req);
    tx.respond(createResponse(req, 200));
  });
  const registrar = new PbxRegistrar({ pbx, security });
  registrars.push(registrar);
  const endpoint = region.localEndpoint('udp');
  const h = await startProxy({
    regions: [{ name: 'eu-west-1', endpoints: [endpoint] }],
    registrar,
    security,
  });
  return { h, phone, seen };
}

function message(h: Harness, cseq: number, headers: Array<[string, string]> = []): SipRequest {
  return buildRequest({
    method: 'MESSAGE',
    uri: `sip:15550001@127.0.0.1:${h.port}`,
    from: 'sip:pbx@127.0.0.1;tag=m1',
    to: 'sip:15550001@127.0.0.1',
    callId: 'challenged-message',
    cseq,
    headers,
    body: 'hello',
    contentType: 'text/plain',
  });
}

describe('digest challenge of requests from the PBX', () => {
  it('407 first; the answer goes through without our credentials; the nonce serves the next request', async () => {
    const { h, phone, seen } = await setup(DEFAULT_SECURITY);
    const geored = { protocol: 'udp' as const, address: '127.0.0.1', port: h.port };
    const first = message(h, 1);
    const challenge = await phone.sendRequest(first, geored).final;
    expect(challenge.status).toBe(407);
    expect(challenge.headers.getAll('Proxy-Authenticate')).toHaveLength(1);
    expect(seen).toEqual([]);

    const auth = new DigestClient({ credentials: { username: 'pbx', password: 'secret' } });
    const answer = answerResponse(auth, first, challenge);
    if ('rejected' in answer) throw new Error(answer.reason);
    expect(answer.header).toBe('Proxy-Authorization');
    const second = message(h, 2, [[answer.header, answer.value]]);
    expect((await phone.sendRequest(second, geored).final).status).toBe(200);
    expect(seen).toHaveLength(1);
    // RFC 3261 §22.3: credentials for our realm end here; the region never sees them.
    expect(seen[0]!.headers.getAll('Proxy-Authorization')).toEqual([]);

    // Preemptive credentials on the same nonce, nc 2: no second challenge.
    const again = auth.authorize({ method: 'MESSAGE', uri: second.uri }, 'proxy')!;
    expect(again.value).toMatch(/nc=00000002/);
    const third = message(h, 3, [[again.header, again.value]]);
    expect((await phone.sendRequest(third, geored).final).status).toBe(200);
    expect(seen).toHaveLength(2);

    // The same nc again is a replay: refused, and nothing reaches the region.
    const replay = message(h, 4, [[again.header, again.value]]);
    expect((await phone.sendRequest(replay, geored).final).status).toBe(403);
    expect(seen).toHaveLength(2);
  }, 30_000);

  it('a wrong password counts toward the ban of the source, like a wrong REGISTER', async () => {
    const security = {
      ...DEFAULT_SECURITY,
      auth_failures: { ...DEFAULT_SECURITY.auth_failures, per_source: 2 },
    };
    const { h, phone, seen } = await setup(security);
    const geored = { protocol: 'udp' as const, address: '127.0.0.1', port: h.port };
    const wrong = new DigestClient({ credentials: { username: 'pbx', password: 'guess' } });
    for (let i = 0; i < 2; i++) {
      const req = message(h, 10 + i * 2);
      const challenge = await phone.sendRequest(req, geored).final;
      expect(challenge.status).toBe(407);
      const answer = answerResponse(wrong, req, challenge);
      if ('rejected' in answer) throw new Error(answer.reason);
      const res = await phone.sendRequest(message(h, 11 + i * 2, [[answer.header, answer.value]]), geored)
        .final;
      expect(res.status).toBe(403);
    }
    // Banned: silence (the client gives up with its own 408), nothing routed.
    const banned = await phone.sendRequest(message(h, 20), geored, { timeoutMs: 1_000 }).final;
    expect(banned.status).toBe(408);
    expect(banned.synthetic).toBe(true);
    expect(seen).toEqual([]);
  }, 30_000);

  it('with challenge_pbx_requests: false the PBX address alone is trusted', async () => {
    const { h, phone, seen } = await setup({ ...DEFAULT_SECURITY, challenge_pbx_requests: false });
    const res = await phone.sendRequest(message(h, 1), {
      protocol: 'udp',
      address: '127.0.0.1',
      port: h.port,
    }).final;
    expect(res.status).toBe(200);
    expect(seen).toHaveLength(1);
  }, 30_000);
});
