/**
 * The driver of ONE region's trunk registration: sends REGISTERs, answers digest challenges, and arms the
 * one timer the pure decisions ask for. One Call-ID and a CSeq that only goes up for the registration's
 * whole life (RFC 3261 §10.2.4: a registrar orders refreshes by them).
 */
import type { Logger } from 'pino';
import type { RegionConfig, SipTarget } from '../config/types';
import { answerResponse, DigestClient, parseChallenges } from '../sip/auth';
import { newCallId, newTag, type SipRequest } from '../sip/message';
import type { FinalResponse, RequestHooks, ClientRequest } from '../sip/stack';
import type { Endpoint, TransportProtocol } from '../sip/transport/types';
import { grantedSeconds } from './granted';
import { judgeRegisterResponse, nextRegistrationAction, type RegisterOutcome } from './trunk-decide';
import {
  buildRegister,
  contactUri,
  registrationAddresses,
  type RegistrationAddresses,
} from './trunk-request';
import {
  RegistrationMachine,
  type RegistrationState,
  type RegistrationStatus,
  type TransitionFacts,
} from './trunk-state';
import type { RegistrationTiming } from './trunk-timing';

/** The part of SipStack a registration uses. */
export interface RegistrationStack {
  sendRequest(req: SipRequest, dest: Endpoint, hooks?: RequestHooks): ClientRequest;
  localEndpoint(protocol: TransportProtocol, toward?: Endpoint): Endpoint;
  endpoints(): Endpoint[];
}

/** RFC 3263 resolution of a region's sip_server, in the order to try (TargetCache.resolve fits). */
export type ResolveTarget = (target: SipTarget) => Promise<readonly Endpoint[]>;

export interface TrunkRegistrationDeps {
  readonly stack: RegistrationStack;
  readonly resolve: ResolveTarget;
  readonly timing: RegistrationTiming;
  readonly now: () => number;
  readonly random: () => number;
  readonly log: Logger;
  readonly onState: (status: RegistrationStatus) => void;
}

interface Exchange {
  readonly outcome: RegisterOutcome;
  readonly status: number;
  readonly dest: Endpoint;
  readonly contact: string;
}

export class TrunkRegistration {
  readonly region: string;
  private readonly machine: RegistrationMachine;
  private readonly addresses: RegistrationAddresses;
  private readonly digest: DigestClient;
  private readonly callId = newCallId();
  private readonly fromTag = newTag();
  private cseq = 0;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private inFlight: Promise<void> | null = null;
  /** Where the last binding was made, and with which contact: stop() removes exactly that one. */
  private bound: { dest: Endpoint; contact: string } | null = null;

  constructor(
    readonly config: RegionConfig,
    private readonly deps: TrunkRegistrationDeps,
  ) {
    const creds = config.credentials;
    if (creds === undefined) throw new Error(`region ${config.name} has no credentials`);
    this.region = config.name;
    this.machine = new RegistrationMachine(config.name, deps.now());
    this.addresses = registrationAddresses(config);
    this.digest = new DigestClient({
      credentials: {
        username: creds.username,
        password: creds.password.value,
        ...(creds.realm !== undefined && { realm: creds.realm }),
      },
    });
  }

  get status(): RegistrationStatus {
    return this.machine.status;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule();
  }

