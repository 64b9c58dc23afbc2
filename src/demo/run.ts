/**
 * `geored demo`, composed: three simulated providers on loopback, a geored configured with them (fast
 * health profile, so a failure is seen in about two seconds), the demo PBX placing a call every couple
 * of seconds, and the admin panel with the demo's break/repair route. `close()` stops all of it.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { startGeored, type Geored } from '../app/start';
import { parseConfig } from '../config';
import { DemoPbx } from './pbx';
import { DemoProvider, type Fault } from './provider';
import { demoRoutes } from './routes';

export const DEMO_REGIONS = [
  { name: 'us-east-1', location: 'Virginia, USA', user: 'demo-east' },
  { name: 'us-west-1', location: 'Oregon, USA', user: 'demo-west' },
  { name: 'eu-west-1', location: 'Dublin, Ireland', user: 'demo-eu' },
] as const;

export interface DemoOptions {
  readonly apiPort: number;
  readonly sipPort: number;
  /** Where geored's JSON log lines go (the terminal gets one short block). */
  readonly logFile?: string;
  /** A new call every this many ms (default 2000). */
  readonly callEveryMs?: number;
}

export interface Demo {
  readonly panelUrl: string;
  readonly apiUrl: string;
  readonly token: string;
  readonly logFile: string;
  readonly geored: Geored;
  readonly pbx: DemoPbx;
  readonly providers: ReadonlyMap<string, DemoProvider>;
  close(): Promise<void>;
}

export function demoConfigText(o: {
  providers: readonly { name: string; location: string; user: string; port: number }[];
  apiPort: number;
  sipPort: number;
  pbxPort: number;
  store: string;
}): string {
  return [
    '# geored demo: three simulated providers on loopback, a fast health profile.',
    'features:',
    '  geographic_redundancy:',
    '    health_check:',
    '      interval: 0.5',
    '      timeout: 0.8',
    '      retry_count: 2',
    '      success_threshold: 2',
    '      jitter: 0',
    '      latency_warning_ms: 300',
    '    failover:',
    '      automatic: true',
    '      flap_guard: { max_switches: 30, window: 60 }',
    '    regions:',
    ...o.providers.flatMap((p, i) => [
      `      - name: ${p.name}`,
      `        priority: ${i + 1}`,
      `        trunk_id: trunk-${p.name}`,
      `        sip_server: "127.0.0.1:${p.port}"`,
      `        location: "${p.location} (simulated)"`,
      '        credentials:',
      `          username: ${p.user}`,
      `          password: env:GEORED_DEMO_PASSWORD_${i}`,
      `          realm: ${p.name}.demo`,
      '          expires: 300',
    ]),
    'server:',
    '  sip:',
    `    listen: ["udp:127.0.0.1:${o.sipPort}"]`,
    '  api:',
    `    listen: "127.0.0.1:${o.apiPort}"`,
    `  store: "${o.store}"`,
    '  tokens:',
    '    - { name: demo-admin, role: admin, token: "env:GEORED_DEMO_TOKEN" }',
    '  log_level: info',
    'proxy:',
    '  provisional_timeout_ms: 300',
    'pbx:',
    `  address: "udp:127.0.0.1:${o.pbxPort}"`,
    '',
  ].join('\n');
}

export async function startDemo(opts: DemoOptions): Promise<Demo> {
  const dir = mkdtempSync(join(tmpdir(), 'geored-demo-'));
  const logFile = opts.logFile ?? join(dir, 'geored.log');
  const logger: Logger = pino({ level: 'info' }, pino.destination({ dest: logFile, sync: false }));
  const token = randomBytes(24).toString('base64url');
  const passwords = DEMO_REGIONS.map(() => randomBytes(12).toString('base64url'));
  const providers = new Map<string, DemoProvider>();
  let pbx: DemoPbx | null = null;
  let geored: Geored | null = null;
  const cleanup = async () => {
    await pbx?.close().catch(() => undefined);
    await geored?.close().catch(() => undefined);
    for (const p of providers.values()) await p.close().catch(() => undefined);
    logger.flush();
    rmSync(join(dir, 'demo.db'), { force: true });
  };
  try {
    for (const [i, r] of DEMO_REGIONS.entries()) {
      providers.set(
        r.name,
        await DemoProvider.start({
          name: r.name,
          port: 0,
          username: r.user,
          password: passwords[i]!,
          realm: `${r.name}.demo`,
          slowMs: 450,
          logger: logger.child({ component: `demo-${r.name}` }),
        }),
      );
    }
    pbx = await DemoPbx.start({
      geored: { protocol: 'udp', address: '127.0.0.1', port: opts.sipPort },
      port: 0,
      everyMs: opts.callEveryMs ?? 2000,
      talkMs: 4000,
      logger: logger.child({ component: 'demo-pbx' }),
    });
    const text = demoConfigText({
      providers: DEMO_REGIONS.map((r) => ({ ...r, port: providers.get(r.name)!.port })),
      apiPort: opts.apiPort,
      sipPort: opts.sipPort,
      pbxPort: pbx.endpoint.port,
      store: `sqlite:${join(dir, 'demo.db')}`,
    });
    const env: NodeJS.ProcessEnv = {
      GEORED_DEMO_TOKEN: token,
      ...Object.fromEntries(passwords.map((p, i) => [`GEORED_DEMO_PASSWORD_${i}`, p])),
    };
    const config = parseConfig(text, '<geored demo>', env);
    const control = {
      regions: () => [...providers.entries()].map(([name, p]) => ({ name, fault: p.fault })),
      setFault: (region: string, fault: Fault) => {
        const p = providers.get(region);
        if (!p) return false;
        p.fault = fault;
        logger.info(
          { region, fault },
          `demo: ${region} ${fault === 'none' ? 'repaired' : `broken (${fault})`}`,
        );
        return true;
      },
      calls: () => pbx!.counts,
    };
    geored = await startGeored({ config, logger, extraRoutes: [demoRoutes(control)] });
    pbx.start();
  } catch (err) {
    await cleanup();
    throw err;
  }
  const apiUrl = `http://127.0.0.1:${geored.apiAddress.port}`;
  let closing: Promise<void> | null = null;
  return {
    panelUrl: `${apiUrl}/admin`,
    apiUrl,
    token,
    logFile,
    geored,
    pbx,
    providers,
    close: () => (closing ??= cleanup()),
  };
}
