import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../test/helpers/ports';
import { startGeored, waitActive } from '../benchmarks/lib/geored';
import { sleep } from '../benchmarks/lib/processes';
import { runUac, startRegionUas } from '../benchmarks/lib/sipp';
import { readPcap, startCapture } from '../benchmarks/lib/wire';

const dir = mkdtempSync(join(tmpdir(), 'wl-'));
const ports = [await freePort(), await freePort()];
const regions = [];
for (const p of ports) regions.push(await startRegionUas(p, dir));
const g = await startGeored({ dir, regionPorts: ports, health: { interval: 1, timeout: 0.25, retry_count: 2 }, provisionalTimeoutMs: 500, nodeArgs: process.argv.slice(2) });
await sleep(1500);
await waitActive(g, 'region-1', 10000);
const place = async (n: number) => runUac({ target: `127.0.0.1:${g.sipPort}`, port: await freePort(), rate: 100, calls: n, limit: 1000, cwd: dir });
await place(500);
await sleep(1000);
const file = join(dir, 'g.pcap');
const cap = await startCapture(g.sipPort, file);
await place(3000);
await sleep(200);
await cap.stop();
// INVITE in (to sipPort) -> INVITE out (from sipPort), by Call-ID
const d = readPcap(file);
const callId = (p: string) => /\r\nCall-ID:\s*([^\r]+)/i.exec(p)?.[1];
const inAt = new Map<string, number>();
const slow: Array<[number, number]> = [];
let t0 = 0;
for (const x of d) {
  if (!x.payload.startsWith('INVITE ')) continue;
  const id = callId(x.payload)!;
  if (x.dstPort === g.sipPort) { if (!inAt.has(id)) inAt.set(id, x.tUs); if (!t0) t0 = x.tUs; }
  else if (x.srcPort === g.sipPort && inAt.has(id)) { const l = x.tUs - inAt.get(id)!; if (l > 2000) slow.push([(inAt.get(id)! - t0) / 1000, l / 1000]); inAt.delete(id); }
}
console.log('slow INVITEs (>2ms):', slow.length);
let prev = 0;
for (const [t, l] of slow) { console.log(`t=${t.toFixed(1)} ms  latency=${l.toFixed(2)} ms  since previous slow: ${(t - prev).toFixed(0)} ms`); prev = t; }
await g.stop();
for (const r of regions) await r.stop();
