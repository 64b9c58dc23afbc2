/**
 * Command checks (`custom_checks: [{type: command}]`): an external program per region, judged by its exit
 * code as Nagios plugins are: 0 healthy, 1 warning, anything else critical. The program learns which region
 * it checks from `{region}`/`{sip_server}` in its arguments and from REGION and SIP_SERVER in its
 * environment; it is killed when it runs past its timeout.
 */
import type { RegionConfig } from '../../config/types';
import { failed, firstLine, oneLine, passed, since } from './outcome';
import { runChild } from './run-child';
import type { CheckContext, CheckOutcome } from './types';

export interface CommandCheckConfig {
  readonly name: string;
  readonly command: readonly string[];
  /** Seconds. */
  readonly timeout: number;
}

export function commandCheck(cfg: CommandCheckConfig) {
  return async (region: RegionConfig, ctx: CheckContext): Promise<CheckOutcome> => {
    const argv = cfg.command.map((a) =>
      a.replaceAll('{region}', region.name).replaceAll('{sip_server}', region.sip_server),
    );
    const timeoutMs = Math.min(cfg.timeout * 1000, ctx.timeoutMs);
    const start = performance.now();
    const res = await runChild(argv, {
      timeoutMs,
      signal: ctx.signal,
      env: { ...process.env, REGION: region.name, SIP_SERVER: region.sip_server },
    });
    const latency = since(start);
    // The program's first line of output is its own summary, as with Nagios plugins.
    const said = firstLine(res.stdout) || firstLine(res.stderr) || undefined;
    if (res.spawnError)
      return failed(`cannot run ${argv[0] ?? '(empty command)'}: ${oneLine(res.spawnError)}`);
    if (res.timedOut) return failed(`${cfg.name} killed after its ${timeoutMs} ms timeout`, null, said);
    if (res.code === 0) return passed(latency, said);
    if (res.code === 1) {
      const warning = `${cfg.name} exited 1 (warning)${said ? `: ${said}` : ''}`;
      return { success: true, level: 'warning', latency_ms: latency, detail: warning };
    }
    const how = res.code === null ? `was killed by ${res.signal ?? 'a signal'}` : `exited ${res.code}`;
    return failed(`${cfg.name} ${how} (critical)${said ? `: ${said}` : ''}`, latency);
  };
}
