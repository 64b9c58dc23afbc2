/**
 * `geored alerts test`: POST .../alerts/test, which sends a test alert to every configured channel and
 * answers per channel `{channel, target, status: sent|failed|skipped, error?}`. Exit 1 when a channel
 * failed or none is configured (a test that reached nobody proved nothing).
 */
import { Command } from 'commander';
import type { CommandIO } from './io';
import {
  CommandFailure,
  contextFor,
  operatorProgram,
  runProgram,
  withCommonOptions,
  type CommonOptions,
} from './operator-command';
import { GEO_PATH } from './rest-client';
import { formatTable } from './table';

export interface ChannelResult {
  channel: string;
  target: string;
  status: 'sent' | 'failed' | 'skipped';
  error?: string;
}

/** The per-channel list: the answer itself when it is an array, else its one array field. */
export function channelResults(body: unknown): ChannelResult[] {
  if (Array.isArray(body)) return body as ChannelResult[];
  if (body !== null && typeof body === 'object') {
    const lists = Object.values(body).filter(Array.isArray);
    if (lists.length === 1) return lists[0] as ChannelResult[];
  }
  throw new CommandFailure(`POST ${GEO_PATH}/alerts/test answered something that is not a list of channels`);
}

export async function run(
  args: string[],
  io: CommandIO,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  let job: (() => Promise<number>) | null = null;
  const program = operatorProgram('alerts', 'Alert channels.', io);
  const test = withCommonOptions(new Command('test'), io, 'alerts test')
    .description('Send a test alert to every configured channel (email, SMS, webhook, PagerDuty).')
    .action((opts: CommonOptions) => {
      job = async () => {
        const ctx = contextFor(opts, io, env);
        const body = await ctx.client.request<unknown>('POST', `${GEO_PATH}/alerts/test`, {
          body: {},
        });
        const results = channelResults(body);
        if (ctx.json) ctx.printJson(body);
        else if (results.length === 0) io.out('no alert channels are configured');
        else {
          const rows = results.map((r) => [r.channel, r.target, r.status, r.error ?? '']);
          const columns = ['CHANNEL', 'TARGET', 'STATUS', 'ERROR'].map((header) => ({ header }));
          const { c } = ctx;
          const paint = (text: string, row: number, col: number) => {
            if (col !== 2) return text;
            const s = results[row]!.status;
            return s === 'sent' ? c.green(text) : s === 'failed' ? c.red(text) : c.dim(text);
          };
          for (const line of formatTable(columns, rows, paint)) io.out(line);
        }
        const failed = results.filter((r) => r.status === 'failed');
        if (failed.length > 0) {
          io.err(
            `geored alerts test: ${failed.length} of ${results.length} channel(s) failed: ${failed.map((f) => `${f.channel} ${f.target}${f.error ? ` (${f.error})` : ''}`).join('; ')}`,
          );
          return 1;
        }
        if (results.length === 0) {
          io.err('geored alerts test: no alert channels are configured, so nothing was sent');
          return 1;
        }
        return 0;
      };
    });
  program.addCommand(test);
  return runProgram(program, 'alerts test', args, io, () => job?.() ?? null);
}
