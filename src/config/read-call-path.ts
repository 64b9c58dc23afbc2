/** The `proxy` and `pbx` blocks: how calls are relayed and who the PBX is. */
import { parseListen } from './addresses';
import { DEFAULT_PBX, DEFAULT_PROXY } from './defaults';
import { integerAtLeast } from './durations';
import { readSecret } from './read-secret';
import type { PbxConfig, ProxyConfig } from './types';
import type { Cursor, Reader } from './yaml-reader';
import { DIGEST_ALGORITHMS, type DigestAlgorithm } from '../sip/auth/algorithms';

/** SHA-256 first as RFC 8760 prefers; MD5 still offered because many PBXs know nothing else. */
const DEFAULT_PBX_ALGORITHMS: readonly DigestAlgorithm[] = ['SHA-256', 'MD5'];

function readCodes(r: Reader, c: Cursor, expected: string, ok: (n: number) => boolean): number[] | undefined {
  const items = r.list(c, `a list of ${expected}`);
  if (items === undefined || c.node === undefined) return undefined;
  const out: number[] = [];
  for (const item of items) {
    const n = r.number(item, { expected, integer: true });
    if (n === undefined) {
      if (item.node === undefined) r.wrong(item, expected);
    } else if (!ok(n)) r.wrong(item, expected);
    else if (!out.includes(n)) out.push(n);
  }
  return out;
}

export function readProxy(r: Reader, c: Cursor): ProxyConfig {
  const d = DEFAULT_PROXY;
  const f = r.map(c, [
    'provisional_timeout_ms',
    'failover_codes',
    'failover_6xx',
    'record_route',
    'max_forwards',
  ]);
  if (!f) return d;
  return {
    provisional_timeout_ms:
      r.number(f.get('provisional_timeout_ms'), { expected: 'milliseconds > 0', above: 0 }) ??
      d.provisional_timeout_ms,
    // 401/407 are answered with the region's credentials, never treated as the region failing.
    failover_codes:
      readCodes(
        r,
        f.get('failover_codes'),
        'a SIP status from 400 to 599 other than 401 and 407',
        (n) => n >= 400 && n <= 599 && n !== 401 && n !== 407,
      ) ?? d.failover_codes,
    failover_6xx:
      readCodes(r, f.get('failover_6xx'), 'a SIP status from 600 to 699', (n) => n >= 600 && n <= 699) ??
      d.failover_6xx,
    record_route: r.boolean(f.get('record_route')) ?? d.record_route,
    max_forwards:
      r.number(f.get('max_forwards'), {
        ...integerAtLeast(1),
        max: 255,
        expected: 'an integer from 1 to 255',
      }) ?? d.max_forwards,
  };
}

export function readPbx(r: Reader, c: Cursor, env: NodeJS.ProcessEnv): PbxConfig {
  const f = r.map(c, ['address', 'credentials', 'allow_any_loopback']);
  if (!f) return DEFAULT_PBX;
  const addressExpected = 'a PBX address like udp:127.0.0.1:5070 or tcp:[::1]:5070';
  const addressText = r.string(f.get('address'), addressExpected);
  const parsed = addressText === undefined ? undefined : parseListen(addressText.trim());
  if (addressText !== undefined && (!parsed || parsed.port === 0)) r.wrong(f.get('address'), addressExpected);

  let credentials: PbxConfig['credentials'];
  const credF = r.map(f.get('credentials'), ['username', 'password', 'realm', 'algorithms']);
  if (credF && f.has('credentials')) {
    const username = r.require(credF.get('username'), 'a user name')
      ? r.string(credF.get('username'), 'a user name')
      : undefined;
    const password = r.require(credF.get('password'), 'env:VAR or file:PATH naming the password')
      ? readSecret(r, credF.get('password'), env)
      : undefined;
    const realm = r.string(credF.get('realm'), 'a realm') ?? 'geored';
    const algorithms = credF.has('algorithms')
      ? ((r.strings(credF.get('algorithms'), 'digest algorithms', (a) =>
          (DIGEST_ALGORITHMS as readonly string[]).includes(a)
            ? null
            : `one of ${DIGEST_ALGORITHMS.join(', ')}`,
        ) ?? []) as DigestAlgorithm[])
      : DEFAULT_PBX_ALGORITHMS;
    if (algorithms.length === 0) r.wrong(credF.get('algorithms'), 'at least one digest algorithm');
    if (username !== undefined && password !== undefined)
      credentials = { username, password, realm, algorithms };
  }
  return {
    ...(parsed && parsed.port !== 0 ? { address: parsed } : {}),
    ...(credentials ? { credentials } : {}),
    allow_any_loopback: r.boolean(f.get('allow_any_loopback')) ?? DEFAULT_PBX.allow_any_loopback,
  };
}
