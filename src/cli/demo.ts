/**
 * `geored demo` (what `npm start` runs): three simulated regional providers, geored routing a demo PBX's
 * calls through them, and the admin panel, on loopback. Prints one short block: the panel's URL, a fresh
 * sign-in token, and what to try. Ctrl-C (SIGINT) or SIGTERM stops everything and frees every port.
 * A default port already taken is replaced by a free one, and the block says so.
 */
import { anyTcpPort, anyUdpPort, tcpFree, udpFree } from '../demo/ports';
import { startDemo } from '../demo/run';

interface IO {
  out(line: string): void;
  err(line: string): void;
}

const USAGE = [
  'usage: geored demo [--api-port N] [--sip-port N]',
  '',
  'Runs a self-contained demo on loopback: three simulated trunk providers, geored, a PBX placing calls,',
  'and the admin panel. Defaults: API and panel on 127.0.0.1:8080, SIP on 127.0.0.1:5060 (a taken port is',
  'replaced by a free one). Stop it with Ctrl-C.',
].join('\n');

function parsePort(v: string | undefined, name: string): number | string {
  if (v === undefined) return `${name} needs a port number`;
  const n = Number(v);
  return Number.isInteger(n) && n >= 0 && n <= 65535 ? n : `${name}: '${v}' is not a port (0-65535)`;
}

function parseArgs(
  args: string[],
): { api: number; sip: number; apiGiven: boolean; sipGiven: boolean } | string {
  const out = { api: 8080, sip: 5060, apiGiven: false, sipGiven: false };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const [flag, inline] = a.includes('=')
      ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]
      : [a, undefined];
    if (flag !== '--api-port' && flag !== '--sip-port') return `unknown argument '${a}'`;
    const p = parsePort(inline ?? args[++i], flag);
    if (typeof p === 'string') return p;
    if (flag === '--api-port') Object.assign(out, { api: p, apiGiven: true });
    else Object.assign(out, { sip: p, sipGiven: true });
  }
  return out;
}

export async function run(args: string[], io: IO): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.out(USAGE);
    return 0;
  }
  const parsed = parseArgs(args);
  if (typeof parsed === 'string') {
    io.err(`geored demo: ${parsed}\n\n${USAGE}`);
    return 2;
  }
  const notes: string[] = [];
  let { api, sip } = parsed;
  if (api !== 0 && !(await tcpFree(api))) {
    if (parsed.apiGiven) {
      io.err(`geored demo: port ${api} (--api-port) is already in use; choose another with --api-port N`);
      return 1;
    }
    const free = await anyTcpPort();
    notes.push(`Port ${api} was taken, so the panel is on ${free} (choose with --api-port N).`);
    api = free;
  }
  if (sip !== 0 && !(await udpFree(sip))) {
    if (parsed.sipGiven) {
      io.err(`geored demo: UDP port ${sip} (--sip-port) is already in use; choose another with --sip-port N`);
      return 1;
    }
    const free = await anyUdpPort();
    notes.push(`SIP port ${sip} was taken, so geored's SIP is on ${free} (choose with --sip-port N).`);
    sip = free;
  }
  if (sip === 0) sip = await anyUdpPort();

  const stopSignal = new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  let demo;
  try {
    demo = await startDemo({ apiPort: api, sipPort: sip });
  } catch (err) {
    io.err(`geored demo: could not start: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
  io.out(
    [
      '',
      '  geored demo is running: three simulated regions, a PBX placing calls, the admin panel.',
      '',
      `  Admin panel   ${demo.panelUrl}`,
      `  Sign-in token ${demo.token}`,
      `  SIP (PBX)     udp:127.0.0.1:${sip}      logs: ${demo.logFile}`,
      ...notes.map((n) => `  ${n}`),
      '',
      '  Try: on the Overview, press "Blackhole" on the active region (us-east-1) and watch it go DOWN,',
      '  the calls move to us-west-1 with none failing, and the failover appear in History. Then "Repair".',
      '  Ctrl-C stops everything. For a real deployment: cp config.example.yml config.yml, edit the',
      '  regions and tokens, then run: geored serve --config config.yml',
      '',
    ].join('\n'),
  );
  const signal = await stopSignal;
  io.out(`  ${signal} received: stopping the demo…`);
  await demo.close();
  io.out('  stopped.');
  return 0;
}
