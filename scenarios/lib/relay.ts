/**
 * A seeded UDP relay between geored and one region, standing in for `tc netem` (not available in this
 * kernel): geored is configured with the relay's port as the region's sip_server; the relay forwards each
 * datagram to the region from a socket of its own per geored source address, and the region's answers back,
 * so both sides see only each other's addresses they expect. Faults apply per direction and can change at
 * any moment: loss (a seeded PRNG decides, so a run's drop pattern is reproducible), delay, and blackhole.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { freePort } from '../../test/helpers/ports';

export interface LinkFault {
  /** Probability that a datagram geored → region is dropped (0..1). */
  readonly lossToRegion: number;
  /** Probability that a datagram region → geored is dropped (0..1). */
  readonly lossFromRegion: number;
  readonly delayToRegionMs: number;
  /** The region's answers held this long ("a slow region"). */
  readonly delayFromRegionMs: number;
  /** Nothing passes either way. */
  readonly blackhole: boolean;
}

export const CLEAN_LINK: LinkFault = {
  lossToRegion: 0,
  lossFromRegion: 0,
  delayToRegionMs: 0,
  delayFromRegionMs: 0,
  blackhole: false,
};

export interface RelayStats {
  forwarded: number;
  dropped: number;
}

/** mulberry32: a small, well-distributed seeded PRNG (the drop pattern of a seed is the same every run). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class UdpRelay {
  private fault: LinkFault = CLEAN_LINK;
  private readonly upstreams = new Map<string, Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Call-ID → the port its INVITE went to (bounded by the scenario's call count). */
  private readonly dialogs = new Map<string, number>();
  readonly stats: RelayStats = { forwarded: 0, dropped: 0 };
  private closed = false;

  private constructor(
    private readonly front: Socket,
    readonly port: number,
    private target: number,
    private readonly random: () => number,
  ) {
    front.on('message', (msg, from) => this.fromGeored(msg, from));
    front.on('error', () => undefined);
  }

  /** A relay on a free loopback port forwarding to 127.0.0.1:`target`. */
  static async start(target: number, seed: number): Promise<UdpRelay> {
    const port = await freePort();
    const front = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      front.once('error', reject);
      front.bind(port, '127.0.0.1', () => resolve());
    });
    return new UdpRelay(front, port, target, seededRandom(seed));
  }

  /** Replaces the fault in force (fields not given are clean). */
  set(fault: Partial<LinkFault>): void {
    this.fault = { ...CLEAN_LINK, ...fault };
  }

  /**
   * Sends new calls and out-of-dialog requests to another port from now on (e.g. a 503-answering copy of
   * the region); every message of a call that began before keeps going where the call began, so its BYE
   * reaches the UAS that knows it.
   */
  retarget(port: number): void {
    this.target = port;
  }

  private targetOf(msg: Buffer): number {
    const head = msg.subarray(0, Math.min(msg.length, 2048)).toString('latin1');
    const callId = /^(?:call-id|i)[ \t]*:[ \t]*(\S+)/im.exec(head)?.[1];
    if (!callId) return this.target;
    const known = this.dialogs.get(callId);
    if (known !== undefined) return known;
    if (head.startsWith('INVITE ')) this.dialogs.set(callId, this.target);
    return this.target;
  }

  private pass(loss: number): boolean {
    if (this.fault.blackhole || (loss > 0 && this.random() < loss)) {
      this.stats.dropped++;
      return false;
    }
    this.stats.forwarded++;
    return true;
  }

  private later(delayMs: number, send: () => void): void {
    if (delayMs <= 0) return send();
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.closed) send();
    }, delayMs);
    this.timers.add(t);
  }

  private fromGeored(msg: Buffer, from: RemoteInfo): void {
    if (!this.pass(this.fault.lossToRegion)) return;
    const up = this.upstream(from);
    const target = this.targetOf(msg);
    this.later(this.fault.delayToRegionMs, () => up.send(msg, target, '127.0.0.1'));
  }

  /**
   * The region's own address in its header section (its Contact) becomes the relay's, so the dialog's
   * later requests (ACK, re-INVITE, BYE) come through the relay as well: a region is one address, and a
   * fault on its link is a fault on its dialogs too. The body (SDP) is left alone, so Content-Length holds.
   */
  private ownContact(msg: Buffer, regionPort: number): Buffer {
    const text = msg.toString('latin1');
    const end = text.indexOf('\r\n\r\n');
    const head = end < 0 ? text : text.slice(0, end);
    const own = `127.0.0.1:${regionPort}`;
    if (!head.includes(own)) return msg;
    return Buffer.from(
      head.split(own).join(`127.0.0.1:${this.port}`) + (end < 0 ? '' : text.slice(end)),
      'latin1',
    );
  }

  private upstream(client: RemoteInfo): Socket {
    const key = `${client.address}:${client.port}`;
    let up = this.upstreams.get(key);
    if (up) return up;
    up = createSocket('udp4');
    up.bind(0, '127.0.0.1');
    // ICMP unreachable from a stopped region must not crash the relay.
    up.on('error', () => undefined);
    up.on('message', (msg, from) => {
      if (!this.pass(this.fault.lossFromRegion)) return;
      const out = this.ownContact(msg, from.port);
      this.later(this.fault.delayFromRegionMs, () => this.front.send(out, client.port, client.address));
    });
    this.upstreams.set(key, up);
    return up;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    for (const s of this.upstreams.values()) s.close();
    await new Promise<void>((resolve) => this.front.close(() => resolve()));
  }
}
