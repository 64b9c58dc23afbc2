import { describe, expect, it } from 'vitest';
import {
  contactEndpoint,
  DEFAULT_EXPIRY_LIMITS,
  planBindings,
  type RegisterFacts,
} from '../../src/registration';
import { grantedSeconds } from '../../src/registration/granted';
import { Headers, parseNameAddr } from '../../src/sip/message';
import type { Endpoint } from '../../src/sip/transport/types';

const T0 = 1_800_000_000_000;
const source: Endpoint = { protocol: 'udp', address: '127.0.0.1', port: 40000 };

function facts(contacts: string[], over: Partial<RegisterFacts> = {}): RegisterFacts {
  return {
    contacts: contacts.map((c) => parseNameAddr(c, 'Contact')),
    expiresHeader: undefined,
    callId: 'c1',
    cseq: 1,
    source,
    ...over,
  };
}

describe('planBindings (RFC 3261 §10.3)', () => {
  it('binds with the Contact expires, else the Expires header, else the default; clamps to the maximum', () => {
    const plan = planBindings(
      facts(
        [
          '<sip:pbx@127.0.0.1:5071>;expires=120',
          '<sip:pbx@127.0.0.1:5072>',
          '<sip:pbx@127.0.0.1:5073>;expires=99999',
        ],
        {
          expiresHeader: '600',
        },
      ),
      [],
      DEFAULT_EXPIRY_LIMITS,
      T0,
    );
    if (!plan.ok) throw new Error(plan.code);
    expect(plan.bindings.map((b) => (b.expiresAt - T0) / 1000)).toEqual([120, 600, 3600]);
    const noHeader = planBindings(facts(['<sip:pbx@127.0.0.1:5071>']), [], DEFAULT_EXPIRY_LIMITS, T0);
    expect(noHeader.ok && noHeader.bindings[0]!.expiresAt).toBe(T0 + 3_600_000);
  });

  it('answers 423 with Min-Expires for a registration under the minimum', () => {
    const plan = planBindings(facts(['<sip:pbx@127.0.0.1:5071>;expires=10']), [], DEFAULT_EXPIRY_LIMITS, T0);
    expect(plan).toMatchObject({
      ok: false,
      status: 423,
      code: 'REG_INTERVAL_TOO_BRIEF',
      headers: [['Min-Expires', '60']],
    });
  });

  it('removes one binding with expires 0, and all with "*" and Expires: 0 only', () => {
    const first = planBindings(
      facts(['<sip:a@127.0.0.1:1>', '<sip:b@127.0.0.1:2>']),
      [],
      DEFAULT_EXPIRY_LIMITS,
      T0,
    );
    if (!first.ok) throw new Error(first.code);
    const removeA = planBindings(
      facts(['<sip:a@127.0.0.1:1>'], { expiresHeader: '0', cseq: 2 }),
      first.bindings,
      DEFAULT_EXPIRY_LIMITS,
      T0,
    );
    expect(removeA.ok && removeA.bindings.map((b) => b.uri)).toEqual(['sip:b@127.0.0.1:2']);
    expect(
      planBindings(facts(['*'], { expiresHeader: '0' }), first.bindings, DEFAULT_EXPIRY_LIMITS, T0),
    ).toMatchObject({
      ok: true,
      bindings: [],
    });
    expect(
      planBindings(facts(['*'], { expiresHeader: '60' }), first.bindings, DEFAULT_EXPIRY_LIMITS, T0),
    ).toMatchObject({
      ok: false,
      status: 400,
      code: 'REG_BAD_CONTACT',
    });
  });

  it('refuses an out-of-order CSeq on the same Call-ID, accepts any CSeq on a new one', () => {
    const first = planBindings(facts(['<sip:a@127.0.0.1:1>'], { cseq: 5 }), [], DEFAULT_EXPIRY_LIMITS, T0);
    if (!first.ok) throw new Error(first.code);
    const old = planBindings(
      facts(['<sip:a@127.0.0.1:1>'], { cseq: 5 }),
      first.bindings,
      DEFAULT_EXPIRY_LIMITS,
      T0,
    );
    expect(old).toMatchObject({ ok: false, status: 500, code: 'REG_OUT_OF_ORDER' });
    const other = planBindings(
      facts(['<sip:a@127.0.0.1:1>'], { cseq: 1, callId: 'c2' }),
      first.bindings,
      DEFAULT_EXPIRY_LIMITS,
      T0 + 1000,
    );
    expect(other.ok && other.bindings.length).toBe(1);
  });

  it('refuses an expiry that is not delta-seconds', () => {
    expect(
      planBindings(facts(['<sip:a@127.0.0.1:1>'], { expiresHeader: 'soon' }), [], DEFAULT_EXPIRY_LIMITS, T0),
    ).toMatchObject({
      ok: false,
      code: 'REG_BAD_EXPIRES',
    });
  });

  it('sends calls to the contact IP and port, or to the source for a host name', () => {
    expect(contactEndpoint('sip:pbx@[::1]:5090;transport=tcp', source)).toEqual({
      protocol: 'tcp',
      address: '::1',
      port: 5090,
    });
    expect(contactEndpoint('sip:pbx@127.0.0.1', source)).toEqual({
      protocol: 'udp',
      address: '127.0.0.1',
      port: 5060,
    });
    expect(contactEndpoint('sip:pbx@pbx.example.com:5090', source)).toEqual(source);
    expect(contactEndpoint('tel:+15551234', source)).toBeNull();
  });
});

