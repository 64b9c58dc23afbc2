import {
  codesOf,
  GEN_VALUE as GEN_VALUE_TABLE,
  HOSTNAME as HOSTNAME_TABLE,
  TOKEN as TOKEN_TABLE,
} from './charset';
import { excerpt } from './errors';
import { emptyParams, formatParams, type Params } from './params';
import { matcher } from './intern';
import { COMMON_PARAM, Scanner } from './scanner';
import { isIPv4, isIPv6 } from 'node:net';
import { formatHost, isHostname, parsePort, scanHost } from './uri';

// Local aliases: a hot loop reading an imported binding pays for a module-namespace lookup.
const GEN_VALUE = GEN_VALUE_TABLE;
const HOSTNAME = HOSTNAME_TABLE;
const TOKEN = TOKEN_TABLE;

/**
 * One Via element (RFC 3261 §20.42): `SIP/2.0/UDP host:port;branch=...`. `host` holds an IPv6 address
 * without brackets. `params` holds branch, received, rport (null when it is a flag), maddr, ttl and any
 * extension, values as written.
 */
export interface Via {
  protocol: string;
  version: string;
  transport: string;
  host: string;
  port: number | null;
  params: Params;
}

/** Parses a Via header value (one or more comma-separated elements). */
export function parseVia(value: string): Via[] {
  const fast = simpleVia(codesOf(value), value, 0, value.length);
  if (fast !== undefined) return [fast];
  const sc = new Scanner(value, 'Via');
  const out: Via[] = [];
  sc.ws();
  if (sc.done) throw sc.fail('empty value');
  for (;;) {
    out.push(viaElement(sc));
    if (sc.endOfElement(true)) return out;
  }
}

function viaElement(sc: Scanner): Via {
  // sent-protocol = protocol-name SLASH protocol-version SLASH transport, SLASH = SWS "/" SWS
  const protocol = sc.token('the protocol name');
  sc.expect(47, '"/"');
  const version = sc.token('the protocol version');
  sc.expect(47, '"/"');
  const transport = sc.token('the transport');
  if (!sc.ws()) throw sc.fail('expected white space before sent-by');
  const scanned = scanHost(sc.s, sc.pos);
  if (typeof scanned === 'string') throw sc.fail(`sent-by: ${scanned}`);
  const host = scanned.host;
  sc.pos = scanned.end;
  let port: number | null = null;
  if (sc.sep(58 /* : */)) {
    const start = sc.pos;
    while (sc.pos < sc.s.length && sc.peek() >= 48 && sc.peek() <= 57) sc.pos++;
    port = parsePort(sc.s.slice(start, sc.pos), () =>
      sc.fail(`invalid port ${excerpt(sc.s.slice(start), 10)}`),
    );
  }
  const params = sc.params(emptyParams());
  const problem = viaParamProblem(params);
  if (problem !== undefined) throw sc.fail(problem);
  return { protocol, version, transport, host, port, params };
}

/**
 * What is wrong with the values of the Via parameters RFC 3261 §25.1 and RFC 3581 §3 give a grammar, or
 * undefined when they are right (or absent). The next-hop code reads them as an address and a port:
 *   via-ttl      = "ttl" EQUAL ttl            ttl = 1*3DIGIT ; 0 to 255
 *   via-maddr    = "maddr" EQUAL host
 *   via-received = "received" EQUAL (IPv4address / IPv6address)
 *   response-port = "rport" [EQUAL 1*DIGIT]   (a port: 1 to 65535)
 * An IPv6 `received` is also taken in brackets, as some stacks write it (RFC 5118 §4.5 examples).
 */
export function viaParamProblem(params: Params): string | undefined {
  const received = params['received'];
  if (received !== undefined) {
    if (received === null) return 'received without a value';
    const addr = received.charCodeAt(0) === 91 && received.endsWith(']') ? received.slice(1, -1) : received;
    if (!isIPv4(addr) && !isIPv6(addr)) return `received=${excerpt(received, 48)} is not an IP address`;
  }
  const rport = params['rport'];
  if (rport !== undefined && rport !== null && !isPort(rport)) {
    return `rport=${excerpt(rport, 24)} is not a port (1 to 65535)`;
  }
  const ttl = params['ttl'];
  if (ttl !== undefined && (ttl === null || !/^\d{1,3}$/.test(ttl) || Number(ttl) > 255)) {
    return `ttl=${excerpt(ttl ?? '', 24)} is not a TTL (0 to 255)`;
  }
  const maddr = params['maddr'];
  if (maddr !== undefined) {
    if (maddr === null) return 'maddr without a value';
    const scanned = scanHost(maddr, 0);
    if (typeof scanned === 'string' || scanned.end !== maddr.length) {
      return `maddr=${excerpt(maddr, 48)} is not a host`;
    }
  }
  return undefined;
}

