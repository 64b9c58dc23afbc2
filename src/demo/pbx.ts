/**
 * The demo's simulated PBX: places a trickle of calls through geored (INVITE, ACK, a few seconds of
 * "talk", BYE), built on geored's SIP core like any UA (RFC 3261 §12-§15: route set from Record-Route,
 * ACK for a 2xx as its own request, BYE within the dialog). It counts what a newcomer wants to see: calls
 * placed, answered and failed.
 */
import type { Logger } from 'pino';
import {
  createResponse,
  formatNameAddr,
  newCallId,
  newTag,
  type SipRequest,
  type SipResponse,
} from '../sip/message';
import { SipStack, buildRequest } from '../sip/stack';
import type { Endpoint } from '../sip/transport/types';

export interface PbxOptions {
  /** geored's SIP address. */
  readonly geored: Endpoint;
  /** Where the PBX listens (its address is the configured pbx.address). */
  readonly port: number;
  /** A new call every this many ms. */
  readonly everyMs: number;
  /** How long an answered call lasts, ms. */
  readonly talkMs: number;
  readonly logger: Logger;
}

export interface PbxCounts {
  placed: number;
  answered: number;
  failed: number;
  in_progress: number;
}

const OFFER = [
  'v=0',
  'o=pbx 1 1 IN IP4 127.0.0.1',
  's=demo call',
  'c=IN IP4 127.0.0.1',
  't=0 0',
  'm=audio 30000 RTP/AVP 0',
  'a=rtpmap:0 PCMU/8000',
  '',
].join('\r\n');

export class DemoPbx {
  readonly counts: PbxCounts = { placed: 0, answered: 0, failed: 0, in_progress: 0 };
  /** Why each failed call failed (status and reason), newest last, for the demo test and the console. */
  readonly failures: string[] = [];
  private timer: NodeJS.Timeout | null = null;
  private readonly talks = new Set<NodeJS.Timeout>();
  private seq = 0;
  private closed = false;

  private constructor(
    private readonly opts: PbxOptions,
    private readonly stack: SipStack,
  ) {
    // Nothing calls the demo PBX; anything that tries gets a clean refusal.
    stack.onRequest((_req, tx) => {
      tx.respond(createResponse(tx.request, 480, 'Temporarily Unavailable'));
    });
  }

  static async start(opts: PbxOptions): Promise<DemoPbx> {
    const stack = await SipStack.create({
      listen: [{ protocol: 'udp', address: '127.0.0.1', port: opts.port }],
      logger: opts.logger,
    });
    return new DemoPbx(opts, stack);
  }

  get endpoint(): Endpoint {
    return this.stack.endpoints()[0]!;
  }

  start(): void {
    this.timer = setInterval(() => void this.call(), this.opts.everyMs);
    void this.call();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    for (const t of this.talks) clearTimeout(t);
    this.talks.clear();
    await this.stack.close();
  }

  private async call(): Promise<void> {
    if (this.closed) return;
    const local = this.endpoint;
    const n = ++this.seq;
    const to = `sip:+1555010${String(n % 1000).padStart(4, '0')}@127.0.0.1`;
    const fromTag = newTag();
    const callId = newCallId();
    const invite = buildRequest({
      method: 'INVITE',
      uri: to,
      from: `<sip:pbx@127.0.0.1>;tag=${fromTag}`,
      to: `<${to}>`,
      callId,
      cseq: 1,
      contact: `<sip:pbx@127.0.0.1:${local.port}>`,
      contentType: 'application/sdp',
      body: OFFER,
      headers: [['User-Agent', 'geored-demo-pbx']],
    });
    this.counts.placed++;
    this.counts.in_progress++;
    let res: SipResponse;
    try {
      res = await this.stack.sendRequest(invite, this.opts.geored).final;
    } catch (err) {
      this.fail(`error ${(err as Error).message}`);
      return;
    }
    if (res.status < 200 || res.status >= 300) {
      this.fail(`${res.status} ${res.reason}`);
      return;
    }
    this.counts.answered++;
    const dialog = {
      callId,
      from: `<sip:pbx@127.0.0.1>;tag=${fromTag}`,
      to: res.headers.get('To') ?? `<${to}>`,
      remote: res.contacts[0]?.uri ?? to,
      // §12.1.2: the UAC's route set is the Record-Route of the 2xx in reverse order.
      routes: res.recordRoutes.map((r) => formatNameAddr(r)).reverse(),
    };
    const ack = this.inDialog('ACK', dialog, 1);
    this.stack.addVia(ack, this.opts.geored);
    this.stack.sendStateless(ack, this.opts.geored);
    const t = setTimeout(() => {
      this.talks.delete(t);
      this.counts.in_progress--;
      if (this.closed) return;
      // A BYE that goes unanswered (the carrying region broke meanwhile) ends the call all the same.
      void this.stack
        .sendRequest(this.inDialog('BYE', dialog, 2), this.opts.geored)
        .final.catch(() => undefined);
    }, this.opts.talkMs);
    this.talks.add(t);
  }

  private fail(why: string): void {
    this.counts.failed++;
    this.counts.in_progress--;
    this.failures.push(why);
    if (this.failures.length > 50) this.failures.shift();
    this.opts.logger.warn({ why }, 'demo call failed');
  }

  private inDialog(
    method: 'ACK' | 'BYE',
    d: { callId: string; from: string; to: string; remote: string; routes: string[] },
    cseq: number,
  ): SipRequest {
    return buildRequest({
      method,
      uri: d.remote,
      from: d.from,
      to: d.to,
      callId: d.callId,
      cseq,
      headers: d.routes.map((r) => ['Route', r] as [string, string]),
    });
  }
}
