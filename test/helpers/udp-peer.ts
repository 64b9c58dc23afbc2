/**
 * A raw SIP peer on a loopback UDP socket, for wire tests that must see exactly what geored sends (every
 * Via, the Request-URI) and send what no well-behaved stack would. Messages are parsed with geored's own
 * parser only to read them; what is sent is the text given.
 */
import { createSocket, type Socket } from 'node:dgram';
import { parseMessage, type SipMessage, type SipRequest, type SipResponse } from '../../src/sip/message';

export interface UdpPeer {
  readonly port: number;
  /** Every message received, in order. */
  readonly received: SipMessage[];
  send(text: string, port: number): void;
  /** The next message received (or already waiting) that `match` accepts; throws after `timeoutMs`. */
  next<T extends SipMessage = SipMessage>(match: (m: SipMessage) => boolean, timeoutMs?: number): Promise<T>;
  close(): void;
}

const peers: UdpPeer[] = [];

export async function udpPeer(): Promise<UdpPeer> {
  const socket: Socket = createSocket('udp4');
  const received: SipMessage[] = [];
  const taken = new Set<SipMessage>();
  const waiters = new Set<() => void>();
  socket.on('message', (buf) => {
    try {
      received.push(parseMessage(buf, { datagram: true }));
    } catch {
      return; // keepalives and the like
    }
    for (const w of [...waiters]) w();
  });
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  const port = socket.address().port;
  const peer: UdpPeer = {
    port,
    received,
    send: (text, to) => socket.send(Buffer.from(text.replace(/\r?\n/g, '\r\n')), to, '127.0.0.1'),
    next: <T extends SipMessage>(match: (m: SipMessage) => boolean, timeoutMs = 10_000) =>
      new Promise<T>((resolve, reject) => {
        const look = (): boolean => {
          const m = received.find((x) => !taken.has(x) && match(x));
          if (!m) return false;
          taken.add(m);
          waiters.delete(check);
          clearTimeout(timer);
          resolve(m as T);
          return true;
        };
        const check = (): void => void look();
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`udp peer ${port}: no matching message within ${timeoutMs} ms`));
        }, timeoutMs);
        if (!look()) waiters.add(check);
      }),
    close: () => socket.close(),
  };
  peers.push(peer);
  return peer;
}

export function closeAllPeers(): void {
  for (const p of peers.splice(0)) p.close();
}

export const isRequestFor =
  (method: string) =>
  (m: SipMessage): boolean =>
    'method' in m && (m as SipRequest).method === method;

export const isResponseTo =
  (method: string, status?: number) =>
  (m: SipMessage): boolean =>
    'status' in m &&
    (m as SipResponse).cseq.method === method &&
    (status === undefined || (m as SipResponse).status === status);

/** The Via header values of a message, top first (comma lists split). */
export function viaValues(m: SipMessage): string[] {
  return m.vias.map((v) => `${v.transport} ${v.host}:${v.port ?? ''};branch=${v.params['branch'] ?? ''}`);
}

/** A SIP message's text: the lines given, then Content-Length and the body. */
export function msg(lines: readonly string[], body = ''): string {
  return [...lines, `Content-Length: ${Buffer.byteLength(body)}`, '', body].join('\r\n');
}

/** A response to `req` as a UAS builds it: every Via, From, Call-ID, CSeq copied; To with our tag. */
export function answer(
  req: SipRequest,
  status: number,
  reason: string,
  tag: string,
  extra: string[] = [],
): string {
  return msg([
    `SIP/2.0 ${status} ${reason}`,
    ...req.headers.getAll('Via').map((v) => `Via: ${v}`),
    ...req.headers.getAll('Record-Route').map((v) => `Record-Route: ${v}`),
    `From: ${req.headers.get('From')}`,
    `To: ${req.headers.get('To')}${req.toTag ? '' : `;tag=${tag}`}`,
    `Call-ID: ${req.callId}`,
    `CSeq: ${req.headers.get('CSeq')}`,
    ...extra,
  ]);
}
