/**
 * geored's trunk registrations against real sipp registrars on loopback: a challenge answered and refreshed
 * before a short grant runs out, credentials refused (403, or 401 after 401) without hammering, a registrar
 * that never answers (SIGSTOP) retried with backoff, and the un-REGISTER on stop.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { TrunkRegistrations, type RegistrationStatus } from '../../src/registration';
import { SipStack } from '../../src/sip/stack';
import { startSipp, stopAllSipp, type SippPeer } from '../helpers/sipp';
import { regionFor, SippMessageLog, waitFor } from './helpers';

const stacks: SipStack[] = [];
const managers: TrunkRegistrations[] = [];
const logs: SippMessageLog[] = [];

afterEach(async () => {
  await Promise.all(managers.splice(0).map((m) => m.stop()));
  await Promise.all(stacks.splice(0).map((s) => s.close()));
  await stopAllSipp();
  for (const l of logs.splice(0)) l.remove();
});

async function registrar(
  scenario: string,
  set: Record<string, string> = {},
): Promise<{ sipp: SippPeer; log: SippMessageLog }> {
  const log = new SippMessageLog();
  logs.push(log);
  const sipp = await startSipp({ scenario, set, extraArgs: log.args });
  return { sipp, log };
}

async function registrations(
  sipp: SippPeer,
  password: string,
  timing: ConstructorParameters<typeof TrunkRegistrations>[0]['timing'] = {},
): Promise<{ regs: TrunkRegistrations; seen: RegistrationStatus[] }> {
  const stack = await SipStack.create({ listen: [{ protocol: 'udp', address: '127.0.0.1', port: 0 }] });
  stacks.push(stack);
  const regs = new TrunkRegistrations({
    stack,
    regions: [regionFor('eu-west-1', sipp.port, { username: 'alice', password, expires: 60 })],
    timing,
  });
  managers.push(regs);
  const seen: RegistrationStatus[] = [];
  regs.on('state', (_region, status) => seen.push(status));
  return { regs, seen };
}

describe('trunk registrations against sipp', () => {
  it('answers the 401, registers, refreshes before a 3 s grant runs out, and unregisters on stop', async () => {
    const { sipp, log } = await registrar('registrar-refresh.xml', {
      user: 'alice',
      password: 'wonderland',
      expires: '3',
    });
    const { regs, seen } = await registrations(sipp, 'wonderland');
    regs.start();
    const registeredTwice = await waitFor(
      () => seen.filter((s) => s.state === 'registered').length >= 2,
      20_000,
    );
    expect(registeredTwice, `${JSON.stringify(seen)}\n${sipp.output()}`).toBe(true);
    const status = regs.statusOf('eu-west-1')!;
    expect(['registered', 'refreshing']).toContain(status.state);
    expect(status.last_status).toBe(200);
    // The grant came from the 200's Contact expires=3, not from the 60 s asked for.
    expect(seen.find((s) => s.state === 'registered')!.reason).toBe('registered for 3 s');
    expect(log.sentStatuses().filter((s) => s === '200').length).toBeGreaterThanOrEqual(2);
    // One Call-ID for the registration's life, and a CSeq that only goes up (RFC 3261 §10.2.4).
    const registers = log.receivedRegisters();
    const callIds = new Set(registers.map((r) => /^Call-ID:\s*(.+)$/im.exec(r)?.[1]?.trim()));
    expect(callIds.size).toBe(1);
    const cseqs = registers.map((r) => Number(/^CSeq:\s*(\d+)/im.exec(r)?.[1]));
    expect(cseqs).toEqual([...cseqs].sort((a, b) => a - b));
    expect(new Set(cseqs).size).toBe(cseqs.length);

    await regs.stop();
    expect(regs.statusOf('eu-west-1')!.state).toBe('unregistered');
    expect(regs.statusOf('eu-west-1')!.reason).toMatch(/binding removed/);
    const last = log.receivedRegisters().at(-1)!;
    expect(last).toMatch(/^Expires:\s*0\s*$/im);
    expect(last).toMatch(/^Authorization:\s*Digest /im);
  });

  it('reads 403 as credentials rejected and does not hammer the registrar', async () => {
    const { sipp, log } = await registrar('registrar-forbidden.xml');
    const { regs, seen } = await registrations(sipp, 'wonderland', { backoffInitialMs: 50 });
    regs.start();
    expect(await waitFor(() => regs.statusOf('eu-west-1')?.state === 'rejected', 10_000), sipp.output()).toBe(
      true,
    );
    // A window many times the failure backoff: a rejected registration must stay quiet through it.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(log.receivedRegisters().length).toBe(1);
    const status = regs.statusOf('eu-west-1')!;
    expect(status.state).toBe('rejected');
    expect(status.last_status).toBe(403);
    expect(status.next_attempt_at! - status.since).toBeGreaterThanOrEqual(0.8 * 1_800_000);
    expect(seen.map((s) => s.state)).toEqual(['registering', 'rejected']);
  });

  it('reads a second 401 without stale as credentials rejected (wrong password)', async () => {
    const { sipp, log } = await registrar('registrar-refresh.xml', {
      user: 'alice',
      password: 'wonderland',
      expires: '3',
    });
    const { regs } = await registrations(sipp, 'not-the-password', { backoffInitialMs: 50 });
    regs.start();
    expect(await waitFor(() => regs.statusOf('eu-west-1')?.state === 'rejected', 10_000), sipp.output()).toBe(
      true,
    );
    await new Promise((r) => setTimeout(r, 1_000));
    expect(regs.statusOf('eu-west-1')!.reason).toMatch(/credentials rejected/);
    expect(regs.statusOf('eu-west-1')!.last_status).toBe(401);
    // The challenge, then one answer: never a third REGISTER.
    expect(log.receivedRegisters().length).toBe(2);
  });

  it('fails with backoff when the registrar never answers (SIGSTOP), and recovers when it is back', async () => {
    const { sipp } = await registrar('registrar-refresh.xml', {
      user: 'alice',
      password: 'wonderland',
      expires: '30',
    });
    sipp.pause();
    const { regs, seen } = await registrations(sipp, 'wonderland', {
      requestTimeoutMs: 300,
      backoffInitialMs: 200,
      backoffMaxMs: 800,
    });
    regs.start();
    expect(await waitFor(() => (regs.statusOf('eu-west-1')?.failures ?? 0) >= 3, 20_000)).toBe(true);
    const failures = seen.filter((s) => s.state === 'failed');
    expect(failures[0]!.reason).toMatch(/no answer within the timeout/);
    expect(failures[0]!.last_status).toBe(408);
    // Consecutive failures are counted (the backoff grows with them: see trunk-decide.test.ts).
    expect(failures.slice(0, 3).map((f) => f.failures)).toEqual([1, 2, 3]);
    sipp.resume();
    expect(
      await waitFor(() => regs.statusOf('eu-west-1')?.state === 'registered', 20_000),
      sipp.output(),
    ).toBe(true);
    expect(regs.statusOf('eu-west-1')!.failures).toBe(0);
  });

  it('adds, updates and removes regions at run time, unregistering what goes away', async () => {
    const { sipp, log } = await registrar('registrar-refresh.xml', {
      user: 'alice',
      password: 'wonderland',
      expires: '60',
    });
    const { regs } = await registrations(sipp, 'wonderland');
    regs.start();
    const region = regionFor('eu-west-1', sipp.port, {
      username: 'alice',
      password: 'wonderland',
      expires: 60,
    });
    expect(() => regs.addRegion(region)).toThrow(/already registered/);
    expect(() => regs.addRegion({ ...region, name: 'bare', credentials: undefined })).toThrow(
      /no registration credentials/,
    );
    await expect(regs.removeRegion('nowhere')).rejects.toThrow(/no registration for region nowhere/);
    expect(await waitFor(() => regs.statusOf('eu-west-1')?.state === 'registered', 10_000)).toBe(true);

    // A changed expiry is a new registration: the old binding is removed first, then a new Call-ID registers.
    await regs.updateRegion({ ...region, credentials: { ...region.credentials!, expires: 120 } });
    expect(await waitFor(() => regs.statusOf('eu-west-1')?.state === 'registered', 10_000)).toBe(true);
    const callIds = new Set(log.receivedRegisters().map((r) => /^Call-ID:\s*(.+)$/im.exec(r)?.[1]?.trim()));
    expect(callIds.size).toBe(2);
    expect(log.receivedRegisters().some((r) => /^Expires:\s*0\s*$/im.test(r))).toBe(true);

    await regs.removeRegion('eu-west-1');
    expect(regs.statusOf('eu-west-1')).toBeUndefined();
    expect(regs.statuses()).toEqual([]);
  });
});
