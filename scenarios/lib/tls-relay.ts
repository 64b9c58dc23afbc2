/**
 * A TLS edge in front of a TCP region: geored connects with TLS to the relay, which terminates it and pipes
 * the plain SIP to the region's sipp over TCP (one connection each). It presents a certificate signed by a
 * CA of the world's own (certificates made with openssl in a temp dir); `expire()` rotates it to one whose
 * validity ended in 2020, signed by the same CA, and closes the open connections, as an edge restarted with
 * a stale certificate would: geored's next handshake meets the expired certificate.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:tls';
import { freePort } from '../../test/helpers/ports';
import { pipeToRegion } from './tcp-relay';

/** A CA, and a valid and an expired server certificate for 127.0.0.1 signed by it (PEM files in `dir`). */
export interface TlsMaterial {
  readonly dir: string;
  readonly ca: string;
  readonly key: string;
  readonly valid: string;
  readonly expired: string;
}

export function makeTlsMaterial(): TlsMaterial {
  const dir = mkdtempSync(join(tmpdir(), 'geored-scenario-tls-'));
  const f = (name: string): string => join(dir, name);
  const ssl = (args: string[]): void => void execFileSync('openssl', args, { stdio: 'pipe', cwd: dir });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  try {
    ssl([
      'req',
      '-x509',
      ...ec,
      '-keyout',
      f('ca.key'),
      '-out',
      f('ca.pem'),
      '-days',
      '2',
      '-subj',
      '/CN=scenario-ca',
    ]);
    ssl(['req', ...ec, '-keyout', f('key.pem'), '-out', f('leaf.csr'), '-subj', '/CN=region-1']);
    const san = f('san.ext');
    writeFileSync(san, 'subjectAltName=IP:127.0.0.1\n');
    ssl([
      'x509',
      '-req',
      '-in',
      f('leaf.csr'),
      '-CA',
      f('ca.pem'),
      '-CAkey',
      f('ca.key'),
      '-CAcreateserial',
      '-out',
      f('valid.pem'),
      '-days',
      '2',
      '-extfile',
      san,
    ]);
    // `openssl ca` is the one that takes explicit dates (x509 -req only counts days from now).
    writeFileSync(f('index.txt'), '');
    writeFileSync(f('serial'), '1000\n');
    writeFileSync(
      f('ca.cnf'),
      `[ca]\ndefault_ca = d\n[d]\ndatabase = ${f('index.txt')}\nnew_certs_dir = ${dir}\nserial = ${f('serial')}\n` +
        'default_md = sha256\npolicy = p\n[p]\ncommonName = supplied\n',
    );
    ssl([
      'ca',
      '-batch',
      '-config',
      f('ca.cnf'),
      '-cert',
      f('ca.pem'),
      '-keyfile',
      f('ca.key'),
      '-in',
      f('leaf.csr'),
      '-out',
      f('expired.pem'),
      '-startdate',
      '20200101000000Z',
      '-enddate',
      '20200102000000Z',
      '-notext',
      '-extfile',
      san,
    ]);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    const e = err as NodeJS.ErrnoException & { stderr?: Buffer };
    throw new Error(
      `openssl could not make the scenario's certificates: ${e.stderr?.toString() ?? e.message}`,
    );
  }
  return { dir, ca: f('ca.pem'), key: f('key.pem'), valid: f('valid.pem'), expired: f('expired.pem') };
}

export class TlsRelay {
  private readonly pairs = new Set<[Socket, Socket]>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
    private readonly material: TlsMaterial,
  ) {}

  static async start(target: number, material: TlsMaterial): Promise<TlsRelay> {
    const port = await freePort();
    const server = createServer({ key: readFileSync(material.key), cert: readFileSync(material.valid) });
    const relay = new TlsRelay(server, port, material);
    server.on('tlsClientError', () => undefined); // a refused handshake is what expire() is for
    server.on('secureConnection', (down) => pipeToRegion(down, target, relay.pairs));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    return relay;
  }

  get connections(): number {
    return this.pairs.size;
  }

  /** From now on the expired certificate; open connections are closed so geored must handshake again. */
  expire(): number {
    this.server.setSecureContext({
      key: readFileSync(this.material.key),
      cert: readFileSync(this.material.expired),
    });
    const n = this.pairs.size;
    for (const [down, up] of [...this.pairs]) {
      down.end();
      up.end();
    }
    return n;
  }

  async close(): Promise<void> {
    for (const [down, up] of [...this.pairs]) {
      down.destroy();
      up.end();
    }
    this.pairs.clear();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
