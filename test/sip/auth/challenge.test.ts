import { describe, expect, it } from 'vitest';
import { GeoredError } from '../../../src/errors/catalogue';
import { formatChallenge, parseChallenges } from '../../../src/sip/auth';

function code(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof GeoredError) return e.code;
    throw e;
  }
  throw new Error('did not throw');
}

describe('parseChallenges', () => {
  it('reads every Digest parameter', () => {
    const [c] = parseChallenges(
      'Digest realm="atlanta.com", domain="sip:ss1.carrier.com sip:ss2.carrier.com", ' +
        'nonce="f84f1cec41e6cbe5aea9c8e88d359", opaque="", stale=TRUE, algorithm=sha-256-SESS, ' +
        'qop="auth,Auth-Int", userhash=true, charset=UTF-8',
    );
    expect(c).toMatchObject({
      realm: 'atlanta.com',
      nonce: 'f84f1cec41e6cbe5aea9c8e88d359',
      opaque: '',
      stale: true,
      algorithm: 'SHA-256-sess',
      algorithmGiven: true,
      supportedAlgorithm: 'SHA-256-sess',
      qop: ['auth', 'auth-int'],
      userhash: true,
      domain: ['sip:ss1.carrier.com', 'sip:ss2.carrier.com'],
      charset: 'UTF-8',
    });
  });

  it('defaults: MD5, not stale, no qop, no userhash', () => {
    const [c] = parseChallenges('Digest realm="r", nonce="n"');
    expect(c).toMatchObject({
      algorithm: 'MD5',
      algorithmGiven: false,
      stale: false,
      qop: [],
      userhash: false,
    });
    expect(c!.opaque).toBeUndefined();
    expect(parseChallenges('Digest realm="r", nonce="n", stale=maybe')[0]!.stale).toBe(false);
  });

  it('handles case-insensitive names, the scheme case, whitespace around "=" and tokens as values', () => {
    const [c] = parseChallenges('dIgEsT  REALM = r1 ,\tNonce=abc , QOP=auth');
    expect(c).toMatchObject({ realm: 'r1', nonce: 'abc', qop: ['auth'] });
  });

  it('unescapes quoted-pairs and keeps commas inside quotes', () => {
    const [c] = parseChallenges('Digest realm="a \\"quoted\\", realm\\\\x", nonce="n,1"');
    expect(c!.realm).toBe('a "quoted", realm\\x');
    expect(c!.nonce).toBe('n,1');
  });

  it('keeps UTF-8 in quoted strings', () => {
    expect(parseChallenges('Digest realm="Jäsøn\'s realm", nonce="n"')[0]!.realm).toBe("Jäsøn's realm");
  });

  it('reads several challenges in one value and in several fields, skipping other schemes', () => {
    const one = parseChallenges(
      'Basic realm="b", Digest realm="r", nonce="1", algorithm=SHA-256, Bearer abc.def==, ' +
        'Digest realm="r", nonce="1", algorithm=MD5, Negotiate',
    );
    expect(one.map((c) => c.algorithm)).toEqual(['SHA-256', 'MD5']);
    const fields = parseChallenges([
      'Digest realm="r", nonce="1", algorithm=SHA-512-256',
      'Digest realm="r", nonce="1", algorithm=MD5',
    ]);
    expect(fields.map((c) => c.algorithm)).toEqual(['SHA-512-256', 'MD5']);
    expect(parseChallenges('Basic realm="x"')).toEqual([]);
  });

  it('survives a message layer that split the value at commas', () => {
    const split = ['Digest realm="r"', 'nonce="1"', 'qop="auth', 'auth-int"'];
    // Splitting inside quotes is wrong, but rejoining with ", " at least keeps the params.
    const [c] = parseChallenges(split);
    expect(c).toMatchObject({ realm: 'r', nonce: '1' });
  });

  it('keeps unsupported algorithms visible but marked', () => {
    const [c] = parseChallenges('Digest realm="r", nonce="n", algorithm=AKAv1-MD5');
    expect(c).toMatchObject({ algorithm: 'AKAv1-MD5', supportedAlgorithm: null });
  });

  it('keeps extension params', () => {
    expect(parseChallenges('Digest realm="r", nonce="n", ext="x"')[0]!.params.get('ext')).toBe('x');
  });

  it.each([
    ['Digest realm="r", nonce="n', 'AUTH_MALFORMED_HEADER'],
    ['Digest realm="r", nonce=', 'AUTH_MALFORMED_HEADER'],
    ['Digest realm="r" nonce="n"', 'AUTH_MALFORMED_HEADER'],
    ['realm="r", nonce="n"', 'AUTH_MALFORMED_HEADER'],
    ['Digest realm="r", nonce="n", =x', 'AUTH_MALFORMED_HEADER'],
    ['Digest realm="a\u0001b", nonce="n"', 'AUTH_MALFORMED_HEADER'],
    ['Digest realm="r\\', 'AUTH_MALFORMED_HEADER'],
    ['Digest realm="r", realm="s", nonce="n"', 'AUTH_DUPLICATE_PARAM'],
    ['Digest nonce="n"', 'AUTH_MISSING_PARAM'],
    ['Digest realm="r"', 'AUTH_MISSING_PARAM'],
    ['Digest', 'AUTH_MISSING_PARAM'],
  ])('rejects %j with %s', (value, expected) => {
    expect(code(() => parseChallenges(value))).toBe(expected);
  });

  it('names the offset in the message', () => {
    expect(() => parseChallenges('Digest realm="r" nonce="n"')).toThrow(/offset 17/);
  });

  it('reads back what formatChallenge writes', () => {
    const value = formatChallenge({
      realm: 'r "x"',
      nonce: 'n',
      algorithm: 'SHA-512-256-sess',
      qop: ['auth', 'auth-int'],
      opaque: 'o',
      stale: true,
      userhash: true,
      domain: ['sip:a', 'sip:b'],
    });
    expect(parseChallenges(value)[0]).toMatchObject({
      realm: 'r "x"',
      nonce: 'n',
      algorithm: 'SHA-512-256-sess',
      qop: ['auth', 'auth-int'],
      opaque: 'o',
      stale: true,
      userhash: true,
      domain: ['sip:a', 'sip:b'],
    });
  });
});
