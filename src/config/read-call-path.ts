/** The `proxy` and `pbx` blocks: how calls are relayed and who the PBX is. */
import { parseListen } from './addresses';
import { DEFAULT_PBX, DEFAULT_PROXY } from './defaults';
import { integerAtLeast } from './durations';
import { readSecret } from './read-secret';
import type { PbxConfig, ProxyConfig } from './types';
import type { Cursor, Reader } from './yaml-reader';
import { DIGEST_ALGORITHMS, type DigestAlgorithm } from '../sip/auth/algorithms';

/**
 * MD5 alone by default: it is what PBXs in the field answer. Several challenges (SHA-256 first, RFC 8760)
 * only where configured, for clients that pick the one they know: baresip 1.0 and others fail outright
 * ("Function not implemented") when a SHA-256 challenge is among those offered, in either order.
 */
const DEFAULT_PBX_ALGORITHMS: readonly DigestAlgorithm[] = ['MD5'];

/** RFC 3261 §25.1 token: what a header name may be. */
const TOKEN = /^[A-Za-z0-9\-.!%*_+`'~]+$/;

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

function readHeaderName(r: Reader, c: Cursor): string | undefined {
  const expected = 'a SIP header name (a token, e.g. X-Called-DID)';
  const name = r.string(c, expected);
  if (name === undefined) return undefined;
  if (!TOKEN.test(name.trim())) {
    r.wrong(c, expected);
    return undefined;
  }
  return name.trim();
}

export function readProxy(r: Reader, c: Cursor): ProxyConfig {
  const d = DEFAULT_PROXY;
  const f = r.map(c, [
    'provisional_timeout_ms',
    'failover_codes',
    'failover_6xx',
    'record_route',
    'max_forwards',
    'timer_c_ms',
    'did_header',
    'history_info',
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
    timer_c_ms:
      r.number(f.get('timer_c_ms'), {
        ...integerAtLeast(1),
        expected: 'milliseconds, an integer > 0 (RFC 3261 asks for more than 180000)',
      }) ?? d.timer_c_ms,
    did_header: readHeaderName(r, f.get('did_header')) ?? d.did_header,
    history_info: r.boolean(f.get('history_info')) ?? d.history_info,
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
