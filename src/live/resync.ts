import type { Redis } from 'ioredis';
import type { LiveCache } from './cache';
import { fromFields, nextVersion, pairsToFields, toFields, type LiveRecord } from './records';
import type { RedisKeys } from './redis-keys';
import { ADD_TO_COUNTER, MERGE_RECORD } from './redis-scripts';

export interface ResyncContext {
  readonly cache: LiveCache;
  readonly cmd: Redis;
  readonly sub: Redis;
  readonly keys: RedisKeys;
  readonly instanceId: string;
  /** Ids written locally while out of sync; emptied as they are pushed. */
  readonly dirty: Set<string>;
  /** Counts made locally while out of sync; emptied as they are added. */
  readonly pendingCounts: Map<string, number>;
}

export interface ResyncOutcome {
  /** Local records and counts Redis took from us. */
  pushed: number;
  /** Records and counters we took from Redis. */
  pulled: number;
}

/**
 * Brings this instance and Redis back in step after a (re)connection. Order matters: subscribe first, so
 * a change made while we read cannot fall between the read and the subscription; then offer every local
 * record (Redis keeps whichever copy is newer, so changes made here while Redis was away win only if they
 * are newer, and a Redis that restarted empty gets everything back); then pull what we do not have; last,
 * push whatever was written locally while this ran, until nothing is left.
 */
export async function resynchronise(ctx: ResyncContext): Promise<ResyncOutcome> {
  const outcome: ResyncOutcome = { pushed: 0, pulled: 0 };
  await ctx.sub.subscribe(ctx.keys.channel);

  ctx.dirty.clear();
  for (const record of ctx.cache.all()) await offer(ctx, record.id, outcome);
  for (const name of new Set([...ctx.cache.counterNames(), ...ctx.pendingCounts.keys()])) {
    await pushCounter(ctx, name, outcome);
  }
  await pull(ctx, outcome);

  while (ctx.dirty.size > 0 || ctx.pendingCounts.size > 0) {
    const ids = [...ctx.dirty];
    ctx.dirty.clear();
    for (const id of ids) await offer(ctx, id, outcome);
    for (const name of [...ctx.pendingCounts.keys()]) await pushCounter(ctx, name, outcome);
  }
  return outcome;
}

async function offer(ctx: ResyncContext, id: string, outcome: ResyncOutcome): Promise<void> {
  // The newest local copy at the time of sending, not the one seen when the resync started.
  const record = ctx.cache.get(id);
  if (!record) return;
  const fields = toFields(record);
  let reply: unknown;
  try {
    reply = await MERGE_RECORD.run(
      ctx.cmd,
      [ctx.keys.record(id), ctx.keys.index],
      [ctx.keys.channel, id, record.data.version, record.data.updatedBy, ...Object.entries(fields).flat()],
    );
  } catch (e) {
    ctx.dirty.add(id);
    throw e;
  }
  const [result, pairs] = reply as [string, unknown[]];
  if (result === 'pushed') {
    outcome.pushed++;
    return;
  }
  applyRemote(ctx, id, pairs, outcome);
}

async function pushCounter(ctx: ResyncContext, name: string, outcome: ResyncOutcome): Promise<void> {
  const pending = ctx.pendingCounts.get(name) ?? 0;
  ctx.pendingCounts.delete(name);
  let reply: unknown;
  try {
    reply = await ADD_TO_COUNTER.run(
      ctx.cmd,
      [ctx.keys.counters, ctx.keys.counterVersions],
      [
        ctx.keys.channel,
        name,
        pending,
        nextVersion(ctx.cache.counterSeq(name), Date.now()),
        ctx.instanceId,
        // Redis without this counter (it lost its data) starts from our whole count, pending included.
        ctx.cache.getCounter(name),
      ],
    );
  } catch (e) {
    ctx.pendingCounts.set(name, (ctx.pendingCounts.get(name) ?? 0) + pending);
    throw e;
  }
  const [value, seq] = reply as [number, string];
  if (pending !== 0) outcome.pushed++;
  ctx.cache.applyCounter(name, Number(value), Number(seq), 'remote');
}

async function pull(ctx: ResyncContext, outcome: ResyncOutcome): Promise<void> {
  const ids = await ctx.cmd.smembers(ctx.keys.index);
  const unknown = ids.filter((id) => !ctx.cache.get(id));
  if (unknown.length > 0) {
    const pipeline = ctx.cmd.pipeline();
    for (const id of unknown) pipeline.hgetall(ctx.keys.record(id));
    const replies = (await pipeline.exec()) ?? [];
    unknown.forEach((id, i) => {
      const [error, fields] = replies[i] ?? [null, null];
      if (!error && fields) applyRecord(ctx, fromFields(id, fields as Record<string, string>), outcome);
    });
  }
  const [values, versions] = await Promise.all([
    ctx.cmd.hgetall(ctx.keys.counters),
    ctx.cmd.hgetall(ctx.keys.counterVersions),
  ]);
  for (const [name, value] of Object.entries(values)) {
    if (ctx.cache.applyCounter(name, Number(value), Number(versions[name] ?? 0), 'remote')) outcome.pulled++;
  }
}

function applyRemote(ctx: ResyncContext, id: string, pairs: unknown[], outcome: ResyncOutcome): void {
  applyRecord(ctx, fromFields(id, pairsToFields(pairs)), outcome);
}

function applyRecord(ctx: ResyncContext, record: LiveRecord | null, outcome: ResyncOutcome): void {
  if (record && ctx.cache.apply(record, 'remote')) outcome.pulled++;
}
