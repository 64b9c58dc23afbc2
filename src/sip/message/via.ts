import { excerpt } from './errors';
import { emptyParams, formatParams, type Params } from './params';
import { Scanner } from './scanner';
import { formatHost, parsePort, scanHost } from './uri';

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

export function formatVia(v: Via): string {
  const port = v.port === null ? '' : `:${v.port}`;
  return `${v.protocol}/${v.version}/${v.transport} ${formatHost(v.host)}${port}${formatParams(v.params)}`;
}
