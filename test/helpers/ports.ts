/**
 * Free ports for test peers (sipp cannot bind port 0 and report it). A port is free when both a UDP and a
 * TCP socket could bind it; both are released before returning, so a peer started right after gets it.
 */
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

/** 127.0.0.2 plays a second host (a PBX beside an attacker on 127.0.0.1). */
export type Loopback = '127.0.0.1' | '127.0.0.2' | '::1';

function bindTcp(
  address: string,
  port: number,
): Promise<{ port: number; close: () => Promise<void> } | null> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(null));
    server.listen({ port, host: address, ipv6Only: address.includes(':') }, () => {
      const bound = server.address();
      resolve({
        port: typeof bound === 'object' && bound ? bound.port : port,
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}

function bindUdp(
  address: string,
  port: number,
): Promise<{ port: number; close: () => Promise<void> } | null> {
  return new Promise((resolve) => {
    const socket = createSocket(address.includes(':') ? 'udp6' : 'udp4');
    socket.once('error', () => resolve(null));
    socket.bind(port, address, () =>
      resolve({
        port: socket.address().port,
        close: () => new Promise((done) => socket.close(() => done())),
      }),
    );
  });
}

/**
 * Ports come from below the kernel's ephemeral range (net.ipv4.ip_local_port_range, 32768–60999 here), in a
 * band of this test worker's own: a port the kernel gave us for bind(0) and we released could be handed to
 * the next bind(0) or connect() of another worker before our peer bound it (EADDRINUSE, seen under load).
 * The kernel never hands these out itself, and the workers' bands do not overlap; a peer's own random port
 * (baresip's media, with no rtp_ports set) can still land in one, which the bind checks below catch. Within
 * a band the ports are taken in turn from a random start, so a port is not reused until the band has gone
 * round.
 */
const BAND_BASE = 21000;
const BAND_SIZE = 2700;
const BANDS = 4;
const band = (((Number(process.env.VITEST_POOL_ID) || process.pid) % BANDS) + BANDS) % BANDS;
let cursor = Math.floor(Math.random() * BAND_SIZE);
function nextCandidate(): number {
  cursor = (cursor + 1) % BAND_SIZE;
  return BAND_BASE + band * BAND_SIZE + cursor;
}

/** A port that is free for both UDP and TCP on `address` at the time of the call. */
export async function freePort(address: Loopback = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const tcp = await bindTcp(address, nextCandidate());
    if (!tcp) continue;
    const udp = await bindUdp(address, tcp.port);
    await tcp.close();
    if (udp) {
      await udp.close();
      return tcp.port;
    }
  }
  throw new Error(`no port free for both UDP and TCP on ${address} after 200 attempts`);
}

/**
 * A port p with p and p + 1 both free for UDP and TCP, for peers that bind the next port too (baresip puts
 * its SIP/TLS listener on sip_listen's port + 1).
 */
export async function freePortPair(address: Loopback = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await freePort(address);
    const tcp = await bindTcp(address, port + 1);
    const udp = tcp ? await bindUdp(address, port + 1) : null;
    await tcp?.close();
    await udp?.close();
    if (tcp && udp) return port;
  }
  throw new Error(`no two neighbouring ports free for UDP and TCP on ${address} after 50 attempts`);
}

/** A TCP port with nothing listening (a "closed port" target): bound once, then released. */
export async function closedTcpPort(address: Loopback = '127.0.0.1'): Promise<number> {
  return freePort(address);
}
