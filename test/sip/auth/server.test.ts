import { describe, expect, it } from 'vitest';
import { GeoredError } from '../../../src/errors/catalogue';
import {
  DIGEST_ALGORITHMS,
  DigestClient,
  DigestServer,
  ha1Base,
  hashedUsername,
  parseChallenges,
  parseCredentials,
  verifyRequest,
  type DigestAlgorithm,
  type DigestServerOptions,
} from '../../../src/sip/auth';

const REALM = 'geored.test';
const SECRET = 'a-nonce-secret-of-32-characters!';
const USERS: Record<string, string> = { pbx1: 'correct horse battery staple', Jäsøn: 'Secret, or not?' };
const T0 = 1_700_000_000_000;
const REGISTER = { method: 'REGISTER', uri: 'sip:geored.test' };

function server(extra: Partial<DigestServerOptions> = {}): DigestServer {
  return new DigestServer({
    realm: REALM,
    secret: SECRET,
    lookup: (u) => (u in USERS ? { password: USERS[u]! } : undefined),
    ...extra,
  });
}

function client(username = 'pbx1', password = USERS[username]!, extra = {}): DigestClient {
  return new DigestClient({ credentials: { username, password }, ...extra });
}

/** The client's answer to the server's challenge: the header value. */
function answer(
  c: DigestClient,
  challenge: string | readonly string[],
  req: { method: string; uri: string; body?: string | Buffer } = REGISTER,
  previous?: string,
): string {
  const r = c.answer(challenge, req, 'www', previous);
  if ('rejected' in r) throw new Error(`client rejected: ${r.reason}`);
  return r.value;
}

describe('DigestServer round trips', () => {
  const cases: { algorithm: DigestAlgorithm; qop: ('auth' | 'auth-int')[] }[] = [];
  for (const algorithm of DIGEST_ALGORITHMS) {
    for (const qop of [['auth'], ['auth-int']] as ('auth' | 'auth-int')[][]) cases.push({ algorithm, qop });
    if (!algorithm.endsWith('-sess')) cases.push({ algorithm, qop: [] });
  }

  it.each(cases)('$algorithm with qop $qop verifies', ({ algorithm, qop }) => {
    const srv = server({ algorithms: [algorithm], qop });
    const req = {
      method: 'INVITE',
      uri: 'sip:+15551234567@geored.test;user=phone',
      body: 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n',
    };
    const header = answer(client(), srv.challenge(T0), req);
    const creds = parseCredentials(header)[0]!;
    expect(creds.supportedAlgorithm).toBe(algorithm);
    expect(creds.qop).toBe(qop[0]);
    expect(srv.verify(header, req, T0 + 1000)).toEqual({ ok: true, username: 'pbx1' });
  });

  it.each(DIGEST_ALGORITHMS)(
    '%s with userhash verifies (and the username never travels in clear)',
    (algorithm) => {
      const hashes = new Map(Object.keys(USERS).map((u) => [hashedUsername(algorithm, u, REALM), u]));
      const srv = server({ algorithms: [algorithm], resolveUserhash: (h) => hashes.get(h) });
      const challenge = srv.challenge(T0);
      expect(parseChallenges(challenge)[0]!.userhash).toBe(true);
      const header = answer(client('Jäsøn'), challenge);
      expect(header).not.toContain('Jäsøn');
      expect(srv.verify(header, REGISTER, T0)).toEqual({ ok: true, username: 'Jäsøn' });
    },
  );

  it('offers one challenge per algorithm with one nonce, strongest first by default order', () => {
    const values = server({ algorithms: ['SHA-512-256', 'SHA-256', 'MD5'], opaque: 'op' }).challenge(T0);
    const parsed = parseChallenges(values);
    expect(parsed.map((c) => c.algorithm)).toEqual(['SHA-512-256', 'SHA-256', 'MD5']);
    expect(new Set(parsed.map((c) => c.nonce)).size).toBe(1);
    expect(parsed.every((c) => c.opaque === 'op' && c.realm === REALM && !c.stale)).toBe(true);
    expect(parseChallenges(server().challenge(T0, { stale: true }))[0]!.stale).toBe(true);
    // Nonces differ even within one millisecond.
    expect(parseChallenges(server().challenge(T0))[0]!.nonce).not.toBe(
      parseChallenges(server().challenge(T0))[0]!.nonce,
    );
  });

  it('verifies a user stored as HA1', () => {
    const srv = server({
      lookup: (u) =>
        u === 'pbx1' ? { ha1: { 'SHA-256': ha1Base('SHA-256', 'pbx1', REALM, USERS.pbx1!) } } : undefined,
    });
    const header = answer(client(), srv.challenge(T0));
    expect(srv.verify(header, REGISTER, T0)).toEqual({ ok: true, username: 'pbx1' });
  });

  it('verifyRequest reads Authorization or Proxy-Authorization off a message', () => {
    const srv = server();
    const c = client();
    answer(c, srv.challenge(T0));
    // A fresh nc each call, so the replay check does not interfere.
    const headers = (name: string) => {
      const value = c.authorize(REGISTER, 'www')!.value;
      return { getAll: (n: string) => (n.toLowerCase() === name ? [value] : []) };
    };
    expect(verifyRequest(srv, { ...REGISTER, headers: headers('authorization') }, T0)).toMatchObject({
      ok: true,
    });
    expect(
      verifyRequest(srv, { ...REGISTER, headers: headers('proxy-authorization') }, T0, 'proxy'),
    ).toMatchObject({ ok: true });
    expect(verifyRequest(srv, { ...REGISTER, headers: headers('authorization') }, T0, 'proxy')).toMatchObject(
      {
        ok: false,
        code: 'AUTH_NO_DIGEST_CREDENTIALS',
      },
    );
  });
});

