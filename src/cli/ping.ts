/**
 * `geored ping URI`: SIP OPTIONS probes, one transaction each, with per-probe status and round-trip time,
 * then a summary. Exit 0 when every probe got a final response, 1 when any did not, 2 on usage errors.
 */
import { parseArgs } from 'node:util';
import { GeoredError } from '../errors/catalogue';
import { buildRequest, resolveTarget, sourceAddressFor, SipStack, type FinalResponse } from '../sip/stack';
import { hostPort } from '../sip/transport';
import type { Endpoint, TransportProtocol } from '../sip/transport/types';

export interface PingIO {
  out(line: string): void;
  err(line: string): void;
}

const USAGE = [
  'usage: geored ping URI [--count N] [--interval S] [--timeout S] [--transport udp|tcp|tls] [--ca FILE] [--insecure]',
  '',
  '  URI              sip: or sips: URI of the peer, e.g. sip:127.0.0.1:5060 or sip:proxy.example.com;transport=tcp',
  '  --count N        probes to send (default 4)',
  '  --interval S     seconds from one probe to the next (default 1)',
  '  --timeout S      seconds to wait for each final response (default 2)',
  '  --transport T    udp, tcp or tls (default: from the URI, else udp)',
  '  --ca FILE        PEM CA certificate(s) to verify a TLS peer with (default: the system store)',
  '  --insecure       do not verify the TLS peer certificate',
].join('\n');

interface PingOptions {
  readonly uri: string;
  readonly count: number;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly transport: TransportProtocol | undefined;
  readonly ca: string | undefined;
  readonly insecure: boolean;
}

class UsageError extends Error {}

function positiveNumber(
  name: string,
  value: string | undefined,
  fallback: number,
  allowZero: boolean,
): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || (!allowZero && n === 0)) {
    throw new UsageError(
      `--${name} must be a ${allowZero ? 'non-negative' : 'positive'} number, not '${value}'`,
    );
  }
  return n;
}

function parseOptions(args: string[]): PingOptions | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        count: { type: 'string', short: 'c' },
        interval: { type: 'string', short: 'i' },
        timeout: { type: 'string', short: 't' },
        transport: { type: 'string' },
        ca: { type: 'string' },
        insecure: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message.split('\n')[0] ?? 'bad option');
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  if (positionals.length !== 1)
    throw new UsageError(positionals.length === 0 ? 'a URI is required' : 'one URI only');
  const count = positiveNumber('count', values.count, 4, false);
  if (!Number.isInteger(count)) throw new UsageError(`--count must be a whole number, not '${values.count}'`);
  const transport = values.transport?.toLowerCase();
  if (transport !== undefined && transport !== 'udp' && transport !== 'tcp' && transport !== 'tls') {
    throw new UsageError(`--transport must be udp, tcp or tls, not '${values.transport}'`);
  }
  return {
    uri: positionals[0] as string,
    count,
    intervalMs: positiveNumber('interval', values.interval, 1, true) * 1000,
    timeoutMs: positiveNumber('timeout', values.timeout, 2, false) * 1000,
    transport,
    ca: values.ca,
    insecure: values.insecure ?? false,
  };
}

const ms = (n: number) => n.toFixed(2);
const delay = (t: number) => new Promise((r) => setTimeout(r, t));

function describeFailure(res: FinalResponse, timeoutMs: number): string {
  if (res.cause) return `failed: ${res.cause.message}`;
  if (res.status === 408) return `timeout: no response within ${timeoutMs / 1000} s`;
  return `failed: ${res.status} ${res.reason}`;
}

export async function run(args: string[], io: PingIO): Promise<number> {
  let opts: PingOptions | 'help';
  try {
    opts = parseOptions(args);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.err(`geored ping: ${err.message}\n\n${USAGE}`);
    return 2;
  }
  if (opts === 'help') {
    io.out(USAGE);
    return 0;
  }

  let dest: Endpoint;
  let stack: SipStack;
  try {
    dest = await resolveTarget(opts.uri, { transport: opts.transport });
    const local = await sourceAddressFor(dest.address);
    stack = await SipStack.create({
      // UDP is always there (Via sent-by, and any UDP probe); TCP listens too so the Via names a real port.
      listen: [
        { protocol: 'udp', address: local, port: 0 },
        ...(dest.protocol === 'tcp' ? [{ protocol: 'tcp' as const, address: local, port: 0 }] : []),
      ],
      tls: { ca: opts.ca, rejectUnauthorized: !opts.insecure },
    });
  } catch (err) {
    if (!(err instanceof GeoredError)) throw err;
    io.err(`geored ping: ${err.message}`);
    return err.code === 'TRANSPORT_BAD_TARGET' ? 2 : 1;
  }

  const self = stack.localEndpoint('udp', dest);
  const rtts: number[] = [];
  let answered = 0;
  try {
    io.out(
      `PING ${opts.uri} (${dest.protocol}:${hostPort(dest.address, dest.port)}): ${opts.count} OPTIONS probes`,
    );
    for (let seq = 1; seq <= opts.count; seq++) {
      const started = performance.now();
      const req = buildRequest({
        method: 'OPTIONS',
        uri: opts.uri,
        from: `sip:geored@${hostPort(self.address, self.port)}`,
        to: opts.uri,
        headers: [
          ['Accept', 'application/sdp'],
          ['User-Agent', 'geored-ping'],
        ],
      });
      const res = await stack.sendRequest(req, dest, { timeoutMs: opts.timeoutMs }).final;
      const rtt = performance.now() - started;
      if (res.synthetic) {
        io.out(`seq=${seq} ${describeFailure(res, opts.timeoutMs)}`);
      } else {
        answered++;
        rtts.push(rtt);
        io.out(`seq=${seq} ${res.status} ${res.reason} rtt=${ms(rtt)} ms`);
      }
      if (seq < opts.count) await delay(Math.max(0, opts.intervalMs - (performance.now() - started)));
    }
  } finally {
    await stack.close();
  }

  const loss = ((opts.count - answered) / opts.count) * 100;
  io.out(`--- ${opts.uri} ping statistics ---`);
  io.out(`${opts.count} sent, ${answered} answered, ${Number(loss.toFixed(1))}% loss`);
  if (rtts.length > 0) {
    const avg = rtts.reduce((a, b) => a + b, 0) / rtts.length;
    io.out(`rtt min/avg/max = ${ms(Math.min(...rtts))}/${ms(avg)}/${ms(Math.max(...rtts))} ms`);
  }
  return answered === opts.count ? 0 : 1;
}