  /** Stops refreshing and removes our binding (REGISTER with Expires: 0), waiting at most the unregister bound. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    const bound = this.deps.timing.unregisterTimeoutMs;
    // A REGISTER still in flight may create a binding after we remove it; give it the same bound to land.
    if (this.inFlight) await Promise.race([this.inFlight, delay(bound)]);
    let reason = 'stopped';
    if (this.bound !== null) {
      const result = await this.exchange([this.bound.dest], 0, bound);
      reason =
        result.outcome.kind === 'unregistered'
          ? `stopped: ${result.outcome.reason}`
          : `stopped; removing the binding failed: ${result.outcome.reason}`;
    }
    this.bound = null;
    if (this.machine.state !== 'unregistered') {
      this.change('unregistered', { reason, expiresAt: null });
    }
  }

  private schedule(): void {
    if (!this.running) return;
    const now = this.deps.now();
    const decision = nextRegistrationAction(this.machine.facts(), this.deps.timing, now, this.deps.random());
    if (decision.action === 'wait' || decision.at === null) return;
    this.machine.scheduled(decision.at);
    this.deps.log.debug({ region: this.region, at: decision.at, action: decision.action }, decision.reason);
    clearTimeout(this.timer);
    const action = decision.action;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.inFlight = this.attempt(action === 'refresh').finally(() => (this.inFlight = null));
      },
      Math.max(0, decision.at - now),
    );
  }

  private async attempt(refresh: boolean): Promise<void> {
    const to: RegistrationState =
      refresh && this.machine.state === 'registered' ? 'refreshing' : 'registering';
    this.change(to, { reason: refresh ? 'refreshing before the binding expires' : 'sending REGISTER' });
    let endpoints: readonly Endpoint[];
    try {
      endpoints = await this.deps.resolve(this.config.target);
    } catch (e) {
      this.finish(
        { kind: 'failed', reason: `cannot resolve ${this.config.target.host}: ${(e as Error).message}` },
        null,
      );
      return;
    }
    if (endpoints.length === 0) {
      this.finish(
        { kind: 'failed', reason: `${this.config.target.host} resolves to no usable address` },
        null,
      );
      return;
    }
    const expires = this.config.credentials?.expires ?? 3600;
    const result = await this.exchange(endpoints, expires, this.deps.timing.requestTimeoutMs);
    // Remembered even when stop() came meanwhile: stop() waits for this attempt, then removes the binding.
    if (result.outcome.kind === 'registered') this.bound = { dest: result.dest, contact: result.contact };
    if (!this.running) return;
    this.finish(result.outcome, result.status);
  }

  private finish(outcome: RegisterOutcome, status: number | null): void {
    if (!this.running) return;
    const now = this.deps.now();
    switch (outcome.kind) {
      case 'registered':
        this.change('registered', {
          reason: outcome.reason,
          lastStatus: status,
          expiresAt: now + outcome.grantedSeconds * 1000,
          granted: { seconds: outcome.grantedSeconds, at: now },
        });
        break;
      case 'rejected':
        this.change('rejected', { reason: outcome.reason, lastStatus: status });
        break;
      default:
        // 'unregistered', 'authenticate' and 'retry-expires' never end an exchange for a positive expiry.
        this.change('failed', { reason: outcome.reason, lastStatus: status });
    }
    this.schedule();
  }

  /**
   * One REGISTER and the requests that follow from its answers (digest challenges, a 423), to each endpoint
   * in turn while the failure is the endpoint's (no answer, transport error).
   */
  private async exchange(
    endpoints: readonly Endpoint[],
    expires: number,
    timeoutMs: number,
  ): Promise<Exchange> {
    let last: Exchange | null = null;
    for (const dest of endpoints) {
      last = await this.exchangeWith(dest, expires, timeoutMs);
      const noAnswer = last.outcome.kind === 'failed' && (last.status === 408 || last.status === 503);
      if (!noAnswer) return last;
    }
    return last!;
  }

  private async exchangeWith(dest: Endpoint, expires: number, timeoutMs: number): Promise<Exchange> {
    const contact =
      this.bound?.dest === dest
        ? this.bound.contact
        : contactUri(this.addresses.aorUser, this.deps.stack.localEndpoint(dest.protocol, dest));
    let requested = expires;
    let auth: { header: string; values: readonly string[] } | undefined;
    let rounds = 0;
    for (;;) {
      this.cseq += 1;
      const req = buildRegister({
        addresses: this.addresses,
        fromTag: this.fromTag,
        callId: this.callId,
        cseq: this.cseq,
        contact,
        expires: requested,
        ...(auth !== undefined && { auth }),
      });
      const res: FinalResponse = await this.deps.stack.sendRequest(req, dest, { timeoutMs }).final;
      let digest: { ok: true; stale: boolean } | { ok: false; reason: string } | null = null;
      if (res.status === 401 || res.status === 407) {
        const answer = answerResponse(this.digest, req, res);
        if ('rejected' in answer) digest = { ok: false, reason: answer.reason };
        else {
          digest = { ok: true, stale: isStale(res) };
          auth = { header: answer.header, values: answer.values };
        }
      }
      const outcome = judgeRegisterResponse(
        {
          status: res.status,
          reasonPhrase: res.reason,
          synthetic: res.synthetic === true,
          unregistering: requested === 0,
          grantedSeconds: res.status < 300 ? grantedSeconds(res, contact, requested) : null,
          digest,
          authRounds: rounds,
          minExpires: res.status === 423 ? minExpiresOf(res) : null,
          requested,
        },
        this.deps.timing,
      );
      if (outcome.kind === 'authenticate') {
        rounds += 1;
        continue;
      }
      if (outcome.kind === 'retry-expires') {
        requested = outcome.expires;
        // The answer computed for the old request would be a replay; let the registrar challenge afresh.
        auth = undefined;
        continue;
      }
      return { outcome, status: res.status, dest, contact };
    }
  }

  private change(to: RegistrationState, facts: TransitionFacts): void {
    const from = this.machine.state;
    const status = this.machine.transition(to, this.deps.now(), facts);
    // A successful refresh is routine: two info lines per refresh would drown the state changes that matter.
    const routine = to === 'refreshing' || (from === 'refreshing' && to === 'registered');
    this.deps.log[routine ? 'debug' : 'info'](
      { region: this.region, state: status.state, last_status: status.last_status },
      `registration ${status.state}: ${status.reason}`,
    );
    this.deps.onState(status);
  }
}

function isStale(res: FinalResponse): boolean {
  const name = res.status === 407 ? 'Proxy-Authenticate' : 'WWW-Authenticate';
  try {
    return parseChallenges(res.headers.getAll(name)).some((c) => c.stale);
  } catch {
    return false;
  }
}

function minExpiresOf(res: FinalResponse): number | null {
  const text = res.headers.get('Min-Expires')?.trim();
  return text !== undefined && /^\d{1,10}$/.test(text) ? Number(text) : null;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
