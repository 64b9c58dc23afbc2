/**
 * `geored <command>`: each command lives in its own module and is loaded only when asked for, so
 * `geored sip-check` does not pay for fastify or the database drivers.
 */
export interface CommandIO {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

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
};

export const USAGE = [
  'usage: geored <command> [options]',
  '',
  'commands:',
  ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(14)}${c.summary}`),
  '',
  'Run `geored <command> --help` for its options.',
].join('\n');

export const stdio: CommandIO = {
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
};

export async function main(argv: string[], io: CommandIO = stdio): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.err : io.out)(USAGE);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.err(`geored: unknown command '${name}'\n\n${USAGE}`);
    return 2;
  }
  const mod = await command.load();
  return mod.run(rest, io);
}
