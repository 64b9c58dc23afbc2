/** `geored history [--limit N]`: the failover history (GET .../failover-history), newest first. */
import type { FailoverRecord } from '../geo/types';
import { shortTime } from './format';
import type { CommandIO } from './io';
import {
  contextFor,
  operatorProgram,
  positiveInteger,
  runProgram,
  withCommonOptions,
  type CommonOptions,
} from './operator-command';
import { GEO_PATH } from './rest-client';
import { formatTable } from './table';

export async function run(
  args: string[],
  io: CommandIO,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  let job: (() => Promise<number>) | null = null;
  const program = withCommonOptions(
    operatorProgram('history', 'Switches of the active region, newest first, with who and why.', io),
  )
    .option('--limit <n>', 'how many (1 to 1000)', positiveInteger(1000), 20)
    .action((opts: CommonOptions & { limit: number }) => {
      job = async () => {
        const ctx = contextFor(opts, io, env);
        const body = await ctx.client.request<{ failovers: FailoverRecord[] }>(
          'GET',
          `${GEO_PATH}/failover-history`,
          {
            query: { limit: opts.limit },
          },
        );
        if (ctx.json) ctx.printJson(body);
        else if (body.failovers.length === 0) io.out('no failovers yet');
        else {
          const rows = body.failovers.map((f) => [
            shortTime(f.occurred_at),
            f.from_region ?? '-',
            f.to_region,
            f.automatic ? 'automatic' : 'manual',
            f.initiated_by ?? '-',
            f.reason ?? '',
          ]);
          const columns = ['TIME', 'FROM', 'TO', 'HOW', 'BY', 'REASON'].map((header) => ({ header }));
          for (const line of formatTable(columns, rows)) io.out(line);
        }
        return 0;
      };
    });
  return runProgram(program, 'history', args, io, () => job?.() ?? null);
}
