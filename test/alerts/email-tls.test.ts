/**
 * Email over STARTTLS and implicit TLS with SMTP authentication (password from env:), to a real
 * smtp-server with a throwaway certificate; a wrong password is a failed delivery naming the SMTP answer.
 * Sent as the API's test alert, which makes one attempt per channel and answers per target.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { GeographicRedundancy } from '../../src/geo/service';
import { makeSelfSignedCert, type TestCert } from '../helpers/tls-cert';
import { newDatabase, openService } from '../geo/harness';
import { alertsConfig } from './harness';
import { startSmtp } from './receivers';
import { readFileSync } from 'node:fs';

process.env.GEORED_TEST_SMTP_PW = 'smtp-pw-0c3e';
process.env.GEORED_TEST_SMTP_BAD_PW = 'not-the-password';

let cert: TestCert;
beforeAll(() => {
  cert = makeSelfSignedCert();
});
afterAll(() => cert.remove());

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function serviceFor(port: number, security: string, pwVar: string): Promise<GeographicRedundancy> {
  const db = await newDatabase('sqlite');
  cleanups.push(() => db.drop());
  const s = await openService({
    config: alertsConfig(db.url, [
      'email: [ops@example.com]',
      'retry_attempts: 1',
      'smtp:',
      '  host: 127.0.0.1',
      `  port: ${port}`,
      `  security: ${security}`,
      '  username: geored',
      `  password: env:${pwVar}`,
      '  from: geored@example.com',
      '  tls_insecure: true',
    ]),
    controlled: new Map(),
  });
  cleanups.push(() => s.stop());
  return s;
}

describe('email over TLS with authentication', () => {
  for (const security of ['starttls', 'tls'] as const) {
    it(`${security}: the test alert arrives encrypted and authenticated`, async () => {
      const tls = { key: readFileSync(cert.key, 'utf8'), cert: readFileSync(cert.cert, 'utf8') };
      const smtp = await startSmtp({
        tls,
        implicitTls: security === 'tls',
        user: 'geored',
        password: 'smtp-pw-0c3e',
      });
      cleanups.push(() => smtp.close());
      const geo = await serviceFor(smtp.port, security, 'GEORED_TEST_SMTP_PW');
      expect(await geo.sendTestAlert()).toEqual([
        { channel: 'email', target: 'ops@example.com', status: 'sent' },
      ]);
      expect(smtp.mails).toHaveLength(1);
      const m = smtp.mails[0]!;
      expect(m.secure).toBe(true);
      expect(m.user).toBe('geored');
      expect(m.envelopeFrom).toBe('geored@example.com');
      expect(m.mail.subject).toBe('[geored INFO] Test alert');
      expect(m.mail.text).toContain(
        'Why: a test alert asked for through the API: if you read this, this channel works',
      );
    });
  }

  it('a wrong password: failed, with the server answer, recorded', async () => {
    const tls = { key: readFileSync(cert.key, 'utf8'), cert: readFileSync(cert.cert, 'utf8') };
    const smtp = await startSmtp({ tls, user: 'geored', password: 'smtp-pw-0c3e' });
    cleanups.push(() => smtp.close());
    const geo = await serviceFor(smtp.port, 'starttls', 'GEORED_TEST_SMTP_BAD_PW');
    const [result] = await geo.sendTestAlert();
    expect(result).toMatchObject({ channel: 'email', target: 'ops@example.com', status: 'failed' });
    expect(result!.error).toMatch(/^SMTP 535: /);
    expect(result!.error).not.toContain('not-the-password');
    expect(smtp.mails).toHaveLength(0);
    const [row] = await geo.listAlertDeliveries(1);
    expect(row).toMatchObject({ event: 'test', channel: 'email', status: 'failed', error: result!.error });
  });
});
