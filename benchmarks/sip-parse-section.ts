import type { BenchSection } from './run';
import { benchSipParse } from './sip-parse';

const TARGETS: Record<string, number> = { parse: 250_000, 'parse+edit+serialize': 150_000 };

export const section: BenchSection = {
  name: 'sip-parse',
  about:
    'Single-core throughput of the message layer on a corpus of typical INVITE/180/200/ACK/BYE: the proxy fast path ' +
    '(start line, Via, From/To tags, Call-ID, CSeq, Max-Forwards, Route, Content-Length) and parse + edit ' +
    '(add Via and Record-Route, decrement Max-Forwards) + serialize. Targets: 250,000 INVITE/s and 150,000/s.',
  async run() {
    const results = await benchSipParse();
    const rows = results.map((r) => {
      // Longest key first: 'parse+edit+serialize' also contains 'parse'.
      const target = Object.entries(TARGETS)
        .sort((a, b) => b[0].length - a[0].length)
        .find(([k]) => r.name.includes(k))?.[1];
      const verdict = target === undefined ? '' : r.opsPerSec >= target ? 'met' : 'NOT met';
      return `| ${r.name} | ${Math.round(r.opsPerSec).toLocaleString('en-US')} | ${target?.toLocaleString('en-US') ?? ''} | ${verdict} | ${r.note ?? ''} |`;
    });
    return ['| measurement | ops/s | target | | note |', '|---|---:|---:|---|---|', ...rows].join('\n');
  },
};
