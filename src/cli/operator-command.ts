/**
 * What every operator command (status, failover, history, calls, watch, drill, alerts) shares: commander
 * for options and help, `--url` / `--json`, the REST client, colour, and the exit codes: 0 done, 1 the
 * operation failed (one line on stderr saying what and why), 2 a usage error.
 */
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { colorWanted, colors, type Colors } from './colors';
import type { CommandIO } from './io';
import { ApiFailure, RestClient, defaultApiUrl } from './rest-client';

export interface OperatorContext {
  readonly client: RestClient;
  readonly json: boolean;
  readonly c: Colors;
  readonly io: CommandIO;
  readonly env: NodeJS.ProcessEnv;
  /** Prints a JSON document (the --json output) on stdout. */
  printJson(value: unknown): void;
}

/** A failure of the command itself (not of a request), printed as its one line. */
export class CommandFailure extends Error {}

export interface CommonOptions {
  url?: string;
  json?: boolean;
}

/** `--limit N`: a whole number in range, or commander reports a usage error naming the option. */
export function positiveInteger(max: number, min = 1) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^[0-9]+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}, not '${value}'`);
    }
    return n;
  };
}

export function positiveNumber(max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n <= 0 || n > max) {
      throw new InvalidArgumentError(
        `expected a number of seconds above 0 and at most ${max}, not '${value}'`,
      );
    }
    return n;
  };
}

/** A commander program for `geored <name>` whose output goes to `io` and whose exits are returned. */
export function operatorProgram(name: string, description: string, io: CommandIO): Command {
  return configure(new Command(`geored ${name}`), io, name).description(description);
}

function configure(cmd: Command, io: CommandIO, name: string): Command {
  return cmd
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.out(s.replace(/\n$/, '')),
      writeErr: (s) => io.err(s.replace(/\n$/, '')),
      // `geored history: option '--limit <n>' ...` rather than commander's bare `error: ...`.
      outputError: (s, write) => write(s.replace(/^error: /, `geored ${name}: `)),
    })
    .showHelpAfterError('(add --help for usage)')
    .allowExcessArguments(false);
}

/** --url and --json on a command (a subcommand gets them too). */
export function withCommonOptions(cmd: Command, io?: CommandIO, name?: string): Command {
  if (io) configure(cmd, io, name ?? cmd.name());
  return cmd
    .option('--url <url>', `geored's REST API (default: $GEORED_URL, else ${defaultApiUrl()})`)
    .option('--json', 'print machine-readable JSON instead of text')
    .addHelpText(
      'after',
      '\nThe API token is read from GEORED_API_TOKEN. Exit status: 0 done, 1 failed, 2 usage error.',
    );
}

export function contextFor(opts: CommonOptions, io: CommandIO, env: NodeJS.ProcessEnv): OperatorContext {
  const json = opts.json === true;
  return {
    client: RestClient.fromEnv(opts.url, env),
    json,
    c: colors(!json && colorWanted(io.isTTY, env)),
    io,
    env,
    printJson: (value) => io.out(JSON.stringify(value, null, 2)),
  };
}

/**
 * Parses `args` and runs the action that the program's `.action` stored through `setResult`. Returns the
 * exit code: commander's usage errors are 2, help and version 0, ApiFailure/CommandFailure 1.
 */
export async function runProgram(
  program: Command,
  name: string,
  args: string[],
  io: CommandIO,
  run: () => Promise<number> | null,
): Promise<number> {
  try {
    await program.parseAsync(args, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return 0;
      return err.exitCode === 0 ? 0 : 2;
    }
    return failed(name, err, io);
  }
  const pending = run();
  if (pending === null) return 0;
  try {
    return await pending;
  } catch (err) {
    return failed(name, err, io);
  }
}

function failed(name: string, err: unknown, io: CommandIO): number {
  if (err instanceof ApiFailure || err instanceof CommandFailure) {
    io.err(`geored ${name}: ${err.message}`);
    return 1;
  }
  throw err;
}
