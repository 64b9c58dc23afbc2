/**
 * Architecture rules, checked in CI by `npm run deps` (part of `npm test`). docs/architecture.md states
 * each rule in words; test/deps/rules.test.ts proves each one fails on a fixture that breaks it.
 */

/** Packages and Node modules that do I/O: a decision, the API layer or the call path's logic never touches them. */
const IO_PACKAGES =
  '(^|/)node_modules/(ioredis|pg|pg-[a-z-]+|better-sqlite3|fastify|@fastify/[a-z-]+|nodemailer)/';
const IO_CORE =
  '^(node:)?(net|dgram|tls|fs|fs/promises|http|https|http2|dns|dns/promises|child_process|worker_threads|cluster)$';

/** Decision modules: pure functions of state, configuration and clock (decide-*.ts, *-decide.ts, and the
 * replication planner's plan-*.ts and check-*.ts). */
const DECISION = '^src/.*(/decide-[a-z0-9-]+|-decide)\\.ts$|^src/replication/(plan|check)-[a-z0-9-]+\\.ts$';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No circular imports anywhere.',
      from: {},
      to: { circular: true },
    },
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
      comment:
        'Transactions see messages, timers and the transport interface only; never sockets or upper layers.',
      from: { path: '^src/sip/transaction/' },
      to: { path: '^src/sip/(auth|stack)/|^src/sip/transport/(?!types)|^src/(?!sip/|errors/)' },
    },
    {
      name: 'sip-core-does-not-import-the-product',
      severity: 'error',
      comment:
        'src/sip is a SIP library; routing, health and the proxy build on it, not the other way round.',
      from: { path: '^src/sip/' },
      to: { path: '^src/(?!sip/|errors/)' },
    },
    {
      name: 'decisions-import-no-io-module',
      severity: 'error',
      comment: 'Decision modules are pure: no socket, file, DNS, process or database module.',
      from: { path: DECISION },
      to: { path: IO_CORE, dependencyTypes: ['core'] },
    },
    {
      name: 'decisions-import-no-io-package',
      severity: 'error',
      comment: 'Decision modules are pure: no Redis, database, HTTP server or mail package.',
      from: { path: DECISION },
      to: { path: IO_PACKAGES },
    },
    {
      name: 'decisions-import-no-stateful-layer',
      severity: 'error',
      comment:
        'Decision modules see values, not the parts that hold state or do I/O: nothing of live state, the ' +
        'service, the store (its types aside), the API, the app, the SIP stack, transports or DNS, the probe ' +
        'monitor or the check methods.',
      from: { path: DECISION },
      to: {
        path:
          '^src/(live|geo|api|app|cli|demo)/|^src/store/(?!types\\.ts$)|' +
          '^src/sip/(stack|transport|dns)/|^src/health/(monitor|checks/)',
      },
    },
    {
      name: 'api-talks-to-the-facade-interface',
      severity: 'error',
      comment:
        'src/api is a thin layer over the service: it imports its own plugins and schemas, the error ' +
        'catalogue, model values and type modules (src/*/types.ts, src/*/*-types.ts), and the metrics registry for /metrics; ' +
        'never an implementation of the service, the store, live state or the call path.',
      from: { path: '^src/api/' },
      to: { path: '^src/(?!api/|errors/|model/|metrics/registry\\.ts$|[a-z-]+/[a-z-]*types\\.ts$)' },
    },
    {
      name: 'api-imports-no-storage-package',
      severity: 'error',
      comment: 'src/api never talks to Redis or a database itself: the service does.',
      from: { path: '^src/api/' },
      to: { path: '(^|/)node_modules/(ioredis|pg|better-sqlite3)/' },
    },
    {
      name: 'proxy-uses-sip-routing-and-types-only',
      severity: 'error',
      comment:
        'The call path builds on src/sip, routing decisions, health decision types and type modules; it never ' +
        'reaches into the service, live state, the store, the API or the monitor (they are injected).',
      from: { path: '^src/proxy/' },
      to: {
        path:
          '^src/(geo|live|api|app|cli|failover|demo|alerts|replication)/|^src/store/(?!types\\.ts$)|' +
          '^src/health/(?!decide-health-types\\.ts$)',
      },
    },
    {
      name: 'proxy-imports-no-storage-package',
      severity: 'error',
      comment: 'The call path never talks to Redis or a database itself.',
      from: { path: '^src/proxy/' },
      to: { path: '(^|/)node_modules/(ioredis|pg|better-sqlite3|fastify)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(node_modules|dist)' },
  },
};
