/**
 * REGISTER with digest authentication against a real registrar: sipp challenges with 401 and checks the
 * retried request with its own `verifyauth` (sipp-scenarios/registrar-auth.xml).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DigestClient } from '../../../src/sip/auth';
import { newCallId, newTag } from '../../../src/sip/message';
import { buildRequest, SipStack } from '../../../src/sip/stack';
import type { Endpoint } from '../../../src/sip/transport/types';
import { startSipp, stopAllSipp, type SippTransport } from '../../helpers/sipp';

const stacks: SipStack[] = [];
afterEach(async () => {
  await Promise.all(stacks.splice(0).map((s) => s.close()));
  await stopAllSipp();
});

/** Registers alice with `password`; returns the status of the challenge and of the authenticated retry. */
async function register(protocol: SippTransport, password: string): Promise<[number, number, string]> {
  const sipp = await startSipp({
    scenario: 'registrar-auth.xml',
    transport: protocol,
    set: { user: 'alice', password: 'wonderland' },
  });
  const stack = await SipStack.create({ listen: [{ protocol, address: '127.0.0.1', port: 0 }] });
  stacks.push(stack);
  const dest: Endpoint = { protocol, address: sipp.address, port: sipp.port };
  const me = stack.localEndpoint(protocol);
  const registrar = `sip:127.0.0.1:${sipp.port}`;
  const common = {
    method: 'REGISTER',
    uri: registrar,
    from: `<sip:alice@127.0.0.1>;tag=${newTag()}`,
    to: 'sip:alice@127.0.0.1',
    callId: newCallId(),
    contact: `sip:alice@127.0.0.1:${me.port};transport=${protocol}`,
  };
  const first = buildRequest({ ...common, cseq: 1, headers: [['Expires', '3600']] });
  const challenge = await stack.sendRequest(first, dest).final;
  const auth = new DigestClient({ credentials: { username: 'alice', password } });
  const answer = auth.answer(
    challenge.headers.getAll('WWW-Authenticate'),
    { method: 'REGISTER', uri: registrar },
    'www',
  );
  if ('rejected' in answer) throw new Error(`digest client refused the challenge: ${answer.reason}`);
  const second = buildRequest({
    ...common,
    cseq: 2,
    headers: [
      ['Expires', '3600'],
      [answer.header, answer.value],
    ],
  });
  const final = await stack.sendRequest(second, dest).final;
  return [challenge.status, final.status, sipp.output()];
}

describe('REGISTER with digest auth against sipp', () => {
  for (const protocol of ['udp', 'tcp'] as const) {
    it(`is challenged, answers, and is registered (${protocol})`, async () => {
      const [challenged, registered, out] = await register(protocol, 'wonderland');
      expect(challenged, out).toBe(401);
      expect(registered, out).toBe(200);
    });
  }

  it('is refused with a wrong password (sipp verifyauth really checks)', async () => {
    const [challenged, refused] = await register('udp', 'not-the-password');
    expect(challenged).toBe(401);
    expect(refused).toBe(403);
  });
});
