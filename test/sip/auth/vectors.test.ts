import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { SHARED_DIR } from '../../helpers/shared-dir';
import {
  DigestClient,
  computeHa1,
  computeHa2,
  computeResponse,
  ha1Base,
  hashedUsername,
  parseCredentials,
  type DigestAlgorithm,
} from '../../../src/sip/auth';

interface Vector {
  name: string;
  algorithm: DigestAlgorithm;
  userhash?: boolean;
  username: string;
  realm: string;
  password: string;
  method: string;
  uri: string;
  nonce: string;
  nc: string;
  cnonce: string;
  qop: string;
  opaque: string;
  ha1?: string;
  ha2?: string;
  hashed_username?: string;
  response: string;
}

const { vectors } = JSON.parse(readFileSync(join(SHARED_DIR, 'testdata/digest-vectors.json'), 'utf8')) as {
  vectors: Vector[];
};

describe('digest vectors (RFC 2617 §3.5, RFC 7616 §3.9 corrected)', () => {
  it('has the four vectors', () => {
    expect(vectors.map((v) => v.name)).toHaveLength(4);
  });

  for (const v of vectors) {
    describe(v.name, () => {
      const input = {
        algorithm: v.algorithm,
        ha1Base: ha1Base(v.algorithm, v.username, v.realm, v.password),
        nonce: v.nonce,
        method: v.method,
        uri: v.uri,
        qop: v.qop,
        nc: v.nc,
        cnonce: v.cnonce,
      };

      it('computes ha1, ha2 and the response', () => {
        if (v.ha1 !== undefined) expect(computeHa1(input)).toBe(v.ha1);
        if (v.ha2 !== undefined) expect(computeHa2(input)).toBe(v.ha2);
        expect(computeResponse(input)).toBe(v.response);
      });

      if (v.hashed_username !== undefined) {
        it('computes the userhash', () => {
          expect(hashedUsername(v.algorithm, v.username, v.realm)).toBe(v.hashed_username);
        });
      }

      it('is what DigestClient answers to the matching challenge', () => {
        const challenge =
          `Digest realm="${v.realm}", qop="auth, auth-int", algorithm=${v.algorithm}, ` +
          `nonce="${v.nonce}", opaque="${v.opaque}"` +
          (v.userhash === true ? ', userhash=true' : '');
        const client = new DigestClient({
          credentials: { username: v.username, password: v.password },
          cnonce: () => v.cnonce,
        });
        const r = client.answer(challenge, { method: v.method, uri: v.uri }, 'www');
        if ('rejected' in r) throw new Error(r.reason);
        expect(r.header).toBe('Authorization');
        const [creds] = parseCredentials(r.value);
        expect(creds).toMatchObject({
          realm: v.realm,
          nonce: v.nonce,
          uri: v.uri,
          nc: v.nc,
          cnonce: v.cnonce,
          qop: v.qop,
          opaque: v.opaque,
          response: v.response,
          userhash: v.userhash === true,
          username: v.userhash === true ? v.hashed_username : v.username,
        });
      });
    });
  }

  it('answers in the RFC 2069 form (no qop) as H(HA1:nonce:HA2)', () => {
    // RFC 2069 §2.4's printed example is known to be wrong; this checks the formula on the RFC 2617 inputs.
    const v = vectors[0]!;
    const client = new DigestClient({ credentials: { username: v.username, password: v.password } });
    const r = client.answer(
      `Digest realm="${v.realm}", nonce="${v.nonce}"`,
      { method: v.method, uri: v.uri },
      'www',
    );
    if ('rejected' in r) throw new Error(r.reason);
    const [creds] = parseCredentials(r.value);
    expect(creds!.qop).toBeUndefined();
    expect(creds!.nc).toBeUndefined();
    expect(creds!.cnonce).toBeUndefined();
    expect(r.value).not.toContain('algorithm=');
    expect(creds!.response).toBe(
      computeResponse({ algorithm: 'MD5', ha1Base: v.ha1!, nonce: v.nonce, method: v.method, uri: v.uri }),
    );
    // Independent recomputation with node:crypto only.
    const md5 = (s: string) => createHash('md5').update(s).digest('hex');
    expect(creds!.response).toBe(md5(`${v.ha1}:${v.nonce}:${v.ha2}`));
  });
});