describe('DigestServer nonces', () => {
  const LIFE = 60_000;

  it('an expired nonce with a right answer is stale; the client retries with the new nonce and succeeds', () => {
    const srv = server({ nonceLifetimeMs: LIFE });
    const c = client();
    const first = answer(c, srv.challenge(T0));
    expect(srv.verify(first, REGISTER, T0 + LIFE)).toMatchObject({ ok: true });
    const later = T0 + LIFE + 1;
    const old = c.authorize(REGISTER, 'www')!.value;
    expect(srv.verify(old, REGISTER, later)).toMatchObject({
      ok: false,
      code: 'AUTH_NONCE_STALE',
      stale: true,
    });
    const retry = answer(c, srv.challenge(later, { stale: true }), REGISTER, old);
    expect(srv.verify(retry, REGISTER, later)).toEqual({ ok: true, username: 'pbx1' });
  });

  it('an expired nonce with a wrong answer is a credential failure, not stale', () => {
    const srv = server({ nonceLifetimeMs: LIFE });
    const header = answer(client('pbx1', 'wrong'), srv.challenge(T0));
    expect(srv.verify(header, REGISTER, T0 + LIFE + 1)).toMatchObject({
      ok: false,
      code: 'AUTH_BAD_CREDENTIALS',
      stale: false,
    });
  });

  it('rejects the same nc twice and a lower nc; accepts a higher one', () => {
    const srv = server();
    const c = client();
    const nc1 = answer(c, srv.challenge(T0));
    const nc2 = c.authorize(REGISTER, 'www')!.value;
    const nc3 = c.authorize(REGISTER, 'www')!.value;
    expect(srv.verify(nc1, REGISTER, T0)).toMatchObject({ ok: true });
    expect(srv.verify(nc1, REGISTER, T0)).toMatchObject({
      ok: false,
      code: 'AUTH_NONCE_REPLAY',
      stale: false,
    });
    expect(srv.verify(nc3, REGISTER, T0)).toMatchObject({ ok: true });
    expect(srv.verify(nc2, REGISTER, T0)).toMatchObject({
      ok: false,
      code: 'AUTH_NONCE_REPLAY',
      stale: false,
    });
  });

  it('a failed attempt does not consume the nc', () => {
    const srv = server();
    const c = client();
    const good = answer(c, srv.challenge(T0));
    expect(srv.verify(good.replace(/response="[0-9a-f]/, 'response="x'), REGISTER, T0)).toMatchObject({
      ok: false,
    });
    expect(srv.verify(good, REGISTER, T0)).toMatchObject({ ok: true });
  });

  it('without qop a nonce serves one request; reuse is stale so the client re-challenges', () => {
    const srv = server({ qop: [] });
    const header = answer(client(), srv.challenge(T0));
    expect(parseCredentials(header)[0]!.qop).toBeUndefined();
    expect(srv.verify(header, REGISTER, T0)).toMatchObject({ ok: true });
    expect(srv.verify(header, REGISTER, T0)).toMatchObject({
      ok: false,
      code: 'AUTH_NONCE_STALE',
      stale: true,
    });
  });

  it('rejects a tampered nonce, one from another secret and one from another realm', () => {
    const srv = server();
    const nonce = parseChallenges(srv.challenge(T0))[0]!.nonce;
    const flipped = nonce.slice(0, 3) + (nonce[3] === 'A' ? 'B' : 'A') + nonce.slice(4);
    const foreign = [
      flipped,
      parseChallenges(server({ secret: 'another-secret-another-secret!!' }).challenge(T0))[0]!.nonce,
      parseChallenges(
        new DigestServer({ realm: 'other', secret: SECRET, lookup: () => undefined }).challenge(T0),
      )[0]!.nonce,
      'dcd98b7102dd2f0e8b11d0f600bfb0c093',
    ];
    for (const n of foreign) {
      // The client answers correctly for the nonce it was given: only the nonce itself is wrong.
      const header = answer(client(), `Digest realm="${REALM}", nonce="${n}", algorithm=SHA-256, qop="auth"`);
      expect(srv.verify(header, REGISTER, T0), n).toMatchObject({
        ok: false,
        code: 'AUTH_NONCE_INVALID',
        stale: false,
      });
    }
  });

  it('keeps replay state bounded and never lets a forgotten nonce be replayed', () => {
    const srv = server({ maxTrackedNonces: 10 });
    const headers: string[] = [];
    for (let i = 0; i < 50; i++) {
      const c = client();
      const h = answer(c, srv.challenge(T0 + i));
      expect(srv.verify(h, REGISTER, T0 + i)).toMatchObject({ ok: true });
      headers.push(h);
    }
    expect((srv as unknown as { tracker: { size: number } }).tracker.size).toBeLessThanOrEqual(10);
    // The first nonce was evicted: replaying it must not succeed; it is stale (re-challenge) instead.
    expect(srv.verify(headers[0]!, REGISTER, T0 + 50)).toMatchObject({ ok: false, stale: true });
    expect(srv.verify(headers[49]!, REGISTER, T0 + 50)).toMatchObject({
      ok: false,
      code: 'AUTH_NONCE_REPLAY',
    });
  });
});

describe('DigestServer rejections', () => {
  const srv = server({ opaque: 'opq' });
  const at = T0 + 5;

  function fresh(c = client(), req: { method: string; uri: string; body?: string } = REGISTER): string {
    return answer(c, srv.challenge(T0), req);
  }

  it('wrong password and unknown user fail the same way', () => {
    const wrong = srv.verify(fresh(client('pbx1', 'nope')), REGISTER, at);
    const unknown = srv.verify(fresh(client('mallory', 'nope')), REGISTER, at);
    expect(wrong).toEqual({
      ok: false,
      code: 'AUTH_BAD_CREDENTIALS',
      reason: 'invalid username or password',
      stale: false,
    });
    expect(unknown).toEqual(wrong);
  });

  it('wrong realm', () => {
    const header = fresh().replace(`realm="${REALM}"`, 'realm="elsewhere"');
    expect(srv.verify(header, REGISTER, at)).toMatchObject({
      ok: false,
      code: 'AUTH_REALM_MISMATCH',
      stale: false,
    });
  });

  it('digest-uri not the request URI', () => {
    const header = fresh();
    const r = srv.verify(header, { ...REGISTER, uri: 'sip:geored.test;transport=tcp' }, at);
    expect(r).toMatchObject({ ok: false, code: 'AUTH_URI_MISMATCH', stale: false });
  });

  it('opaque changed or dropped', () => {
    expect(srv.verify(fresh().replace('opaque="opq"', 'opaque="x"'), REGISTER, at)).toMatchObject({
      code: 'AUTH_OPAQUE_MISMATCH',
    });
    expect(srv.verify(fresh().replace(', opaque="opq"', ''), REGISTER, at)).toMatchObject({
      code: 'AUTH_OPAQUE_MISMATCH',
    });
  });

  it('an algorithm or qop that was not offered', () => {
    const md5 = answer(client(), `Digest realm="${REALM}", nonce="n", algorithm=SHA-512-256, qop="auth"`);
    expect(srv.verify(md5, REGISTER, at)).toMatchObject({ ok: false, code: 'AUTH_ALGORITHM_NOT_OFFERED' });
    const nonce = parseChallenges(srv.challenge(T0))[0]!.nonce;
    const noQop = answer(
      client(),
      `Digest realm="${REALM}", nonce="${nonce}", algorithm=SHA-256, opaque="opq"`,
    );
    expect(srv.verify(noQop, REGISTER, at)).toMatchObject({ ok: false, code: 'AUTH_QOP_NOT_OFFERED' });
  });

  it('missing or malformed credentials', () => {
    expect(srv.verify(undefined, REGISTER, at)).toMatchObject({
      ok: false,
      code: 'AUTH_NO_DIGEST_CREDENTIALS',
    });
    expect(srv.verify('Basic YWxhZGRpbjpvcGVuc2VzYW1l', REGISTER, at)).toMatchObject({
      code: 'AUTH_NO_DIGEST_CREDENTIALS',
    });
    expect(srv.verify('Digest username="x", realm="', REGISTER, at)).toMatchObject({
      ok: false,
      code: 'AUTH_MALFORMED_HEADER',
    });
    expect(srv.verify(fresh().replace(/response="[0-9a-f]+"/, 'response="abc"'), REGISTER, at)).toMatchObject(
      {
        code: 'AUTH_BAD_CREDENTIALS',
      },
    );
  });

  it('auth-int covers the body: absent and empty are the same, any change fails', () => {
    const intSrv = server({ qop: ['auth-int'] });
    const c = client();
    const noBody = answer(c, intSrv.challenge(T0), REGISTER);
    expect(intSrv.verify(noBody, { ...REGISTER, body: Buffer.alloc(0) }, T0)).toMatchObject({ ok: true });
    const sdp = 'v=0\r\ns=-\r\n';
    const withBody = answer(c, intSrv.challenge(T0), { ...REGISTER, body: sdp });
    expect(intSrv.verify(withBody, { ...REGISTER, body: 'v=0\r\ns=x\r\n' }, T0)).toMatchObject({
      code: 'AUTH_BAD_CREDENTIALS',
    });
    expect(intSrv.verify(withBody, { ...REGISTER, body: Buffer.from(sdp) }, T0)).toMatchObject({ ok: true });
  });

  it('never puts a password in a reason', () => {
    const results = [
      srv.verify(fresh(client('pbx1', 'nope')), REGISTER, at),
      srv.verify(fresh(), { ...REGISTER, uri: 'sip:x' }, at),
    ];
    for (const r of results) {
      if (r.ok) throw new Error('unexpected');
      for (const p of Object.values(USERS)) expect(r.reason).not.toContain(p);
    }
  });

  it.each([
    [{ secret: 'short' }, 'secret'],
    [{ realm: '' }, 'realm'],
    [{ nonceLifetimeMs: 0 }, 'nonceLifetimeMs'],
    [{ algorithms: [] }, 'algorithms'],
    [{ algorithms: ['SHA-1' as DigestAlgorithm] }, 'algorithms'],
    [{ qop: ['auth-conf' as 'auth'] }, 'qop'],
    [{ qop: [], algorithms: ['MD5-sess' as DigestAlgorithm] }, 'sess'],
    [{ maxTrackedNonces: 0 }, 'maxTrackedNonces'],
  ])('refuses bad settings %j with AUTH_BAD_CONFIG', (extra, word) => {
    let caught: unknown;
    try {
      server(extra as Partial<DigestServerOptions>);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(GeoredError);
    expect((caught as GeoredError).code).toBe('AUTH_BAD_CONFIG');
    expect((caught as GeoredError).message).toContain(word);
    expect((caught as GeoredError).message).not.toContain(SECRET);
  });
});
