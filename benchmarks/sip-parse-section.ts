import type { BenchSection } from './run';
import { benchSipParse } from './sip-parse';

/** The targets are for INVITEs; the call-mix rows are shown for context. */
function targetOf(name: string): number | undefined {
  if (!/: INVITE /.test(name)) return undefined;
  return name.includes('edit') ? 150_000 : 250_000;
}

export const section: BenchSection = {
  name: 'sip-parse',
  about:
    'Single-core throughput of the message layer on a corpus of typical INVITE/180/200/ACK/BYE: the proxy fast path ' +
    '(start line, Via, From/To tags, Call-ID, CSeq, Max-Forwards, Route, Content-Length) and parse + edit ' +
    '(add Via and Record-Route, decrement Max-Forwards) + serialize. Targets: 250,000 INVITE/s and 150,000/s. ' +
    'CPU time, best of 8 rounds in one process; on the 2-core VM these figures moved by up to a third between ' +
    'processes run minutes apart (155,000 to 257,000 INVITE/s on 2026-11-26), so compare several runs.',
  async run() {
    const results = await benchSipParse();
    const rows = results.map((r) => {
      const target = targetOf(r.name);
      const verdict = target === undefined ? '' : r.opsPerSec >= target ? 'met' : 'NOT met';
      return `| ${r.name} | ${Math.round(r.opsPerSec).toLocaleString('en-US')} | ${target?.toLocaleString('en-US') ?? ''} | ${verdict} | ${r.note ?? ''} |`;
    });
    return ['| measurement | ops/s | target | | note |', '|---|---:|---:|---|---|', ...rows].join('\n');
  },
};
