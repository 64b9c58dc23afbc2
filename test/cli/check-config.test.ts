/** `geored check-config` as an operator runs it: a real child process on real files. */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const bin = new URL('../../bin/geored.js', import.meta.url).pathname;
const guide = new URL('../config/fixtures/guide-config.yml', import.meta.url).pathname;

async function geored(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await promisify(execFile)('node', [bin, ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

function tempFile(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'geored-check-'));
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

describe('geored check-config', () => {
  it("accepts the guide's config.yml: FILE: ok and a summary, exit 0", async () => {
    const r = await geored(['check-config', guide]);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')).toEqual([
      `${guide}: ok`,
      '3 regions (us-east-1 p1, us-west-1 p2, eu-west-1 p3); SIP udp:127.0.0.1:5060 tcp:127.0.0.1:5060; ' +
        'API 127.0.0.1:8080; store sqlite:./data/geored.db; live state in memory; routing priority',
      '',
    ]);
    expect(r.stderr).toBe('');
  });

  it('prints each problem on its own line and exits 1', async () => {
    const file = tempFile(
      'bad.yml',
      [
        'features:',
        '  geographic_redundancy:',
        '    health_check:',
        '      retry_cont: 3',
        '    regions:',
        '      - name: a',
        '        priority: 0',
        '        trunk_id: t',
        '        sip_server: a.example.com',
        '        credentials: { username: u, password: env:CHECK_CONFIG_PW }',
      ].join('\n'),
    );
    const r = await geored(['check-config', file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toEqual([
      `${file}:4:7: features.geographic_redundancy.health_check.retry_cont: unknown key 'retry_cont': did you mean 'retry_count'?`,
      `${file}:7:19: features.geographic_redundancy.regions[0].priority: found 0, expected an integer from 1 to 1000000 (1 is the highest priority)`,
      `${file}:10:47: features.geographic_redundancy.regions[0].credentials.password: found env:CHECK_CONFIG_PW, but environment variable CHECK_CONFIG_PW is not set or empty`,
    ]);
  });

  it('reads secrets from its environment, and never prints them', async () => {
    const file = tempFile(
      'ok.yml',
      'features:\n  geographic_redundancy:\n    regions:\n      - { name: a, priority: 1, trunk_id: t, sip_server: "sips:a.example.com", credentials: { username: u, password: env:CHECK_CONFIG_PW } }\nserver:\n  store: env:CHECK_DB\n',
    );
    const r = await geored(['check-config', file], {
      CHECK_CONFIG_PW: 'pw-value-123',
      CHECK_DB: 'postgres://geored:db-pass-456@db.example.com/geored',
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('1 region (a p1)');
    expect(r.stdout).toContain('store postgres://geored:***@db.example.com/geored');
    expect(r.stdout + r.stderr).not.toMatch(/pw-value-123|db-pass-456/);
  });

  it('reports YAML syntax errors with line and column, exit 1', async () => {
    const file = tempFile('syntax.yml', 'server:\n  log_level: info\n  log_level: debug\n');
    const r = await geored(['check-config', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:3:3: YAML syntax error: `),
    );
  });

  it('reports a missing file, exit 1', async () => {
    const missing = join(tmpdir(), 'geored-check-missing', 'none.yml');
    const r = await geored(['check-config', missing]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(`${missing}: cannot read config file ${missing}: ENOENT`);
  });

  it('exits 2 on usage errors', async () => {
    const none = await geored(['check-config']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('usage: geored check-config FILE');
    const two = await geored(['check-config', guide, guide]);
    expect(two.code).toBe(2);
    const option = await geored(['check-config', '--strict', guide]);
    expect(option.code).toBe(2);
    expect(option.stderr).toContain("unknown option '--strict'");
    const help = await geored(['check-config', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('usage: geored check-config FILE');
  });
});
