// Prints docs/errors.md from the catalogue, grouped by domain: run it when codes are added, then edit the
// prose by hand. test/errors/catalogue.test.ts checks the doc against the catalogue either way.
import { ALL_ERRORS } from '../src/errors';

const DOMAINS: Record<string, string> = {
  SIP: 'SIP messages (parse errors carry the status an element answers)',
  AUTH: 'Digest authentication',
  TXN: 'SIP transactions',
  TRANSPORT: 'SIP transports',
  CONFIG: 'Configuration',
  STORE: 'Records (SQLite / PostgreSQL)',
  LIVE: 'Live state (memory / Redis)',
  HEALTH: 'Health monitoring',
  CHECK: 'Health-check methods',
  FAILOVER: 'Failover',
  ROUTING: 'Routing',
  PROXY: 'Call path',
  REG: 'Registrations',
  API: 'REST API',
  GEO: 'Geographic redundancy service',
};

const lines = [
  '# Error codes',
  '',
  'Every error geored raises on purpose has a code, a message and the status it maps to: HTTP for the REST',
  'API (errors there are JSON: `{"error": {"code", "message", "field"?}}`), SIP where the error comes from a',
  'SIP message (the status an element answers with). `{name}` marks a value filled in at run time.',
  'The table is checked against the code (src/errors/) by test/errors/catalogue.test.ts.',
];
const byDomain = new Map<string, string[]>();
for (const code of Object.keys(ALL_ERRORS)) {
  const domain = code.split('_')[0]!;
  byDomain.set(domain, [...(byDomain.get(domain) ?? []), code]);
}
for (const [domain, codes] of byDomain) {
  lines.push('', `## ${DOMAINS[domain] ?? domain}`, '', '| code | HTTP | SIP | message |', '|---|---|---|---|');
  for (const code of codes) {
    const spec = ALL_ERRORS[code]!;
    lines.push(`| \`${code}\` | ${spec.http ?? ''} | ${spec.sip ?? ''} | \`${spec.message.replace(/\|/g, '\\|')}\` |`);
  }
}
console.log(lines.join('\n'));
