/**
 * `geored serve [--config FILE]`: runs geored. A bad file (or a bad GEORED_* override) prints every problem
 * and exits 1 before anything is opened. Logs are JSON lines on stdout. SIGTERM or SIGINT stops it
 * cleanly (probes stop, work in flight finishes, records are flushed, everything is closed) and exits 0.
 */
import pino from 'pino';
import { applyEnvOverrides } from '../app/env-overrides';
import { startGeored } from '../app/start';
import {
  ConfigError,
  EMBEDDED_SOURCE,
  defaultConfig,
  formatProblem,
  loadConfig,
  type Config,
} from '../config';

interface IO {
  out(line: string): void;
  err(line: string): void;
}

const USAGE = [
  'usage: geored serve [--config FILE]',
  '',
  'Runs geored. Without --config it runs on the embedded defaults. Environment overrides:',
  'GEORED_STORE, GEORED_REDIS, GEORED_SIP_LISTEN (udp:127.0.0.1:5060,tcp:127.0.0.1:5060),',
  'GEORED_API_LISTEN (127.0.0.1:8080), GEORED_API_TOKEN (the admin token).',
].join('\n');

function parseArgs(args: string[]): { file?: string } | string {
  let file: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--config' || a === '-c') {
      const v = args[++i];
      if (v === undefined) return `${a} needs a FILE`;
      file = v;
    } else if (a.startsWith('--config=')) file = a.slice('--config='.length);
    else return `unknown argument '${a}'`;
  }
  return file === undefined ? {} : { file };
}

export async function run(args: string[], io: IO): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.out(USAGE);
    return 0;
  }
  const parsed = parseArgs(args);
  if (typeof parsed === 'string') {
    io.err(`geored serve: ${parsed}\n\n${USAGE}`);
    return 2;
  }
  let config: Config;
  try {
    config = parsed.file === undefined ? defaultConfig() : loadConfig(parsed.file);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    for (const p of e.problems) io.err(formatProblem(parsed.file ?? EMBEDDED_SOURCE, p));
    return 1;
  }
  const overridden = applyEnvOverrides(config);
  if (!overridden.ok) {
    for (const p of overridden.problems) io.err(`environment: ${p}`);
    return 1;
  }
  config = overridden.config;

  const logger = pino({ level: config.server.log_level });
  // Listen for the signal before starting, so a SIGTERM during start-up also ends in a clean stop.
  const stopSignal = new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  let geored;
  try {
    geored = await startGeored({ config, logger });
  } catch (err) {
    logger.fatal({ err }, 'geored could not start');
    io.err(`geored serve: could not start: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
  const signal = await stopSignal;
  logger.info({ signal }, `${signal} received: stopping`);
  try {
    await geored.close();
  } catch (err) {
    logger.error({ err }, 'error while stopping');
    return 1;
  }
  return 0;
}
