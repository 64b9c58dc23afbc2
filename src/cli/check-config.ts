/**
 * `geored check-config FILE`: validates a config file exactly as `geored serve` would, touching nothing.
 * Exit 0 when valid (with a one-line summary), 1 with one line per problem, 2 on usage errors.
 */
import { ConfigError, formatListen, formatProblem, loadConfig, redactConfig, type Config } from '../config';

interface IO {
  out(line: string): void;
  err(line: string): void;
}

const USAGE =
  'usage: geored check-config FILE\n\nValidates FILE (secrets named by env:/file: are read) and exits 0 or 1.';

export function summary(config: Config): string {
  const shown = redactConfig(config);
  const regions = shown.geo.regions;
  const regionText =
    regions.length === 0
      ? 'no regions'
      : `${regions.length} region${regions.length === 1 ? '' : 's'} (${regions.map((r) => `${r.name} p${r.priority}`).join(', ')})`;
  const api = shown.server.api.listen;
  const apiText = `${api.address.includes(':') ? `[${api.address}]` : api.address}:${api.port}`;
  return [
    regionText,
    `SIP ${shown.server.sip.listen.map(formatListen).join(' ')}`,
    `API ${apiText}`,
    `store ${shown.server.store}`,
    `live state ${shown.server.redis ?? 'in memory'}`,
    `routing ${shown.geo.routing.strategy}`,
  ].join('; ');
}

export async function run(args: string[], io: IO): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.out(USAGE);
    return 0;
  }
  const options = args.filter((a) => a.startsWith('-') && a !== '-');
  if (options.length > 0) {
    io.err(`geored check-config: unknown option '${options[0]}'\n\n${USAGE}`);
    return 2;
  }
  if (args.length !== 1) {
    io.err(`geored check-config: expected exactly one FILE, got ${args.length}\n\n${USAGE}`);
    return 2;
  }
  const file = args[0]!;
  try {
    const config = loadConfig(file);
    io.out(`${file}: ok`);
    io.out(summary(config));
    return 0;
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    for (const p of e.problems) io.err(formatProblem(file, p));
    return 1;
  }
}
