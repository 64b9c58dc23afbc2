/**
 * The PBX registering to geored: sipp as the PBX (answering geored's 401 itself with -au/-ap) against a
 * real SipStack with the PbxRegistrar behind it, and a second SipStack as a PBX where sipp's scenario
 * cannot express the case.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { PbxConfig } from '../../src/config/types';
import { PbxRegistrar, type PbxContact } from '../../src/registration';
import { answerResponse, DigestClient, type DigestAlgorithm } from '../../src/sip/auth';
import { buildRequest, SipStack } from '../../src/sip/stack';
import { startSipp, stopAllSipp } from '../helpers/sipp';
import { SippMessageLog } from './helpers';

const stacks: SipStack[] = [];
const registrars: PbxRegistrar[] = [];
const logs: SippMessageLog[] = [];

afterEach(async () => {
  for (const r of registrars.splice(0)) r.close();
  await Promise.all(stacks.splice(0).map((s) => s.close()));
  await stopAllSipp();
  for (const l of logs.splice(0)) l.remove();
});

const withCredentials: PbxConfig = {
  credentials: {
    username: 'pbx',
    password: { source: 'env:PBX_PASSWORD', value: 'secret' },
    realm: 'geored.local',
    algorithms: ['SHA-256', 'MD5'],
  },
  allow_any_loopback: true,
};

async function georedRegistrar(
  pbx: PbxConfig,
  algorithms?: readonly DigestAlgorithm[],
): Promise<{ stack: SipStack; registrar: PbxRegistrar; changes: (PbxContact | null)[] }> {
  const stack = await SipStack.create({ listen: [{ protocol: 'udp', address: '127.0.0.1', port: 0 }] });
  stacks.push(stack);
  const registrar = new PbxRegistrar({ pbx, ...(algorithms !== undefined && { algorithms }) });
  registrars.push(registrar);
  stack.onRequest((req, tx, source) => registrar.handle(req, tx, source));
  const changes: (PbxContact | null)[] = [];
  registrar.onChange((c) => changes.push(c));
  return { stack, registrar, changes };
}

async function pbxSipp(port: number, password: string, expires: number, holdMs = 300) {
  const log = new SippMessageLog();
  logs.push(log);
  const sipp = await startSipp({
    scenario: 'pbx-register.xml',
    set: { expires: String(expires) },
    extraArgs: [
      '-s',
      'pbx',
      '-au',
      'pbx',
      '-ap',
      password,
      '-d',
      String(holdMs),
      '-m',
      '1',
      ...log.args,
      `127.0.0.1:${port}`,
    ],
  });
  return { sipp, log };
}

// sipp 3.6 answers only the first challenge and only MD5, so the SHA-256 offer (the default) is left out for it.
const SIPP_ALGORITHMS: readonly DigestAlgorithm[] = ['MD5'];

describe('PbxRegistrar with sipp as the PBX', () => {
  it('challenges, registers the contact, makes it the call target, and removes it on Expires: 0', async () => {
    const { stack, registrar, changes } = await georedRegistrar(withCredentials, SIPP_ALGORITHMS);
    const { sipp, log } = await pbxSipp(stack.localEndpoint('udp').port, 'secret', 120);
    expect(await sipp.exited, sipp.output()).toBe(0);
    expect(changes.length, JSON.stringify(changes)).toBe(2);
    const registered = changes[0]!;
    expect(registered.endpoint).toEqual({ protocol: 'udp', address: '127.0.0.1', port: sipp.port });
    expect(registered.uri).toBe(`sip:pbx@127.0.0.1:${sipp.port}`);
    expect(changes[1]).toBeNull();
    expect(registrar.currentContact()).toBeNull();
    // The 200 lists the binding with what was granted.
    expect(log.text()).toMatch(
      new RegExp(`^Contact: <sip:pbx@127\\.0\\.0\\.1:${sipp.port}>;expires=120`, 'm'),
    );
  });

  it('answers a wrong password with 403 and binds nothing', async () => {
    const { stack, registrar, changes } = await georedRegistrar(withCredentials, SIPP_ALGORITHMS);
    const { sipp, log } = await pbxSipp(stack.localEndpoint('udp').port, 'not-the-secret', 120);
    expect(await sipp.exited, sipp.output()).toBe(0);
    expect(log.text()).toMatch(/^SIP\/2\.0 403 /m);
    expect(changes).toEqual([]);
    expect(registrar.currentContact()).toBeNull();
  });

  it('answers a registration shorter than the minimum with 423 and Min-Expires', async () => {
    const { stack, changes } = await georedRegistrar(withCredentials, SIPP_ALGORITHMS);
    const { sipp, log } = await pbxSipp(stack.localEndpoint('udp').port, 'secret', 10);
    expect(await sipp.exited, sipp.output()).toBe(0);
    expect(log.text()).toMatch(/^SIP\/2\.0 423 /m);
    expect(log.text()).toMatch(/^Min-Expires: 60\s*$/m);
    expect(changes).toEqual([]);
  });
});

describe('PbxRegistrar with the default SHA-256 offer', () => {
  it('registers a PBX whose digest client picks SHA-256, and refuses the same answer replayed', async () => {
    const { stack, registrar } = await georedRegistrar(withCredentials);
    const client = await SipStack.create({ listen: [{ protocol: 'udp', address: '127.0.0.1', port: 0 }] });
    stacks.push(client);
    const geored = stack.localEndpoint('udp');
    const me = client.localEndpoint('udp');
    const common = {
      method: 'REGISTER',
      uri: `sip:127.0.0.1:${geored.port}`,
      from: 'sip:pbx@127.0.0.1;tag=pbx1',
      to: 'sip:pbx@127.0.0.1',
      callId: 'pbx-sha256',
      contact: `sip:pbx@127.0.0.1:${me.port}`,
    };
    const first = buildRequest({ ...common, cseq: 1, headers: [['Expires', '300']] });
    const challenge = await client.sendRequest(first, geored).final;
    expect(challenge.status).toBe(401);
    const auth = new DigestClient({ credentials: { username: 'pbx', password: 'secret' } });
    const answer = answerResponse(auth, first, challenge);
    if ('rejected' in answer) throw new Error(answer.reason);
    expect(answer.value).toMatch(/algorithm=SHA-256/);
    const headers: [string, string][] = [
      ['Expires', '300'],
      [answer.header, answer.value],
    ];
    const second = buildRequest({ ...common, cseq: 2, headers });
    expect((await client.sendRequest(second, geored).final).status).toBe(200);
    expect(registrar.currentContact()?.endpoint.port).toBe(me.port);
    // The same nc again is a replay (RFC 7616 nonce-count), refused without touching the binding.
    const replay = buildRequest({ ...common, cseq: 3, headers });
    expect((await client.sendRequest(replay, geored).final).status).toBe(403);
    expect(registrar.currentContact()?.endpoint.port).toBe(me.port);
    // An old CSeq on the same Call-ID is out of order (RFC 3261 §10.3 step 7).
    const next = auth.authorize({ method: 'REGISTER', uri: common.uri }, 'www')!;
    const stale = buildRequest({
      ...common,
      cseq: 2,
      headers: [
        ['Expires', '0'],
        [next.header, next.value],
      ],
    });
    expect((await client.sendRequest(stale, geored).final).status).toBe(500);
    expect(registrar.currentContact()).not.toBeNull();
  });
});

describe('PbxRegistrar without PBX credentials', () => {
  async function registerFrom(
    pbx: PbxConfig,
  ): Promise<{ status: number; registrar: PbxRegistrar; pbxPort: number }> {
    const { stack, registrar } = await georedRegistrar(pbx);
    const client = await SipStack.create({ listen: [{ protocol: 'udp', address: '127.0.0.1', port: 0 }] });
    stacks.push(client);
    const me = client.localEndpoint('udp');
    const geored = stack.localEndpoint('udp');
    const req = buildRequest({
      method: 'REGISTER',
      uri: `sip:127.0.0.1:${geored.port}`,
      from: 'sip:pbx@127.0.0.1',
      to: 'sip:pbx@127.0.0.1',
      contact: `sip:pbx@127.0.0.1:${me.port}`,
      headers: [['Expires', '300']],
    });
    const res = await client.sendRequest(req, geored).final;
    return { status: res.status, registrar, pbxPort: me.port };
  }

  it('accepts a loopback PBX without a challenge when allow_any_loopback is set', async () => {
    const { status, registrar, pbxPort } = await registerFrom({ allow_any_loopback: true });
    expect(status).toBe(200);
    expect(registrar.currentContact()?.endpoint).toEqual({
      protocol: 'udp',
      address: '127.0.0.1',
      port: pbxPort,
    });
  });

  it('refuses with 403 when no source is allowed', async () => {
    const { status, registrar } = await registerFrom({ allow_any_loopback: false });
    expect(status).toBe(403);
    expect(registrar.currentContact()).toBeNull();
  });

  it('accepts the configured PBX address, and falls back to it once the registration is gone', async () => {
    const pbx: PbxConfig = {
      allow_any_loopback: false,
      address: { protocol: 'tcp', address: '127.0.0.1', port: 5099 },
    };
    const { status, registrar, pbxPort } = await registerFrom(pbx);
    expect(status).toBe(200);
    expect(registrar.currentContact()?.endpoint.port).toBe(pbxPort);
    const fallback = new PbxRegistrar({ pbx });
    registrars.push(fallback);
    expect(fallback.currentContact()).toEqual({
      uri: 'sip:127.0.0.1:5099;transport=tcp',
      endpoint: { protocol: 'tcp', address: '127.0.0.1', port: 5099 },
      expiresAt: null,
    });
  });
});
