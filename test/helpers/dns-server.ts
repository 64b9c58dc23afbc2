/** A real DNS server on loopback for tests: answers A, AAAA, SRV and NAPTR from a zone given as data. */
import dgram from 'node:dgram';
import { Resolver } from 'node:dns/promises';
import dnsPacket from 'dns-packet';

export type ZoneRecord =
  | { type: 'A' | 'AAAA'; name: string; data: string }
  | { type: 'SRV'; name: string; data: { priority: number; weight: number; port: number; target: string } }
  | {
      type: 'NAPTR';
      name: string;
      data: {
        order: number;
        preference: number;
        flags: string;
        services: string;
        regexp: string;
        replacement: string;
      };
    };

export interface TestDnsServer {
  readonly port: number;
  readonly queries: string[];
  resolver(): Resolver;
  close(): Promise<void>;
}

export async function startDnsServer(zone: ZoneRecord[]): Promise<TestDnsServer> {
  const socket = dgram.createSocket('udp4');
  const queries: string[] = [];
  socket.on('message', (msg, rinfo) => {
    const q = dnsPacket.decode(msg);
    const question = q.questions?.[0];
    if (!question) return;
    queries.push(`${question.type} ${question.name}`);
    const answers = zone.filter(
      (r) => r.type === question.type && r.name.toLowerCase() === question.name.toLowerCase(),
    );
    const nameExists = zone.some((r) => r.name.toLowerCase() === question.name.toLowerCase());
    const reply = dnsPacket.encode({
      type: 'response',
      id: q.id,
      flags: dnsPacket.AUTHORITATIVE_ANSWER | (nameExists ? 0 : 3), // rcode 3: NXDOMAIN
      questions: q.questions,
      answers: answers.map((r) => ({ ...r, ttl: 60, class: 'IN' }) as dnsPacket.Answer),
    });
    socket.send(reply, rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const port = socket.address().port;
  return {
    port,
    queries,
    resolver() {
      const r = new Resolver({ timeout: 2000, tries: 2 });
      r.setServers([`127.0.0.1:${port}`]);
      return r;
    },
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
}
