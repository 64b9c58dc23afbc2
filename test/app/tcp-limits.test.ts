/**
 * TCP exhaustion against the real `geored serve` (issue 7): one source holding connections is cut at its
 * per-source limit and its slow senders are closed by the header timeout, both counted in
 * geored_tcp_connections_refused_total, while another source still gets its OPTIONS answered over TCP.
 */
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { get, metricSum, startGeored, stopEverything, until } from './harness';

const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await stopEverything();
});

function open(port: number, localAddress: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ port, host: '127.0.0.1', localAddress }, () => resolve(s));
    s.once('error', reject);
    s.on('error', () => undefined);
    sockets.push(s);
  });
}

describe('TCP limits in geored serve', () => {
  it('cuts one source at its limit and its slow senders at the header timeout; others still get through', async () => {
    const geored = await startGeored(
      ['    regions: []'],
      ['security:', '  tcp: { max_connections_per_source: 5, header_timeout: 1 }'],
    );
    const port = geored.sipPort;
    const attacker: Socket[] = [];
    for (let i = 0; i < 8; i++) attacker.push(await open(port, '127.0.0.2'));
    // Each held connection starts a message and never finishes it.
    for (const s of attacker)
      if (!s.destroyed) s.write('OPTIONS sip:x SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.2');
    const metric = async (reason: string) =>
      metricSum(await get<string>(geored, '/metrics'), 'geored_tcp_connections_refused_total', {
        protocol: 'tcp',
        reason,
      });
    await until(async () => (await metric('per_source')) === 3, 'three connections refused per source');
    await until(async () => (await metric('message_timeout')) === 5, 'five slow senders cut');

    const pbx = await open(port, '127.0.0.1');
    const answer = new Promise<string>((r) => pbx.once('data', (d) => r(d.toString())));
    pbx.write(
      [
        `OPTIONS sip:127.0.0.1:${port};transport=tcp SIP/2.0`,
        `Via: SIP/2.0/TCP 127.0.0.1:${pbx.localPort};branch=z9hG4bK-tcp-ok`,
        'From: <sip:pbx@127.0.0.1>;tag=t1',
        `To: <sip:127.0.0.1:${port}>`,
        'Call-ID: tcp-ok',
        'CSeq: 1 OPTIONS',
        'Max-Forwards: 70',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n'),
    );
    expect((await answer).split('\r\n')[0]).toBe('SIP/2.0 200 OK');
  }, 60_000);
});
