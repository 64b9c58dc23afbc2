/**
 * Two geored instances sharing a real Redis (unique key prefix): the PBX registers to one, and the other
 * sends calls to the same contact (src/app/pbx-bindings.ts, as geored serve wires it). A malformed payload
 * from a peer is ignored.
 */
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { followBindings, publishBindings, PBX_BINDINGS_SIGNAL } from '../../src/app/pbx-bindings';
import type { PbxConfig } from '../../src/config/types';
import { openLiveState, type LiveState } from '../../src/live';
import { PbxRegistrar } from '../../src/registration';
import { answerResponse, DigestClient } from '../../src/sip/auth';
import { buildRequest, SipStack } from '../../src/sip/stack';
import { dropPrefix, SHARED_REDIS_URL, uniquePrefix } from '../live/helpers/shared-redis';
import { waitFor } from './helpers';

const pbx: PbxConfig = {
  credentials: {
    username: 'pbx',
    password: { source: 'env:PBX_PASSWORD', value: 'secret' },
    realm: 'geored.test',
    algorithms: ['MD5'],
  },
  allow_any_loopback: false,
};

const lives: LiveState[] = [];
const stacks: SipStack[] = [];
const registrars: PbxRegistrar[] = [];
let prefix = '';
afterEach(async () => {
  for (const r of registrars.splice(0)) r.close();
  await Promise.all(stacks.splice(0).map((s) => s.close()));
  for (const l of lives.splice(0)) await l.close();
  if (prefix) await dropPrefix(prefix);
});

describe('PBX bindings shared through live state', () => {
  it('a REGISTER taken by instance A makes instance B send calls to the same contact', async () => {
    prefix = uniquePrefix();
    const liveA = await openLiveState({ redisUrl: SHARED_REDIS_URL, instanceId: 'reg-a', keyPrefix: prefix });
    const liveB = await openLiveState({ redisUrl: SHARED_REDIS_URL, instanceId: 'reg-b', keyPrefix: prefix });
    lives.push(liveA, liveB);
    const a = new PbxRegistrar({ pbx, publish: publishBindings(liveA) });
    const b = new PbxRegistrar({ pbx });
    registrars.push(a, b);
    const warnings: string[] = [];
    const log = pino(
      { level: 'warn' },
      { write: (line: string) => void warnings.push(JSON.parse(line).msg) },
    );
    followBindings(liveB, b, log);

    const stackA = await SipStack.create({ listen: [{ protocol: 'udp', address: '127.0.0.1', port: 0 }] });
    const phone = await SipStack.create({ listen: [{ protocol: 'udp', address: '127.0.0.1', port: 0 }] });
    stacks.push(stackA, phone);
    stackA.onRequest((req, tx, source) => a.handle(req, tx, source));
    const geored = stackA.localEndpoint('udp');
    const me = phone.localEndpoint('udp');
    const common = {
      method: 'REGISTER',
      uri: `sip:127.0.0.1:${geored.port}`,
      from: 'sip:pbx@127.0.0.1;tag=p1',
      to: 'sip:pbx@127.0.0.1',
      callId: 'shared-reg',
      contact: `sip:pbx@127.0.0.1:${me.port}`,
    };
    expect(b.currentContact()).toBeNull();
    const first = buildRequest({ ...common, cseq: 1, headers: [['Expires', '300']] });
    const challenge = await phone.sendRequest(first, geored).final;
    expect(challenge.status).toBe(401);
    const answer = answerResponse(
      new DigestClient({ credentials: { username: 'pbx', password: 'secret' } }),
      first,
      challenge,
    );
    if ('rejected' in answer) throw new Error(answer.reason);
    const second = buildRequest({
      ...common,
      cseq: 2,
      headers: [
        ['Expires', '300'],
        [answer.header, answer.value],
      ],
    });
    expect((await phone.sendRequest(second, geored).final).status).toBe(200);

    expect(await waitFor(() => b.currentContact() !== null, 5_000)).toBe(true);
    expect(b.currentContact()).toEqual(a.currentContact());
    expect(b.currentContact()?.endpoint).toEqual({ protocol: 'udp', address: '127.0.0.1', port: me.port });

    // A peer's payload is checked before it is believed.
    liveA.publishSignal(PBX_BINDINGS_SIGNAL, [{ uri: 'sip:evil@192.0.2.1', port: 'x' }]);
    expect(await waitFor(() => warnings.length > 0, 5_000)).toBe(true);
    expect(warnings).toEqual(['ignored a malformed PBX registration from another instance']);
    expect(b.currentContact()?.endpoint.port).toBe(me.port);
  }, 30_000);
});
