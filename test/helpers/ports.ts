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

/** A port that is free for both UDP and TCP on `address` at the time of the call. */
export async function freePort(address: Loopback = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const tcp = await bindTcp(address, 0);
    if (!tcp) continue;
    const udp = await bindUdp(address, tcp.port);
    await tcp.close();
    if (udp) {
      await udp.close();
      return tcp.port;
    }
  }
  throw new Error(`no port free for both UDP and TCP on ${address} after 50 attempts`);
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
