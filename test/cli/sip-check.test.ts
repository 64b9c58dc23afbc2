import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadFixtures } from '../sip/message/fixtures';

const run = promisify(execFile);
const BIN = fileURLToPath(new URL('../../bin/geored.js', import.meta.url));

interface Line {
  file: string;
  accepted: boolean;
  kind?: string;
  method?: string;
  status?: number;
  reason?: string;
  response?: number;
}

async function sipCheck(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, 'sip-check', ...args], { timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe('geored sip-check', () => {
  it(
    'gives every RFC 4475 / RFC 5118 message the outcome the RFC gives it',
    { timeout: 60_000 },
    async () => {
      const fixtures = loadFixtures();
      const { code, stdout } = await sipCheck(...fixtures.map((f) => f.path));
      const lines = stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Line);
      expect(lines).toHaveLength(fixtures.length);
      expect(code).toBe(1); // some are invalid
      fixtures.forEach((f, i) => {
        const line = lines[i] as Line;
        expect(line.file).toBe(f.path);
        const isResponse = f.bytes.toString('latin1', 0, 4) === 'SIP/';
        expect(line.kind, f.name).toBe(isResponse ? 'response' : 'request');
        switch (f.exp.expect) {
          case 'valid':
            expect(line, f.name).toMatchObject({ accepted: true });
            expect(line.response, f.name).toBeUndefined();
            break;
          case 'either':
            expect(line.response === undefined || line.response === 400, f.name).toBe(true);
            break;
          case 'semantic':
            expect(line.accepted, f.name).toBe(true);
            expect(line.response, f.name).toBe(f.exp.response);
            break;
          case 'invalid':
            expect(line.accepted, f.name).toBe(false);
            expect(line.reason, f.name).toMatch(/^SIP_[A-Z_]+: /);
            expect(line.response, f.name).toBe(isResponse ? undefined : (f.exp.response ?? 400));
        }
        if (!isResponse) expect(typeof line.method).toBe('string');
      });
    },
  );

  it('exits 0 when every file is accepted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sip-check-'));
    const file = join(dir, 'ok.sip');
    writeFileSync(
      file,
      'OPTIONS sip:a@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK1\r\nFrom: <sip:b@127.0.0.1>;tag=1\r\nTo: <sip:a@127.0.0.1>\r\nCall-ID: x\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n',
    );
    const { code, stdout } = await sipCheck(file);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ file, accepted: true, kind: 'request', method: 'OPTIONS' });
  });

  it('rejects a response lacking CSeq, Call-ID, From, To or Via (RFC 3261 §20, table 2), as the stack drops it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sip-check-'));
    const lines = [
      'Via: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK1',
      'From: <sip:b@127.0.0.1>;tag=1',
      'To: <sip:a@127.0.0.1>;tag=2',
      'Call-ID: x',
      'CSeq: 1 OPTIONS',
    ];
    const files = ['Via', 'From', 'To', 'Call-ID', 'CSeq', 'none'].map((drop) => {
      const file = join(dir, `no-${drop}.sip`);
      const kept = lines.filter((l) => !l.startsWith(`${drop}:`));
      writeFileSync(file, `SIP/2.0 200 OK\r\n${kept.join('\r\n')}\r\nContent-Length: 0\r\n\r\n`);
      return { drop, file };
    });
    const { code, stdout } = await sipCheck(...files.map((f) => f.file));
    expect(code).toBe(1);
    const verdicts = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Line);
    files.forEach(({ drop, file }, i) => {
      if (drop === 'none') {
        expect(verdicts[i]).toEqual({ file, accepted: true, kind: 'response', status: 200 });
        return;
      }
      expect(verdicts[i]).toEqual({
        file,
        accepted: false,
        kind: 'response',
        status: 200,
        reason: `SIP_MISSING_HEADER: the mandatory ${drop} header is missing`,
      });
    });
  });

  it('exits 2 on usage errors and says which', async () => {
    const none = await sipCheck();
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no files/);
    const opt = await sipCheck('--bogus');
    expect(opt.code).toBe(2);
    expect(opt.stderr).toMatch(/unknown option '--bogus'/);
    const missing = await sipCheck('/nonexistent/geored-sip-check.dat');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read \/nonexistent\/geored-sip-check\.dat: ENOENT/);
    expect(missing.stdout).toBe('');
  });
});
