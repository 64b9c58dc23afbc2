/**
 * `geored calls [--limit N] [--region R]`: call records (GET /api/calls), newest first, with the regions
 * each call tried (a per-call failover shows as `us-east-1 503 → us-west-1 200`).
 */
import type { CallRow } from '../store/types';
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
import { formatTable } from './table';

function attempts(call: CallRow): string {
  if (call.attempts.length === 0) return '-';
  return call.attempts.map((a) => `${a.region} ${a.status ?? a.outcome}`).join(' → ');
}

export async function run(
  args: string[],
  io: CommandIO,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  let job: (() => Promise<number>) | null = null;
  const program = withCommonOptions(
    operatorProgram('calls', 'Calls geored routed, newest first, with every region tried.', io),
  )
    .option('--limit <n>', 'how many (1 to 1000)', positiveInteger(1000), 20)
    .option('--region <name>', 'only calls carried by this region')
    .action((opts: CommonOptions & { limit: number; region?: string }) => {
      job = async () => {
        const ctx = contextFor(opts, io, env);
        const body = await ctx.client.request<{ calls: CallRow[] }>('GET', '/api/calls', {
          query: { limit: opts.limit, region: opts.region },
        });
        if (ctx.json) ctx.printJson(body);
        else if (body.calls.length === 0) io.out('no calls recorded');
        else {
          const rows = body.calls.map((call) => [
            shortTime(call.started_at),
            call.direction,
            call.from_uri,
            call.to_uri,
            call.region ?? '-',
            call.final_status === null ? '-' : String(call.final_status),
            attempts(call),
            call.call_id,
          ]);
          const columns = [
            'STARTED',
            'DIRECTION',
            'FROM',
            'TO',
            'REGION',
            'STATUS',
            'ATTEMPTS',
            'CALL-ID',
          ].map((header) => ({ header }));
          for (const line of formatTable(columns, rows)) io.out(line);
        }
        return 0;
      };
    });
  return runProgram(program, 'calls', args, io, () => job?.() ?? null);
}
