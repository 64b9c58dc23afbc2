import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GeoredError } from '../../../src/errors/catalogue';
import {
  DIGEST_ALGORITHMS,
  DigestClient,
  DigestServer,
  hashedUsername,
  parseChallenges,
  parseCredentials,
  type DigestAlgorithm,
  type DigestCredentials,
} from '../../../src/sip/auth';

const T0 = 1_700_000_000_000;

const setup = fc.record({
  algorithms: fc.uniqueArray(fc.constantFrom(...DIGEST_ALGORITHMS), { minLength: 1, maxLength: 3 }),
  qop: fc.constantFrom<('auth' | 'auth-int')[]>(['auth'], ['auth-int'], ['auth', 'auth-int'], []),
  userhash: fc.boolean(),
  opaque: fc.option(fc.string({ maxLength: 12 }), { nil: undefined }),
  username: fc.string({ minLength: 1, maxLength: 16, unit: 'grapheme' }),
  password: fc.string({ maxLength: 24, unit: 'grapheme' }),
  realm: fc.string({ minLength: 1, maxLength: 16, unit: 'grapheme' }),
  method: fc.constantFrom('REGISTER', 'INVITE', 'OPTIONS', 'BYE'),
  uri: fc.constantFrom('sip:geored.test', 'sip:+15551234@pbx.example.com;user=phone', 'sips:[::1]:5061'),
  body: fc.option(fc.string({ maxLength: 40 }), { nil: undefined }),
  preferAuthInt: fc.boolean(),
});

type Setup = typeof setup extends fc.Arbitrary<infer T> ? T : never;

function build(s: Setup): {
  server: DigestServer;
  header: string;
  request: { method: string; uri: string; body?: string };
} {
  // Without qop there is no cnonce, and -sess needs one: such a server cannot be configured.
  const algorithms: DigestAlgorithm[] =
    s.qop.length === 0 ? s.algorithms.map((a) => a.replace('-sess', '') as DigestAlgorithm) : s.algorithms;
  const server = new DigestServer({
    realm: s.realm,
    secret: 'property-test-secret-0123456789',
    algorithms: [...new Set(algorithms)],
    qop: s.qop,
    ...(s.opaque !== undefined && { opaque: s.opaque }),
    lookup: (u) => (u === s.username ? { password: s.password } : undefined),
    ...(s.userhash && {
      resolveUserhash: (h: string, hash: 'MD5' | 'SHA-256' | 'SHA-512-256') =>
        h === hashedUsername(hash, s.username, s.realm) ? s.username : undefined,
    }),
  });
  const client = new DigestClient({
    credentials: { username: s.username, password: s.password },
    preferAuthInt: s.preferAuthInt,
  });
  const request = { method: s.method, uri: s.uri, ...(s.body !== undefined && { body: s.body }) };
  const r = client.answer(server.challenge(T0), request, 'www');
  if ('rejected' in r) throw new Error(`client rejected: ${r.reason}`);
  return { server, header: r.value, request };
}

/**
 * Same meaning: every field the digest uses is equal. Unknown parameters carry no meaning (RFC 7616 §3.4:
 * ignored), so `, !algorithm=MD5` where `, algorithm=MD5` was is equivalent: MD5 is also the default.
 */
function equivalent(a: DigestCredentials, b: DigestCredentials): boolean {
  const fields = [
    'username',
    'userhash',
    'realm',
    'nonce',
    'uri',
    'response',
    'supportedAlgorithm',
    'qop',
    'nc',
    'cnonce',
    'opaque',
  ] as const;
  return fields.every((f) => a[f] === b[f]);
}

const mutationChar = fc.oneof(
  fc.constantFrom('"', '\\', ',', '=', ' ', '\t', '\r', '\n', '0', 'a', 'A', 'f', 'F', '\u0000', 'ä'),
  fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
);

describe('digest properties', () => {
  it('every client answer to a server challenge verifies', () => {
    fc.assert(
      fc.property(setup, (s) => {
        const { server, header, request } = build(s);
        expect(server.verify(header, request, T0 + 1)).toEqual({ ok: true, username: s.username });
      }),
      { numRuns: 300 },
    );
  });

  it('no single-character change verifies unless it means the same; nothing but a typed error escapes', () => {
    fc.assert(
      fc.property(setup, fc.nat(), mutationChar, (s, at, c) => {
        const { server, header, request } = build(s);
        const i = at % header.length;
        fc.pre(header[i] !== c);
        const mutated = header.slice(0, i) + c + header.slice(i + 1);
        const result = server.verify(mutated, request, T0 + 1);
        if (!result.ok) return;
        // It verified: it must be a spelling of the same credentials (e.g. a parameter name's case).
        let same = false;
        try {
          same = equivalent(parseCredentials(header)[0]!, parseCredentials(mutated)[0]!);
        } catch (e) {
          if (!(e instanceof GeoredError)) throw e;
        }
        expect(same, `verified after mutation at ${i}: ${mutated}`).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('the parsers throw only typed errors on arbitrary input', () => {
    const alphabet = fc.constantFrom(...'Digest realm=nonce"\\, \t\r\nabc=qop*\'%ä'.split(''));
    const input = fc.oneof(fc.string(), fc.string({ unit: alphabet, maxLength: 60 }));
    fc.assert(
      fc.property(input, (v) => {
        for (const parse of [parseChallenges, parseCredentials]) {
          try {
            parse(v);
          } catch (e) {
            expect(e).toBeInstanceOf(GeoredError);
            expect((e as GeoredError).code).toMatch(/^AUTH_/);
          }
        }
      }),
      { numRuns: 2000 },
    );
  });
});
