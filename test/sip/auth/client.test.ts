import { describe, expect, it } from 'vitest';
import { GeoredError } from '../../../src/errors/catalogue';
import {
  DigestClient,
  answerResponse,
  ha1Base,
  parseCredentials,
  type AnswerResult,
  type DigestCredentials,
} from '../../../src/sip/auth';

const REQ = { method: 'REGISTER', uri: 'sip:pbx.example.com' };
const alice = { username: 'alice', password: 'w0nderland!' };

function counter(): () => string {
  let n = 0;
  return () => `cn${++n}`;
}

function ok(r: AnswerResult): { header: string; creds: DigestCredentials[] } {
  if ('rejected' in r) throw new Error(`rejected: ${r.reason}`);
  return { header: r.header, creds: r.values.flatMap((v) => parseCredentials(v)) };
}

function only(r: AnswerResult): DigestCredentials {
  const { creds } = ok(r);
  expect(creds).toHaveLength(1);
  return creds[0]!;
}

describe('DigestClient', () => {
  it('answers 401 with Authorization and 407 with Proxy-Authorization', () => {
    const client = new DigestClient({ credentials: alice });
    const ch = 'Digest realm="r", nonce="n", qop="auth"';
    expect(ok(client.answer(ch, REQ, 'www')).header).toBe('Authorization');
    expect(ok(client.answer(ch, REQ, 'proxy')).header).toBe('Proxy-Authorization');
  });

  it('chooses the strongest algorithm offered, whatever the order', () => {
    const client = new DigestClient({ credentials: alice });
    const fields = [
      'Digest realm="r", nonce="n", algorithm=MD5, qop="auth"',
      'Digest realm="r", nonce="n", algorithm=SHA-512-256, qop="auth"',
      'Digest realm="r", nonce="n", algorithm=SHA-256, qop="auth"',
    ];
    expect(only(client.answer(fields, REQ, 'www')).algorithm).toBe('SHA-512-256');
    expect(only(client.answer([fields[0]!, fields[2]!], REQ, 'www')).algorithm).toBe('SHA-256');
    // Same strength: the server's order decides.
    const sess = ['Digest realm="r", nonce="n", algorithm=SHA-256-sess, qop="auth"', fields[2]!];
    expect(only(client.answer(sess, REQ, 'www')).algorithm).toBe('SHA-256-sess');
  });

  it('counts nc per nonce: 1 for a new nonce, up by one each time the nonce is used again', () => {
    const client = new DigestClient({ credentials: alice, cnonce: counter() });
    const a = 'Digest realm="r", nonce="A", qop="auth"';
    expect(only(client.answer(a, REQ, 'www')).nc).toBe('00000001');
    expect(only(client.answer(a, REQ, 'www')).nc).toBe('00000002');
    expect(only(client.answer('Digest realm="r", nonce="B", qop="auth"', REQ, 'www')).nc).toBe('00000001');
    // Preemptive reuse of the last nonce for the realm.
    const pre = client.authorize(REQ, 'www');
    expect(pre?.header).toBe('Authorization');
    expect(parseCredentials(pre!.value)[0]).toMatchObject({ nonce: 'B', nc: '00000002', cnonce: 'cn4' });
    expect(client.authorize(REQ, 'proxy')).toBeUndefined();
    // nc is hex.
    for (let i = 0; i < 8; i++) client.answer(a, REQ, 'www');
    expect(only(client.answer(a, REQ, 'www')).nc).toBe('0000000b');
  });

  it('makes a fresh random cnonce by default', () => {
    const client = new DigestClient({ credentials: alice });
    const ch = 'Digest realm="r", nonce="n", qop="auth"';
    const c1 = only(client.answer(ch, REQ, 'www')).cnonce;
    const c2 = only(client.answer(ch, REQ, 'www')).cnonce;
    expect(c1).toMatch(/^[0-9a-f]{32}$/);
    expect(c1).not.toBe(c2);
  });

  it('uses auth when offered, auth-int when it is all or preferred', () => {
    const body = 'v=0\r\n';
    const both = 'Digest realm="r", nonce="n", qop="auth,auth-int"';
    expect(only(new DigestClient({ credentials: alice }).answer(both, { ...REQ, body }, 'www')).qop).toBe(
      'auth',
    );
    const preferring = new DigestClient({ credentials: alice, preferAuthInt: true });
    expect(only(preferring.answer(both, { ...REQ, body }, 'www')).qop).toBe('auth-int');
    const intOnly = 'Digest realm="r", nonce="n", qop="auth-int"';
    expect(only(new DigestClient({ credentials: alice }).answer(intOnly, REQ, 'www')).qop).toBe('auth-int');
  });

  it('echoes opaque, names the algorithm only when the challenge did', () => {
    const client = new DigestClient({ credentials: alice });
    const r = client.answer('Digest realm="r", nonce="n", opaque="op\\"aque", qop="auth"', REQ, 'www');
    expect(only(r).opaque).toBe('op"aque');
    expect(ok(r).creds[0]!.params.has('algorithm')).toBe(false);
    const bare = client.answer('Digest realm="r", nonce="n", qop="auth"', REQ, 'www');
    expect(only(bare).opaque).toBeUndefined();
    expect(only(client.answer('Digest realm="r", nonce="n", algorithm=md5', REQ, 'www')).algorithm).toBe(
      'MD5',
    );
  });

  it('sends H(username:realm) with userhash=true when offered, unless told not to', () => {
    const ch = 'Digest realm="r", nonce="n", qop="auth", algorithm=SHA-256, userhash=true';
    const hashed = only(new DigestClient({ credentials: alice }).answer(ch, REQ, 'www'));
    expect(hashed.userhash).toBe(true);
    expect(hashed.username).toMatch(/^[0-9a-f]{64}$/);
    expect(hashed.username).not.toContain('alice');
    const plain = only(new DigestClient({ credentials: alice, useUserhash: false }).answer(ch, REQ, 'www'));
    expect(plain).toMatchObject({ userhash: false, username: 'alice' });
  });

  it('retries on stale=true but reports a plain re-challenge of an answered realm as rejected', () => {
    const client = new DigestClient({ credentials: alice });
    const previous = client.answer('Digest realm="r", nonce="n1", qop="auth"', REQ, 'www');
    if ('rejected' in previous) throw new Error('unexpected');
    const stale = client.answer(
      'Digest realm="r", nonce="n2", qop="auth", stale=true',
      REQ,
      'www',
      previous.value,
    );
    expect(only(stale).nonce).toBe('n2');
    const again = client.answer('Digest realm="r", nonce="n3", qop="auth"', REQ, 'www', previous.value);
    expect(again).toMatchObject({ rejected: true, code: 'AUTH_CREDENTIALS_REJECTED', realm: 'r' });
    // A challenge for another realm than the one answered is not a rejection (e.g. a second proxy).
    const other = client.answer('Digest realm="other", nonce="x", qop="auth"', REQ, 'proxy', previous.value);
    expect(only(other).realm).toBe('other');
  });

  it('answers every realm challenged in one response', () => {
    const client = new DigestClient({ credentials: alice });
    const r = client.answer(
      ['Digest realm="p1", nonce="a", qop="auth"', 'Digest realm="p2", nonce="b", qop="auth"'],
      REQ,
      'proxy',
    );
    expect(ok(r).creds.map((c) => c.realm)).toEqual(['p1', 'p2']);
  });

  it('picks credentials by realm and says when it has none', () => {
    const client = new DigestClient({
      credentials: [
        { username: 'carrier-user', password: 'x', realm: 'carrier' },
        { username: 'default-user', password: 'y' },
      ],
    });
    expect(only(client.answer('Digest realm="carrier", nonce="n"', REQ, 'www')).username).toBe(
      'carrier-user',
    );
    expect(only(client.answer('Digest realm="else", nonce="n"', REQ, 'www')).username).toBe('default-user');
    const strict = new DigestClient({ credentials: (realm) => (realm === 'a' ? alice : undefined) });
    expect(strict.answer('Digest realm="b", nonce="n"', REQ, 'www')).toMatchObject({
      rejected: true,
      code: 'AUTH_NO_CREDENTIALS_FOR_REALM',
    });
  });

  it('with HA1 credentials answers only with algorithms it has an HA1 for', () => {
    const client = new DigestClient({
      credentials: { username: 'alice', ha1: { MD5: ha1Base('MD5', 'alice', 'r', alice.password) } },
    });
    const fields = [
      'Digest realm="r", nonce="n", algorithm=SHA-256, qop="auth"',
      'Digest realm="r", nonce="n", algorithm=MD5, qop="auth"',
    ];
    const md5 = only(client.answer(fields, REQ, 'www'));
    const fromPassword = only(
      new DigestClient({ credentials: alice, cnonce: () => md5.cnonce! }).answer(fields[1]!, REQ, 'www'),
    );
    expect(md5.algorithm).toBe('MD5');
    expect(md5.response).toBe(fromPassword.response);
    expect(client.answer(fields[0]!, REQ, 'www')).toMatchObject({
      rejected: true,
      code: 'AUTH_NO_SUPPORTED_CHALLENGE',
    });
  });

  it('rejects what it cannot answer without throwing', () => {
    const client = new DigestClient({ credentials: alice });
    const cases: [string, string][] = [
      ['Digest realm="r", nonce="n", algorithm=AKAv1-MD5', 'AUTH_NO_SUPPORTED_CHALLENGE'],
      ['Digest realm="r", nonce="n", qop="auth-conf"', 'AUTH_NO_SUPPORTED_CHALLENGE'],
      ['Digest realm="r", nonce="n", algorithm=MD5-sess', 'AUTH_NO_SUPPORTED_CHALLENGE'],
      ['Basic realm="r"', 'AUTH_NO_SUPPORTED_CHALLENGE'],
      ['Digest realm="r", nonce="n', 'AUTH_MALFORMED_HEADER'],
      ['Digest realm="r"', 'AUTH_MISSING_PARAM'],
    ];
    for (const [ch, code] of cases) {
      const r = client.answer(ch, REQ, 'www');
      expect(r, ch).toMatchObject({ rejected: true, code });
      if ('rejected' in r) expect(r.reason).not.toContain(alice.password);
    }
  });

  it('never puts the password in what it sends', () => {
    const client = new DigestClient({ credentials: alice });
    const r = client.answer('Digest realm="r", nonce="n", qop="auth"', REQ, 'www');
    if ('rejected' in r) throw new Error('unexpected');
    expect(r.value).not.toContain(alice.password);
  });

  it('refuses an empty username at construction with a typed error', () => {
    expect(() => new DigestClient({ credentials: { username: '', password: 'x' } })).toThrow(GeoredError);
  });

  it('answerResponse reads the challenge and the previous credentials off the messages', () => {
    class Fields {
      constructor(private readonly map: Record<string, string[]>) {}
      getAll(name: string): string[] {
        const key = Object.keys(this.map).find((k) => k.toLowerCase() === name.toLowerCase());
        return key === undefined ? [] : this.map[key]!;
      }
    }
    const client = new DigestClient({ credentials: alice });
    const sent = { ...REQ, body: Buffer.alloc(0), headers: new Fields({}) };
    const r407 = {
      status: 407,
      headers: new Fields({ 'Proxy-Authenticate': ['Digest realm="p", nonce="n"'] }),
    };
    const first = answerResponse(client, sent, r407);
    expect(first).toMatchObject({ header: 'Proxy-Authorization' });
    if ('rejected' in first) throw new Error('unexpected');
    const resent = { ...sent, headers: new Fields({ 'proxy-authorization': [...first.values] }) };
    expect(answerResponse(client, resent, r407)).toMatchObject({
      rejected: true,
      code: 'AUTH_CREDENTIALS_REJECTED',
    });
    const r401 = {
      status: 401,
      headers: new Fields({ 'WWW-Authenticate': ['Digest realm="p", nonce="m"'] }),
    };
    expect(answerResponse(client, resent, r401)).toMatchObject({ header: 'Authorization' });
  });
});
