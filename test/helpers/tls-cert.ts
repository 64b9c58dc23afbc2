/**
 * A throwaway self-signed certificate for TLS tests, made with the openssl CLI: valid for 127.0.0.1, ::1
 * and localhost, so a client that trusts it as its CA verifies the server by IP.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCert {
  readonly dir: string;
  readonly cert: string;
  readonly key: string;
  remove(): void;
}

export function makeSelfSignedCert(): TestCert {
  const dir = mkdtempSync(join(tmpdir(), 'geored-tls-'));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '2',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost',
      ],
      { stdio: 'pipe' },
    );
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    const e = err as NodeJS.ErrnoException & { stderr?: Buffer };
    if (e.code === 'ENOENT') throw new Error('openssl not found on PATH: install the Debian package openssl');
    throw new Error(`openssl could not make a test certificate: ${e.stderr?.toString() ?? e.message}`);
  }
  return { dir, cert, key, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A CA, and a valid and an expired (2020-01-01 to 2020-01-02) server certificate for 127.0.0.1 signed by
 * it (PEM files in `dir`): a client that trusts the CA meets `certificate has expired` with the second.
 */
export interface CaCerts {
  readonly dir: string;
  readonly ca: string;
  readonly key: string;
  readonly valid: string;
  readonly expired: string;
  remove(): void;
}

export function makeCaCerts(): CaCerts {
  const dir = mkdtempSync(join(tmpdir(), 'geored-ca-tls-'));
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
      `openssl could not make the CA-signed test certificates: ${e.stderr?.toString() ?? e.message}`,
    );
  }
  return {
    dir,
    ca: f('ca.pem'),
    key: f('key.pem'),
    valid: f('valid.pem'),
    expired: f('expired.pem'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