describe('grantedSeconds (RFC 3261 §10.2.4)', () => {
  const ours = 'sip:alice@127.0.0.1:5099';
  const res = (fields: [string, string][]) => ({ headers: new Headers(fields) });

  it('takes our Contact expires, then the Expires header, then what was asked', () => {
    expect(
      grantedSeconds(
        res([['Contact', '<sip:other@10.0.0.1>;expires=9, <sip:alice@127.0.0.1:5099>;expires=30']]),
        ours,
        3600,
      ),
    ).toBe(30);
    expect(
      grantedSeconds(
        res([
          ['Contact', '<sip:alice@127.0.0.1:5099>'],
          ['Expires', '45'],
        ]),
        ours,
        3600,
      ),
    ).toBe(45);
    expect(grantedSeconds(res([]), ours, 3600)).toBe(3600);
  });

  it('is null when the registrar lists bindings but not ours', () => {
    expect(
      grantedSeconds(res([['Contact', '<sip:alice@127.0.0.1:6000>;expires=30']]), ours, 3600),
    ).toBeNull();
  });
});

describe('Contacts tied to where the REGISTER came from (issue 7, RFC 5626 flows)', () => {
  const elsewhere = '<sip:pbx@192.0.2.66:5060>';

  it('binds a Contact at another address to the source address and port by default, and says so', () => {
    const plan = planBindings(facts([elsewhere]), [], DEFAULT_EXPIRY_LIMITS, T0);
    if (!plan.ok) throw new Error(plan.code);
    expect(plan.bindings[0]!.uri).toBe('sip:pbx@192.0.2.66:5060');
    expect(plan.bindings[0]!.endpoint).toEqual(source);
    expect(plan.reason).toBe('sip:pbx@192.0.2.66:5060 for 3600 s (bound to its source 127.0.0.1:40000)');
  });

  it('refuses it with 403 under contact_binding: refuse, but still lets the PBX remove it', () => {
    const plan = planBindings(facts([elsewhere], { binding: 'refuse' }), [], DEFAULT_EXPIRY_LIMITS, T0);
    expect(plan).toMatchObject({
      ok: false,
      status: 403,
      code: 'REG_CONTACT_NOT_SOURCE',
      params: { contact: 'sip:pbx@192.0.2.66:5060', source: '127.0.0.1:40000' },
    });
    const removal = planBindings(
      facts(['<sip:pbx@192.0.2.66:5060>;expires=0'], { binding: 'refuse' }),
      [],
      DEFAULT_EXPIRY_LIMITS,
      T0,
    );
    expect(removal.ok).toBe(true);
  });

  it('keeps the Contact address as registered under contact_binding: as_registered', () => {
    const plan = planBindings(
      facts([elsewhere], { binding: 'as_registered' }),
      [],
      DEFAULT_EXPIRY_LIMITS,
      T0,
    );
    if (!plan.ok) throw new Error(plan.code);
    expect(plan.bindings[0]!.endpoint).toEqual({ protocol: 'udp', address: '192.0.2.66', port: 5060 });
  });

  it('leaves a Contact that is the source alone in every mode', () => {
    for (const binding of ['source', 'refuse', 'as_registered'] as const) {
      const plan = planBindings(
        facts(['<sip:pbx@127.0.0.1:40000>'], { binding }),
        [],
        DEFAULT_EXPIRY_LIMITS,
        T0,
      );
      if (!plan.ok) throw new Error(plan.code);
      expect(plan.bindings[0]!.endpoint).toEqual(source);
      expect(plan.reason).toBe('sip:pbx@127.0.0.1:40000 for 3600 s');
    }
  });
});
