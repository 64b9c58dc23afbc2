/**
 * `geored ping` as an operator runs it: the real CLI (node bin/geored.js) against real peers on loopback —
 * sipp answering OPTIONS, a closed port, a SIGSTOPped sipp, a geored stack's own TLS listener.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createResponse } from '../../src/sip/message';
import { SipStack } from '../../src/sip/stack';
import { freePort } from '../helpers/ports';
import { startSipp, stopAllSipp } from '../helpers/sipp';
import { makeSelfSignedCert, type TestCert } from '../helpers/tls-cert';

const BIN = fileURLToPath(new URL('../../bin/geored.js', import.meta.url));
const children = new Set<ReturnType<typeof spawn>>();

interface Run {
  readonly code: number | null;
  readonly out: string;
  readonly err: string;
}

function ping(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, 'ping', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => {
      children.delete(child);
      resolve({ code, out, err });
    });
  });
}

afterEach(async () => {
  for (const c of children) c.kill('SIGKILL');
  await stopAllSipp();
});

const PROBE = /^seq=(\d+) 200 OK rtt=(\d+\.\d+) ms$/;

function probes(out: string): string[] {
  return out.split('\n').filter((l) => l.startsWith('seq='));
}

describe('geored ping against sipp answering OPTIONS', () => {
  for (const transport of ['udp', 'tcp'] as const) {
    it(`gets 3 answered probes with round-trip times (${transport})`, async () => {
      const sipp = await startSipp({ scenario: 'uas-options.xml', transport });
      const r = await ping(
        `sip:127.0.0.1:${sipp.port}`,
        '--count',
        '3',
        '--interval',
        '0.2',
        '--transport',
        transport,
      );
      const lines = probes(r.out);
      expect(r.code, r.out + r.err).toBe(0);
      expect(lines).toHaveLength(3);
      lines.forEach((line, i) => {
        const m = PROBE.exec(line);
        expect(m, line).not.toBeNull();
        expect(Number(m?.[1])).toBe(i + 1);
        expect(Number(m?.[2])).toBeGreaterThan(0);
      });
      expect(r.out).toContain('3 sent, 3 answered, 0% loss');
      expect(r.out).toMatch(/rtt min\/avg\/max = \d+\.\d+\/\d+\.\d+\/\d+\.\d+ ms/);
      expect(r.err).toBe('');
    });
  }

  it('pings over IPv6 (::1)', async () => {
    const sipp = await startSipp({ scenario: 'uas-options.xml', address: '::1' });
    const r = await ping(`sip:[::1]:${sipp.port}`, '--count', '2', '--interval', '0.1');
    expect(r.code, r.out + r.err).toBe(0);
    expect(probes(r.out).every((l) => PROBE.test(l))).toBe(true);
    expect(r.out).toContain('2 sent, 2 answered, 0% loss');
  });
});

describe('geored ping when nobody answers', () => {
  it('reports a refused TCP connection in one line per probe and exits 1', async () => {
    const port = await freePort();
    const r = await ping(`sip:127.0.0.1:${port}`, '--transport', 'tcp', '--count', '2', '--interval', '0.1');
    expect(r.code).toBe(1);
    expect(probes(r.out)).toEqual([
      `seq=1 failed: connection refused by tcp:127.0.0.1:${port}`,
      `seq=2 failed: connection refused by tcp:127.0.0.1:${port}`,
    ]);
    expect(r.out).toContain('2 sent, 0 answered, 100% loss');
  });

  it('reports a closed UDP port as unanswered within its timeout and exits 1', async () => {
    const port = await freePort();
    const r = await ping(`sip:127.0.0.1:${port}`, '--count', '2', '--interval', '0', '--timeout', '0.5');
    expect(r.code).toBe(1);
    expect(probes(r.out)).toEqual([
      'seq=1 timeout: no response within 0.5 s',
      'seq=2 timeout: no response within 0.5 s',
    ]);
    expect(r.out).toContain('2 sent, 0 answered, 100% loss');
  });

  it('reports timeouts against a sipp stopped with SIGSTOP and exits 1', async () => {
    const sipp = await startSipp({ scenario: 'uas-options.xml' });
    const before = await ping(`sip:127.0.0.1:${sipp.port}`, '--count', '1');
    expect(before.code, before.out).toBe(0);
    sipp.pause();
    const r = await ping(
      `sip:127.0.0.1:${sipp.port}`,
      '--count',
      '2',
      '--interval',
      '0.1',
      '--timeout',
      '0.5',
    );
    expect(r.code).toBe(1);
    expect(probes(r.out)).toEqual([
      'seq=1 timeout: no response within 0.5 s',
      'seq=2 timeout: no response within 0.5 s',
    ]);
  });
});

describe('geored ping over TLS against a geored TLS listener', () => {
  let cert: TestCert;
  let server: SipStack;
  beforeAll(async () => {
    cert = makeSelfSignedCert();
    server = await SipStack.create({
      listen: [{ protocol: 'tls', address: '127.0.0.1', port: 0 }],
      tls: { cert: cert.cert, key: cert.key },
    });
    server.onRequest((req, tx) => tx.respond(createResponse(req, 200, 'OK')));
  });
  afterAll(async () => {
    await server.close();
    cert.remove();
  });

  it('answers when the peer certificate is trusted through --ca', async () => {
    const port = server.localEndpoint('tls').port;
    const r = await ping(`sips:127.0.0.1:${port}`, '--count', '2', '--interval', '0.1', '--ca', cert.cert);
    expect(r.code, r.out + r.err).toBe(0);
    expect(probes(r.out).every((l) => PROBE.test(l))).toBe(true);
  });

  it('reports an untrusted certificate as a TLS failure, one line, no stack trace', async () => {
    const port = server.localEndpoint('tls').port;
    const r = await ping(`sip:127.0.0.1:${port}`, '--transport', 'tls', '--count', '1');
    expect(r.code).toBe(1);
    const lines = probes(r.out);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(`^seq=1 failed: TLS handshake with tls:127\\.0\\.0\\.1:${port} failed: `),
    );
    expect(r.out + r.err).not.toMatch(/^\s+at /m);
  });
});

describe('geored ping usage', () => {
  it('exits 2 on a bad URI or a bad option, naming it', async () => {
    const badUri = await ping('http://127.0.0.1/');
    expect(badUri.code).toBe(2);
    expect(badUri.err.split('\n')[0]).toMatch(
      /^geored ping: cannot send a request to http:\/\/127\.0\.0\.1\//,
    );
    const badCount = await ping('sip:127.0.0.1', '--count', 'x');
    expect(badCount.code).toBe(2);
    expect(badCount.err).toContain("--count must be a positive number, not 'x'");
    const badTransport = await ping('sip:127.0.0.1', '--transport', 'sctp');
    expect(badTransport.code).toBe(2);
    const none = await ping();
    expect(none.code).toBe(2);
    expect(none.err).toContain('a URI is required');
  });
});
