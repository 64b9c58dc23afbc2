import { describe, expect, it } from 'vitest';
import { GeoredError } from '../../../src/errors/catalogue';
import { formatCredentials, parseCredentials } from '../../../src/sip/auth';

function code(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof GeoredError) return e.code;
    throw e;
  }
  throw new Error('did not throw');
}

const BASE = 'Digest username="bob", realm="r", nonce="n", uri="sip:r", response="abc"';

describe('parseCredentials', () => {
  it('reads an RFC 3261 style Authorization value', () => {
    const [c] = parseCredentials(
      'Digest username="bob", realm="biloxi.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", ' +
        'uri="sip:bob@biloxi.com", qop=auth, nc=00000001, cnonce="0a4f113b", ' +
        'response="6629fae49393a05397450978507c4ef1", opaque="5ccc069c403ebaf9f0171e9517f40e41"',
    );
    expect(c).toMatchObject({
      username: 'bob',
      userhash: false,
      realm: 'biloxi.com',
      uri: 'sip:bob@biloxi.com',
      qop: 'auth',
      nc: '00000001',
      cnonce: '0a4f113b',
      algorithm: 'MD5',
      supportedAlgorithm: 'MD5',
      opaque: '5ccc069c403ebaf9f0171e9517f40e41',
    });
  });

  it('decodes username* (RFC 8187 ext-value)', () => {
    const [c] = parseCredentials(
      'Digest username*=UTF-8\'\'J%C3%A4s%C3%B8n%20Doe, realm="r", nonce="n", uri="/", response="x"',
    );
    expect(c!.username).toBe('Jäsøn Doe');
  });

  it.each([
    ['Digest realm="r", nonce="n", uri="sip:r", response="abc"', 'AUTH_MISSING_PARAM'],
    ['Digest username="bob", nonce="n", uri="sip:r", response="abc"', 'AUTH_MISSING_PARAM'],
    ['Digest username="bob", realm="r", uri="sip:r", response="abc"', 'AUTH_MISSING_PARAM'],
    ['Digest username="bob", realm="r", nonce="n", response="abc"', 'AUTH_MISSING_PARAM'],
    ['Digest username="bob", realm="r", nonce="n", uri="sip:r"', 'AUTH_MISSING_PARAM'],
    [`${BASE}, qop=auth, cnonce="c"`, 'AUTH_MISSING_PARAM'],
    [`${BASE}, qop=auth, nc=00000001`, 'AUTH_MISSING_PARAM'],
    [`${BASE}, qop=auth, nc=1, cnonce="c"`, 'AUTH_BAD_PARAM'],
    [`${BASE}, qop=auth, nc=0000000g, cnonce="c"`, 'AUTH_BAD_PARAM'],
    [`${BASE}, username*=UTF-8''bob`, 'AUTH_BAD_PARAM'],
    ['Digest username*=latin1\'\'bob, realm="r", nonce="n", uri="/", response="x"', 'AUTH_BAD_PARAM'],
    ['Digest username*=UTF-8\'\'%FF, realm="r", nonce="n", uri="/", response="x"', 'AUTH_BAD_PARAM'],
    [`${BASE}, uri="x"`, 'AUTH_DUPLICATE_PARAM'],
    [`${BASE},, "x"`, 'AUTH_MALFORMED_HEADER'],
  ])('rejects %j with %s', (value, expected) => {
    expect(code(() => parseCredentials(value))).toBe(expected);
  });

  it('reads back what formatCredentials writes, escaping quotes', () => {
    const params = {
      username: 'a"b\\c',
      userhash: true,
      realm: 'r',
      nonce: 'n',
      uri: 'sip:x@y;transport=tcp',
      response: 'f00',
      algorithm: 'SHA-256-sess',
      qop: 'auth-int',
      nc: '0000000a',
      cnonce: 'c',
      opaque: 'o',
    };
    const [c] = parseCredentials(formatCredentials(params));
    expect(c).toMatchObject({ ...params, supportedAlgorithm: 'SHA-256-sess' });
  });
});
