/**
 * A simulated regional trunk provider for `geored demo`, built on geored's own SIP core: it answers
 * OPTIONS, challenges REGISTER with Digest and then accepts it, and answers calls (100, 180, 200 with an
 * SDP answer; BYE 200). Faults make it misbehave on demand: blackhole (no answer at all), 503 to
 * everything, slow answers (beyond the fast health profile's timeout), or REGISTER refused with 403.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { DigestServer } from '../sip/auth';
import { createResponse, newTag, type SipRequest } from '../sip/message';
import { SipStack, type ServerTx } from '../sip/stack';

export const FAULTS = ['none', 'blackhole', 'error-503', 'slow', 'refuse-registration'] as const;
export type Fault = (typeof FAULTS)[number];

export interface ProviderOptions {
  readonly name: string;
  readonly port: number;
  readonly username: string;
  readonly password: string;
  readonly realm: string;
  /** How late a slow provider answers, ms. */
  readonly slowMs: number;
  readonly logger: Logger;
}

const SDP_ANSWER = (port: number) =>
  [
    'v=0',
    `o=demo ${Date.now()} 1 IN IP4 127.0.0.1`,
    's=geored demo',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    `m=audio ${port} RTP/AVP 0`,
    'a=rtpmap:0 PCMU/8000',
    '',
  ].join('\r\n');

export class DemoProvider {
  fault: Fault = 'none';
  readonly counts = { options: 0, registers: 0, invites: 0 };
  private readonly digest: DigestServer;
  private readonly timers = new Set<NodeJS.Timeout>();

  private constructor(
    readonly opts: ProviderOptions,
    private readonly stack: SipStack,
  ) {
    this.digest = new DigestServer({
      realm: opts.realm,
      secret: randomBytes(32),
      algorithms: ['SHA-256', 'MD5'],
      lookup: (user) => (user === opts.username ? { password: opts.password } : undefined),
    });
    stack.onRequest((req, tx) => this.onRequest(req, tx));
  }

  static async start(opts: ProviderOptions): Promise<DemoProvider> {
    const stack = await SipStack.create({
      listen: [{ protocol: 'udp', address: '127.0.0.1', port: opts.port }],
      logger: opts.logger,
    });
    return new DemoProvider(opts, stack);
  }

  get port(): number {
    return this.stack.endpoints()[0]!.port;
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await this.stack.close();
  }

  private later(ms: number, f: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      f();
    }, ms);
    this.timers.add(t);
  }

  private onRequest(req: SipRequest, tx: ServerTx): void {
    // Blackholed: a deliberate silence; the transaction times out and leaves nothing behind.
    if (this.fault === 'blackhole') return;
    if (this.fault === 'error-503' && req.method !== 'ACK') {
      tx.respond(createResponse(req, 503, 'Service Unavailable'));
      return;
    }
    switch (req.method) {
      case 'OPTIONS':
        this.counts.options++;
        this.answer(req, tx, 200, 'OK');
        return;
      case 'REGISTER':
        this.counts.registers++;
        this.register(req, tx);
        return;
      case 'INVITE':
        this.counts.invites++;
        this.invite(req, tx);
        return;
      case 'BYE':
      case 'CANCEL':
        tx.respond(createResponse(req, 200, 'OK'));
        return;
      default:
        tx.respond(createResponse(req, 405, 'Method Not Allowed'));
    }
  }

  private answer(req: SipRequest, tx: ServerTx, status: number, reason: string): void {
    const send = () => tx.respond(createResponse(req, status, reason));
    if (this.fault === 'slow') this.later(this.opts.slowMs, send);
    else send();
  }

  private register(req: SipRequest, tx: ServerTx): void {
    if (this.fault === 'refuse-registration') {
      tx.respond(createResponse(req, 403, 'Forbidden'));
      return;
    }
    const now = Date.now();
    const auth = req.headers.getAll('Authorization');
    if (auth.length === 0) {
      const res = createResponse(req, 401, 'Unauthorized');
      for (const v of this.digest.challenge(now)) res.headers.append('WWW-Authenticate', v);
      tx.respond(res);
      return;
    }
    const verdict = this.digest.verify(auth, { method: 'REGISTER', uri: req.uri }, now);
    if (!verdict.ok) {
      const res = createResponse(
        req,
        verdict.stale ? 401 : 403,
        verdict.stale ? 'Unauthorized' : 'Forbidden',
      );
      if (verdict.stale)
        for (const v of this.digest.challenge(now, { stale: true }))
          res.headers.append('WWW-Authenticate', v);
      tx.respond(res);
      return;
    }
    const res = createResponse(req, 200, 'OK');
    const contact = req.headers.get('Contact');
    const expires = req.headers.get('Expires') ?? '300';
    if (contact) res.headers.set('Contact', `${contact.replace(/;expires=\d+/i, '')};expires=${expires}`);
    res.headers.set('Expires', expires);
    tx.respond(res);
  }

  private invite(req: SipRequest, tx: ServerTx): void {
    const tag = newTag();
    const ring = () => tx.respond(createResponse(req, 180, 'Ringing', { toTag: tag }));
    const ok = () => {
      const res = createResponse(req, 200, 'OK', { toTag: tag });
      res.headers.set('Contact', `<sip:${this.opts.name}@127.0.0.1:${this.port}>`);
      res.headers.set('Content-Type', 'application/sdp');
      res.body = Buffer.from(SDP_ANSWER(40000 + (this.port % 1000)));
      tx.respond(res);
    };
    if (this.fault === 'slow') {
      // Slow but alive: rings at once, answers late (calls still complete, probes see the latency).
      ring();
      this.later(this.opts.slowMs, ok);
      return;
    }
    ring();
    this.later(50, ok);
  }
}
