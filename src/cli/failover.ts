/**
 * `geored failover --to REGION --reason TEXT [--force]`: the guide's manual failover (POST .../failover).
 * The reason is recorded in the history with the token's name as who asked; geored refuses (409) a target
 * that is not eligible unless --force, and the refusal's reason is printed as the error line.
 */
import type { FailoverResult } from '../geo/types';
import type { CommandIO } from './io';
import {
  contextFor,
  operatorProgram,
  runProgram,
  withCommonOptions,
  type CommonOptions,
} from './operator-command';
import { GEO_PATH } from './rest-client';

interface FailoverOptions extends CommonOptions {
  to: string;
  reason: string;
  force?: boolean;
}

export async function run(
  args: string[],
  io: CommandIO,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  let job: (() => Promise<number>) | null = null;
  const program = withCommonOptions(
    operatorProgram('failover', 'Make REGION the active region now (a manual failover).', io),
  )
    .requiredOption('--to <region>', 'the region to make active')
    .requiredOption('--reason <text>', 'why, recorded in the failover history')
    .option('--force', 'fail over even though the target is not eligible (e.g. not healthy)')
    .action((opts: FailoverOptions) => {
      job = async () => {
        const ctx = contextFor(opts, io, env);
        const result = await ctx.client.request<FailoverResult>('POST', `${GEO_PATH}/failover`, {
          body: { target_region: opts.to, reason: opts.reason, ...(opts.force ? { force: true } : {}) },
          what: `failover to ${opts.to}`,
        });
        if (ctx.json) ctx.printJson(result);
        else {
          const line = `${result.from_region ?? '(none)'} → ${result.to_region} (${result.reason})`;
          io.out(
            result.success
              ? `${ctx.c.green('failed over')} ${line}`
              : `${ctx.c.red('not failed over')} ${line}`,
          );
        }
        return result.success ? 0 : 1;
      };
    });
  return runProgram(program, 'failover', args, io, () => job?.() ?? null);
}