function isPort(digits: string): boolean {
  if (digits.length === 0 || digits.length > 5) return false;
  for (let i = 0; i < digits.length; i++) {
    const c = digits.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  const n = Number(digits);
  return n >= 1 && n <= 65535;
}

/**
 * The common Via in s[from, n), one element written with no optional white space and no quoted or IPv6
 * parts (`SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK..;rport`), read in one pass over its character
 * codes `b` (b[k] is s's code at k, clamped to 255). Returns undefined as soon as anything else shows
 * up, and parseVia then reads the value with the full grammar (and its errors); where both accept a
 * value they give the same Via.
 */
export function simpleVia(b: Uint8Array, s: string, from: number, n: number): Via | undefined {
  let i = tokenEnd(b, from, n);
  if (i === from || i >= n || b[i] !== 47 /* / */) return undefined;
  const protocol =
    i - from === 3 && b[from] === 83 && b[from + 1] === 73 && b[from + 2] === 80 ? 'SIP' : s.slice(from, i);
  let j = tokenEnd(b, i + 1, n);
  if (j === i + 1 || j >= n || b[j] !== 47) return undefined;
  const version =
    j - i === 4 && b[i + 1] === 50 && b[i + 2] === 46 && b[i + 3] === 48 ? '2.0' : s.slice(i + 1, j);
  i = tokenEnd(b, j + 1, n);
  if (i === j + 1 || i >= n || b[i] !== 32) return undefined;
  const transport = TRANSPORT(s, j + 1, i) ?? s.slice(j + 1, i);
  j = ++i;
  while (j < n) {
    const c = b[j] as number;
    if (c >= 128 || HOSTNAME[c] !== 1) break;
    j++;
  }
  if (j === i) return undefined;
  const host = s.slice(i, j);
  if (!isHostname(host)) return undefined;
  let port: number | null = null;
  if (j < n && b[j] === 58 /* : */) {
    let p = 0;
    i = ++j;
    while (j < n && j - i < 6) {
      const c = b[j] as number;
      if (c < 48 || c > 57) break;
      p = p * 10 + c - 48;
      j++;
    }
    if (j === i || j - i > 5 || p > 65535) return undefined;
    port = p;
  }
  const params = emptyParams();
  while (j < n) {
    if (b[j] !== 59 /* ; */) return undefined;
    i = j + 1;
    j = tokenEnd(b, i, n);
    if (j === i) return undefined;
    const name = COMMON_PARAM(s, i, j) ?? s.slice(i, j).toLowerCase();
    if (j < n && b[j] === 61 /* = */) {
      i = ++j;
      while (j < n) {
        const c = b[j] as number;
        if (c >= 128 || GEN_VALUE[c] !== 1) break;
        j++;
      }
      if (j === i) return undefined;
      params[name] = s.slice(i, j);
    } else params[name] = null;
  }
  // A value the grammar refuses goes to parseVia's full reading, which names the problem.
  if (
    (params['received'] !== undefined ||
      params['rport'] ||
      params['ttl'] !== undefined ||
      params['maddr'] !== undefined) &&
    viaParamProblem(params) !== undefined
  )
    return undefined;
  return { protocol, version, transport, host, port, params };
}

const TRANSPORT = matcher(['UDP', 'TCP', 'TLS', 'SCTP', 'WS', 'WSS']);

function tokenEnd(b: Uint8Array, i: number, n: number): number {
  while (i < n) {
    const c = b[i] as number;
    if (c >= 128 || TOKEN[c] !== 1) break;
    i++;
  }
  return i;
}

export function formatVia(v: Via): string {
  const port = v.port === null ? '' : `:${v.port}`;
  return `${v.protocol}/${v.version}/${v.transport} ${formatHost(v.host)}${port}${formatParams(v.params)}`;
}
