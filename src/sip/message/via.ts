import { GEN_VALUE as GEN_VALUE_TABLE, HOSTNAME as HOSTNAME_TABLE, TOKEN as TOKEN_TABLE } from './charset';
import { excerpt } from './errors';
import { emptyParams, formatParams, type Params } from './params';
import { COMMON_PARAM, Scanner } from './scanner';
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
  const fast = simpleVia(value);
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
  return { protocol, version, transport, host, port, params };
}

/**
 * The common Via, one element written with no optional white space and no quoted or IPv6 parts
 * (`SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK..;rport`), read in one pass. Returns undefined as soon
 * as anything else shows up, and parseVia then reads the value with the full grammar (and its errors);
 * where both accept a value they give the same Via.
 */
function simpleVia(v: string): Via | undefined {
  const n = v.length;
  let i = tokenEnd(v, 0);
  if (i === 0 || v.charCodeAt(i) !== 47 /* / */) return undefined;
  const protocol = i === 3 && v.startsWith('SIP') ? 'SIP' : v.slice(0, i);
  let j = tokenEnd(v, i + 1);
  if (j === i + 1 || v.charCodeAt(j) !== 47) return undefined;
  const version = j - i === 4 && v.startsWith('2.0', i + 1) ? '2.0' : v.slice(i + 1, j);
  i = tokenEnd(v, j + 1);
  if (i === j + 1 || v.charCodeAt(i) !== 32) return undefined;
  const transport = v.slice(j + 1, i);
  j = ++i;
  while (j < n) {
    const c = v.charCodeAt(j);
    if (c >= 128 || HOSTNAME[c] !== 1) break;
    j++;
  }
  if (j === i) return undefined;
  const host = v.slice(i, j);
  if (!isHostname(host)) return undefined;
  let port: number | null = null;
  if (v.charCodeAt(j) === 58 /* : */) {
    let p = 0;
    i = ++j;
    while (j < n && j - i < 6) {
      const c = v.charCodeAt(j);
      if (c < 48 || c > 57) break;
      p = p * 10 + c - 48;
      j++;
    }
    if (j === i || j - i > 5 || p > 65535) return undefined;
    port = p;
  }
  const params = emptyParams();
  while (j < n) {
    if (v.charCodeAt(j) !== 59 /* ; */) return undefined;
    i = j + 1;
    j = tokenEnd(v, i);
    if (j === i) return undefined;
    const name = COMMON_PARAM(v, i, j) ?? v.slice(i, j).toLowerCase();
    if (v.charCodeAt(j) === 61 /* = */) {
      i = ++j;
      while (j < n) {
        const c = v.charCodeAt(j);
        if (c >= 128 || GEN_VALUE[c] !== 1) break;
        j++;
      }
      if (j === i) return undefined;
      params[name] = v.slice(i, j);
    } else params[name] = null;
  }
  return { protocol, version, transport, host, port, params };
}

function tokenEnd(v: string, i: number): number {
  while (i < v.length) {
    const c = v.charCodeAt(i);
    if (c >= 128 || TOKEN[c] !== 1) break;
    i++;
  }
  return i;
}

export function formatVia(v: Via): string {
  const port = v.port === null ? '' : `:${v.port}`;
  return `${v.protocol}/${v.version}/${v.transport} ${formatHost(v.host)}${port}${formatParams(v.params)}`;
}
