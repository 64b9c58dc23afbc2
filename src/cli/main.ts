/**
 * `geored <command>`: each command lives in its own module and is loaded only when asked for, so
 * `geored sip-check` does not pay for fastify or the database drivers.
 */
import type { CommandIO } from './io';

export type { CommandIO } from './io';

type CommandModule = { run(args: string[], io: CommandIO): Promise<number> };

const COMMANDS: Record<string, { summary: string; load: () => Promise<CommandModule> }> = {
  demo: {
    summary: 'a self-contained demo: three simulated regions, calls, the admin panel',
    load: () => import('./demo'),
  },
  serve: { summary: 'run geored (config file optional: embedded defaults)', load: () => import('./serve') },
  'check-config': { summary: 'validate a config file and exit 0 or 1', load: () => import('./check-config') },
  'sip-check': {
    summary: 'parse captured SIP messages, one JSON line per file',
    load: () => import('./sip-check'),
  },
  ping: { summary: 'send SIP OPTIONS probes and report round-trip times', load: () => import('./ping') },
  status: {
    summary: 'regions, health, scores, latency, registration and the active region',
    load: () => import('./status'),
  },
  failover: {
    summary: 'switch the active region: --to REGION --reason TEXT',
    load: () => import('./failover'),
  },
  history: { summary: 'failover history, newest first', load: () => import('./history') },
  calls: { summary: 'call records, newest first, with the regions tried', load: () => import('./calls') },
  watch: { summary: 'the live event stream, one line per event', load: () => import('./watch') },
  drill: {
    summary: 'run a disaster-recovery drill on a region and print a timed report',
    load: () => import('./drill'),
  },
  alerts: {
    summary: 'alerts: `alerts test` sends a test alert to every channel',
    load: () => import('./alerts'),
  },
};

export const USAGE = [
  'usage: geored <command> [options]',
  '',
  'commands:',
  ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(14)}${c.summary}`),
  '',
  'Run `geored <command> --help` for its options, `geored --version` for the version.',
  'The operator commands (status … alerts) talk to a running geored: --url or GEORED_URL, token in',
  'GEORED_API_TOKEN.',
].join('\n');

export const stdio: CommandIO = {
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
  isTTY: process.stdout.isTTY,
};

export async function main(argv: string[], io: CommandIO = stdio): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.err : io.out)(USAGE);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    io.out(`geored ${(await import('../model/package-info')).VERSION}`);
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.err(`geored: unknown command '${name}'\n\n${USAGE}`);
    return 2;
  }
  const mod = await command.load();
  return mod.run(rest, io);
}
