/**
 * Latency added by a proxy as seen on the wire: tcpdump captures the UDP datagrams to and from the proxy's
 * port on loopback, and each message leaving the proxy is paired with the one that made it (same Call-ID,
 * same kind: INVITE, the 200 to INVITE, ACK, BYE, the 200 to BYE). The figure runs from the datagram's
 * capture on its way in (its arrival at the proxy's socket) to the capture of the proxy's datagram on its way
 * out: parsing, queueing in the socket buffer and the event loop included. Timestamps are the kernel's, in µs.
 */
import { readFileSync } from 'node:fs';
import { startChild, sleep, type Child } from './processes';

export interface Datagram {
  readonly tUs: number; // capture time, µs since the epoch
  readonly srcPort: number;
  readonly dstPort: number;
  readonly payload: string;
}

/** The UDP/IPv4 datagrams of a pcap file (link types Ethernet, Linux cooked v1/v2, BSD loopback). */
export function readPcap(path: string): Datagram[] {
  const buf = readFileSync(path);
  if (buf.length < 24) return [];
  const magic = buf.readUInt32LE(0);
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  const nano = magic === 0xa1b23c4d || magic === 0x4d3cb2a1;
  const u32 = (o: number): number => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const link = u32(20);
  const linkLen = link === 1 ? 14 : link === 113 ? 16 : link === 276 ? 20 : link === 0 ? 4 : -1;
  if (linkLen < 0) throw new Error(`pcap link type ${link} not handled`);
  const out: Datagram[] = [];
  for (let o = 24; o + 16 <= buf.length;) {
    const sec = u32(o);
    const frac = u32(o + 4);
    const incl = u32(o + 8);
    const p = o + 16 + linkLen;
    o += 16 + incl;
    if (o > buf.length) break;
    if (buf[p]! >> 4 !== 4 || buf[p + 9] !== 17) continue; // IPv4, UDP only
    const ihl = (buf[p]! & 0x0f) * 4;
    const u = p + ihl;
    out.push({
      tUs: sec * 1e6 + (nano ? frac / 1000 : frac),
      srcPort: buf.readUInt16BE(u),
      dstPort: buf.readUInt16BE(u + 2),
      payload: buf.toString('latin1', u + 8, Math.min(o, u + 8 + 2000)),
    });
  }
  return out;
}

/** True when tcpdump can be run here (installed, and we may capture: root). */
export function tcpdumpAvailable(): boolean {
  try {
    readFileSync('/usr/bin/tcpdump');
    return process.getuid?.() === 0;
  } catch {
    return false;
  }
}

/** tcpdump on loopback writing `file`, filtered to UDP port `port`; resolves once it is capturing. */
export async function startCapture(port: number, file: string): Promise<Child> {
  const child = startChild('tcpdump', 'tcpdump', [
    '-i',
    'lo',
    '-nn',
    '-s',
    '0',
    '-U',
    '-B',
    '32768',
    '-w',
    file,
    'udp',
    'and',
    'port',
    String(port),
  ]);
  const end = Date.now() + 10_000;
  while (!child.output().includes('listening on') && !child.done()) {
    if (Date.now() > end) break;
    await sleep(20);
  }
  if (child.done() || !child.output().includes('listening on')) {
    await child.stop();
    throw new Error(`tcpdump did not start: ${child.output().slice(-300)}`);
  }
  return child;
}

type Kind = 'INVITE' | '200 INVITE' | 'ACK' | 'BYE' | '200 BYE';
export const KINDS: readonly Kind[] = ['INVITE', '200 INVITE', 'ACK', 'BYE', '200 BYE'];

function kindOf(payload: string): Kind | null {
  const cseq = /\r\n(?:CSeq|cseq):\s*\d+\s+(\w+)/i.exec(payload)?.[1]?.toUpperCase();
  if (payload.startsWith('SIP/2.0 200')) {
    if (cseq === 'INVITE') return '200 INVITE';
    if (cseq === 'BYE') return '200 BYE';
    return null;
  }
  const method = payload.slice(0, payload.indexOf(' '));
  return method === 'INVITE' || method === 'ACK' || method === 'BYE' ? method : null;
}

function callIdOf(payload: string): string | null {
  return /\r\n(?:Call-ID|i):\s*([^\r\n]+)/i.exec(payload)?.[1]?.trim() ?? null;
}

/**
 * Per kind of message, the µs from its first arrival at `proxyPort` to the proxy's first datagram of the same
 * kind and Call-ID (a retransmission is not a new arrival: only the first copy in and out counts).
 */
export function addedLatencies(datagrams: readonly Datagram[], proxyPort: number): Map<Kind, number[]> {
  const firstIn = new Map<string, number>();
  const firstOut = new Map<string, number>();
  for (const d of datagrams) {
    const kind = kindOf(d.payload);
    const callId = kind && callIdOf(d.payload);
    if (!kind || !callId) continue;
    const key = `${kind}\n${callId}`;
    const map = d.dstPort === proxyPort ? firstIn : d.srcPort === proxyPort ? firstOut : null;
    if (map && !map.has(key)) map.set(key, d.tUs);
  }
  const out = new Map<Kind, number[]>(KINDS.map((k) => [k, []]));
  for (const [key, tIn] of firstIn) {
    const tOut = firstOut.get(key);
    if (tOut === undefined || tOut < tIn) continue;
    out.get(key.slice(0, key.indexOf('\n')) as Kind)!.push(tOut - tIn);
  }
  return out;
}
