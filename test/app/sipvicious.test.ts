/**
 * SIPVicious against the real `geored serve` (loopback only): svwar finds no extension, and svcrack against
 * the PBX registrar is banned long before its 200-word list reaches the right password (word 150), while
 * the real PBX (sipp on 127.0.0.2, answering 401 and 407 with -au/-ap) registers and places calls meanwhile.
 * svcrack 0.3.3 ignores --bindingip, so the attacker is 127.0.0.1 and the PBX the second loopback address;
 * in the third case the attacker comes over IPv6 (::1) and baresip (test/helpers/baresip.ts, as on main) is
 * the PBX on 127.0.0.1, registering and placing a call through geored's 407 while the attacker is banned.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startBaresip, stopAllBaresip } from '../helpers/baresip';
import { freePort } from '../helpers/ports';
import { startSipp } from '../helpers/sipp';
import { SippMessageLog } from '../registration/helpers';
import { SLOW_HEALTH, get, metricSum, regionLines, startGeored, stopEverything, until } from './harness';

const PASSWORD = 'correct-horse-150';
const dirs: string[] = [];
const logs: SippMessageLog[] = [];
afterEach(async () => {
  await stopAllBaresip();
  await stopEverything();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  for (const l of logs.splice(0)) l.remove();
});

function requireTool(cmd: string): void {
  try {
    execFileSync(cmd, ['--version'], { stdio: 'ignore' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      throw new Error(`${cmd} not found on PATH: install the Debian package sipvicious`);
  }
}

/** Runs a SIPVicious tool to completion (bounded by `--maximumtime` and a kill after 120 s). */
function run(cmd: string, args: string[]): Promise<string> {
  requireTool(cmd);
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 120_000 }, (_err, stdout, stderr) => resolve(`${stdout}\n${stderr}`));
  });
}

async function georedWithPbx(
  env: Record<string, string> = {},
): Promise<{ geored: Awaited<ReturnType<typeof startGeored>>; region: number }> {
  const region = await startSipp({ scenario: 'region-uas.xml' });
  const geored = await startGeored(
    [SLOW_HEALTH, '    regions:', ...regionLines('eu-west-1', 1, region.port)],
    [
      'pbx:',
      '  credentials:',
      '    username: pbx',
      '    password: env:PBX_PASSWORD',
      '    realm: geored.test',
      '    algorithms: [MD5]',
    ],
    { PBX_PASSWORD: PASSWORD, ...env },
  );
  return { geored, region: region.port };
}

