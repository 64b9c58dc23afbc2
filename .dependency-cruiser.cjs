/** Architecture rules, checked in CI by `npm run deps` (part of `npm test`). */
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'No circular imports anywhere.', from: {}, to: { circular: true } },
    {
      name: 'sip-messages-are-the-bottom-layer',
      severity: 'error',
      comment: 'RFC 3261 layering: the message layer knows nothing above it.',
      from: { path: '^src/sip/message/' },
      to: { path: '^src/sip/(transaction|transport|auth|stack)/|^src/(?!sip/|errors/)' },
    },
    {
      name: 'transactions-import-only-messages-timers-transport-interface',
      severity: 'error',
      comment: 'Transactions see messages, timers and the transport interface only; never sockets or upper layers.',
      from: { path: '^src/sip/transaction/' },
      to: { path: '^src/sip/(auth|stack)/|^src/sip/transport/(?!types)|^src/(?!sip/|errors/)' },
    },
    {
      name: 'sip-core-does-not-import-the-product',
      severity: 'error',
      comment: 'src/sip is a SIP library; routing, health and the proxy build on it, not the other way round.',
      from: { path: '^src/sip/' },
      to: { path: '^src/(?!sip/|errors/)' },
    },
    {
      name: 'decisions-are-pure',
      severity: 'error',
      comment: 'Decision modules are pure functions of state, configuration and clock: no I/O.',
      from: { path: '^src/(health|failover|routing)/decide|^src/replication/(decide|plan|check)' },
      to: { path: '^(node:)?(net|dgram|tls|fs|http|https|child_process)$|^src/(store|api|proxy|sip/transport)/', dependencyTypes: ['core', 'local'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(node_modules|dist)' },
  },
};