describe('SIPVicious against geored', () => {
  it('svwar finds no extension, by REGISTER or by INVITE', async () => {
    const { geored } = await georedWithPbx();
    const target = `udp://127.0.0.1:${geored.sipPort}`;
    for (const method of ['REGISTER', 'INVITE']) {
      const out = await run('svwar', ['-e100-130', '-m', method, '--maximumtime', '3', target]);
      expect(out, out).toMatch(/found nothing/);
      expect(out).not.toMatch(/\|\s*1\d\d\s*\|/);
    }
  }, 120_000);

  it('svcrack is banned after 5 wrong passwords while the real PBX registers and calls', async () => {
    const { geored } = await georedWithPbx();
    const dir = mkdtempSync(join(tmpdir(), 'geored-svcrack-'));
    dirs.push(dir);
    const words = Array.from({ length: 200 }, (_, i) => `guess-${i}`);
    words[149] = PASSWORD;
    writeFileSync(join(dir, 'words.txt'), words.join('\n') + '\n');
    const cracking = run('svcrack', [
      '-u',
      'pbx',
      '-d',
      join(dir, 'words.txt'),
      '--maximumtime',
      '3',
      `udp://127.0.0.1:${geored.sipPort}`,
    ]);
    await until(
      () => geored.logs().some((l) => String(l['msg']).startsWith('authentication ban:')),
      'the ban of the svcrack source',
      60_000,
    );
    const ban = geored.logs().find((l) => String(l['msg']).startsWith('authentication ban:'))!;
    expect(ban).toMatchObject({
      level: 30,
      kind: 'source',
      key: '127.0.0.1',
      msg: 'authentication ban: 5 failed authentications from 127.0.0.1 within 60 s: source banned for 600 s',
    });

    // Meanwhile the PBX, at another address, registers (401 answered) and calls (407 answered).
    const pbxPort = await freePort('127.0.0.2');
    const regLog = new SippMessageLog();
    logs.push(regLog);
    await startSipp({
      scenario: 'pbx-register.xml',
      address: '127.0.0.2',
      port: pbxPort,
      set: { expires: '300' },
      extraArgs: [
        '-s',
        'pbx',
        '-au',
        'pbx',
        '-ap',
        PASSWORD,
        '-d',
        '60000',
        '-m',
        '1',
        ...regLog.args,
        `127.0.0.1:${geored.sipPort}`,
      ],
    });
    await until(() => /^SIP\/2\.0 200 /m.test(regLog.text()), 'the PBX registration answered 200');
    const uac = await startSipp({
      scenario: 'pbx-uac-auth.xml',
      address: '127.0.0.2',
      extraArgs: [
        '-s',
        '15550001',
        '-au',
        'pbx',
        '-ap',
        PASSWORD,
        '-m',
        '3',
        '-r',
        '5',
        // sipp's digest uri is sip:remote_ip:port unless told (it adds the sip:); geored wants the Request-URI.
        '-auth_uri',
        `15550001@127.0.0.1:${geored.sipPort}`,
        '-timeout',
        '60s',
        `127.0.0.1:${geored.sipPort}`,
      ],
    });
    expect(await uac.exited, uac.output()).toBe(0);

    const out = await cracking;
    expect(out, out).toMatch(/found nothing/);
    expect(out).not.toContain(PASSWORD);
    const text = await get<string>(geored, '/metrics');
    // Once banned, svcrack's guesses are dropped before any digest is checked: exactly five verdicts.
    expect(metricSum(text, 'geored_auth_failures_total')).toBe(5);
    expect(metricSum(text, 'geored_auth_bans_total', { kind: 'source' })).toBe(1);
    expect(metricSum(text, 'geored_auth_bans_active', { kind: 'source' })).toBe(1);
    expect(
      metricSum(text, 'geored_sip_refused_total', { reason: 'banned', response: 'silence' }),
    ).toBeGreaterThan(0);
    // Nothing per attempt at warn level: the attacker sets that rate.
    expect(
      geored.logs().filter((l) => Number(l['level']) >= 40 && String(l['msg']).includes('REGISTER')),
    ).toEqual([]);
  }, 180_000);

  it('svcrack over IPv6 is banned while baresip (IPv4) registers and places a call through the 407', async () => {
    const sipPort = await freePort();
    const { geored } = await georedWithPbx({
      GEORED_SIP_LISTEN: `udp:127.0.0.1:${sipPort},tcp:127.0.0.1:${sipPort},udp:[::1]:${sipPort}`,
    });
    const dir = mkdtempSync(join(tmpdir(), 'geored-svcrack6-'));
    dirs.push(dir);
    const words = Array.from({ length: 200 }, (_, i) => `guess-${i}`);
    words[149] = PASSWORD;
    writeFileSync(join(dir, 'words.txt'), words.join('\n') + '\n');
    const cracking = run('svcrack', [
      '-6',
      '-u',
      'pbx',
      '-d',
      join(dir, 'words.txt'),
      '--maximumtime',
      '3',
      '-p',
      String(sipPort),
      '::1',
    ]);
    await until(
      () => geored.logs().some((l) => String(l['msg']).startsWith('authentication ban:')),
      'the ban of the svcrack source',
      60_000,
    );
    const b = await startBaresip({
      account: { aor: `sip:pbx@127.0.0.1:${sipPort}`, authUser: 'pbx', password: PASSWORD, regint: 600 },
    });
    await until(() => b.registered(), `baresip registered:\n${b.logs()}`);
    await b.command('dial', `sip:15550001@127.0.0.1:${sipPort}`);
    await b.waitEvent('CALL_ESTABLISHED');
    const out = await cracking;
    expect(out, out).toMatch(/found nothing/);
    expect(out).not.toContain(PASSWORD);
    const ban = geored.logs().find((l) => String(l['msg']).startsWith('authentication ban:'))!;
    // Source keys are canonical IPs: ::1 fully expanded.
    expect(ban).toMatchObject({ kind: 'source', key: '0000:0000:0000:0000:0000:0000:0000:0001' });
    const text = await get<string>(geored, '/metrics');
    expect(metricSum(text, 'geored_auth_failures_total')).toBe(5);
    expect(metricSum(text, 'geored_auth_bans_total', { kind: 'source' })).toBe(1);
  }, 180_000);
});
