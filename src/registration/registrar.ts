/**
 * geored as the PBX's registrar: the PBX registers to geored as it would to its trunk provider, so calls
 * arriving from any region can be sent to wherever the PBX is now. Digest-authenticated with
 * `pbx.credentials`; without credentials configured, only the configured PBX address (or, with
 * `allow_any_loopback`, a loopback source) may register, and it does so without a challenge.
 */
import { randomBytes } from 'node:crypto';
import pino, { type Logger } from 'pino';
import type { PbxConfig } from '../config/types';
import { errorFactory } from '../errors/catalogue';
import { REGISTRATION_ERRORS, type RegistrationErrorCode } from '../errors/registration';
import { DigestServer, verifyRequest, type DigestAlgorithm } from '../sip/auth';
import { createResponse, formatHost, type SipRequest } from '../sip/message';
import type { ServerTx } from '../sip/stack';
import type { Endpoint } from '../sip/transport/types';
import { planBindings, type ExpiryLimits } from './binding-update';
import { BindingStore } from './bindings';
import { readContacts } from './contacts';
import { isLoopback, sameIp } from './ip-address';

const err = errorFactory(REGISTRATION_ERRORS);

/** Where calls for the PBX go: its newest live registration, else the configured static address. */
export interface PbxContact {
  readonly uri: string;
  readonly endpoint: Endpoint;
  /** Epoch ms; null for the static address, which never expires. */
  readonly expiresAt: number | null;
}

export interface PbxRegistrarOptions {
  readonly pbx: PbxConfig;
  /** Key of the nonce HMAC (≥ 16 bytes); geored instances sharing it accept each other's nonces. Default random. */
  readonly nonceSecret?: string | Buffer;
  /** Offered in this order (default: pbx.credentials.algorithms, MD5 alone unless configured). */
  readonly algorithms?: readonly DigestAlgorithm[];
  readonly limits?: Partial<ExpiryLimits>;
  /** Wall clock, epoch ms. */
  readonly now?: () => number;
  readonly logger?: Logger;
}

export const DEFAULT_EXPIRY_LIMITS: ExpiryLimits = { minExpires: 60, maxExpires: 3600, defaultExpires: 3600 };

export type PbxContactListener = (contact: PbxContact | null) => void;

export class PbxRegistrar {
  private readonly store = new BindingStore();
  private readonly digest: DigestServer | null;
  private readonly limits: ExpiryLimits;
  private readonly now: () => number;
  private readonly log: Logger;
  private readonly listeners = new Set<PbxContactListener>();
  private expiryTimer: NodeJS.Timeout | undefined;
  private last: PbxContact | null;

  constructor(private readonly opts: PbxRegistrarOptions) {
    this.now = opts.now ?? Date.now;
    this.log = opts.logger ?? pino({ enabled: false });
    this.limits = { ...DEFAULT_EXPIRY_LIMITS, ...opts.limits };
    const creds = opts.pbx.credentials;
    this.digest =
      creds === undefined
        ? null
        : new DigestServer({
            realm: creds.realm,
            secret: opts.nonceSecret ?? randomBytes(32),
            algorithms: opts.algorithms ?? creds.algorithms,
            lookup: (user) => (user === creds.username ? { password: creds.password.value } : undefined),
          });
    this.last = this.currentContact();
  }

  /** True when REGISTERs are checked against the configured PBX credentials. */
  get authenticates(): boolean {
    return this.digest !== null;
  }

  /** Answers one REGISTER (the proxy hands every REGISTER addressed to geored here). */
  handle(req: SipRequest, tx: ServerTx, source: Endpoint): void {
    if (req.method !== 'REGISTER') {
      this.refuse(tx, req, 405, 'REG_NOT_REGISTER', { method: req.method }, [['Allow', 'REGISTER']]);
      return;
    }
    if (!this.authenticate(req, tx, source)) return;
    const read = readContacts(req);
    if (!read.ok) {
      this.refuse(tx, req, 400, 'REG_BAD_CONTACT', { detail: read.detail });
      return;
    }
    const now = this.now();
    const plan = planBindings(
      {
        contacts: read.contacts,
        expiresHeader: req.headers.get('Expires'),
        callId: req.callId,
        cseq: req.cseq.seq,
        source,
      },
      this.store.active(now),
      this.limits,
      now,
    );
    if (!plan.ok) {
      this.refuse(tx, req, plan.status, plan.code, plan.params, plan.headers);
      return;
    }
    this.store.replace(plan.bindings);
    const res = createResponse(req, 200, 'OK');
    for (const b of this.store.active(now)) {
      res.headers.append(
        'Contact',
        `<${b.uri}>;expires=${Math.max(0, Math.round((b.expiresAt - now) / 1000))}`,
      );
    }
    tx.respond(res);
    this.log.info(
      { source: `${formatHost(source.address)}:${source.port}` },
      `PBX registration: ${plan.reason}`,
    );
    this.changed();
  }

  /** The target for calls arriving from regions; null when the PBX is neither registered nor configured. */
  currentContact(): PbxContact | null {
    const newest = this.store.active(this.now())[0];
    if (newest !== undefined)
      return { uri: newest.uri, endpoint: newest.endpoint, expiresAt: newest.expiresAt };
    const fixed = this.opts.pbx.address;
    if (fixed === undefined) return null;
    const transport = fixed.protocol === 'udp' ? '' : `;transport=${fixed.protocol}`;
    return {
      uri: `sip:${formatHost(fixed.address)}:${fixed.port}${transport}`,
      endpoint: { protocol: fixed.protocol, address: fixed.address, port: fixed.port },
      expiresAt: null,
    };
  }

  /** Live registered contacts (newest first), for the API and source classification. */
  registeredEndpoints(): Endpoint[] {
    return this.store.active(this.now()).map((b) => b.endpoint);
  }

  /** Called whenever currentContact() changes (a registration, a removal, an expiry). Returns an unsubscribe. */
  onChange(listener: PbxContactListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
    this.listeners.clear();
  }

  /** True when the request may change bindings; otherwise it has been answered (401 or 403). */
  private authenticate(req: SipRequest, tx: ServerTx, source: Endpoint): boolean {
    if (this.digest === null) {
      const fixed = this.opts.pbx.address;
      const allowed =
        (fixed !== undefined && sameIp(fixed.address, source.address)) ||
        (this.opts.pbx.allow_any_loopback && isLoopback(source.address));
      if (allowed) return true;
      this.refuse(tx, req, 403, 'REG_SOURCE_NOT_ALLOWED', {
        source: `${formatHost(source.address)}:${source.port}`,
      });
      return false;
    }
    const now = this.now();
    if (req.headers.getAll('Authorization').length === 0) {
      this.challenge(tx, req, now, false);
      return false;
    }
    const verdict = verifyRequest(this.digest, req, now);
    if (verdict.ok) return true;
    // A nonce we cannot read (minted before a restart, or by another key) is not a wrong password: new challenge.
    if (verdict.stale || verdict.code === 'AUTH_NONCE_INVALID') {
      this.challenge(tx, req, now, verdict.stale);
      return false;
    }
    this.refuse(tx, req, 403, 'REG_PBX_AUTH_FAILED', { reason: verdict.reason });
    return false;
  }

  private challenge(tx: ServerTx, req: SipRequest, now: number, stale: boolean): void {
    const res = createResponse(req, 401, 'Unauthorized');
    for (const value of this.digest!.challenge(now, { stale })) res.headers.append('WWW-Authenticate', value);
    tx.respond(res);
  }

  private refuse(
    tx: ServerTx,
    req: SipRequest,
    status: number,
    code: RegistrationErrorCode,
    params: Record<string, unknown>,
    headers: ReadonlyArray<readonly [string, string]> = [],
  ): void {
    const e = err(code, params);
    const res = createResponse(req, status);
    for (const [name, value] of headers) res.headers.append(name, value);
    tx.respond(res);
    this.log.warn({ code, status }, `PBX REGISTER refused: ${e.message}`);
  }

  private changed(): void {
    clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
    const next = this.store.nextExpiry();
    if (next !== null) {
      this.expiryTimer = setTimeout(() => this.changed(), Math.max(0, next - this.now()) + 1);
      this.expiryTimer.unref();
    }
    const current = this.currentContact();
    if (sameContactTarget(current, this.last)) return;
    this.last = current;
    for (const listener of this.listeners) listener(current);
  }
}

function sameContactTarget(a: PbxContact | null, b: PbxContact | null): boolean {
  if (a === null || b === null) return a === b;
  return (
    a.uri === b.uri &&
    a.expiresAt === b.expiresAt &&
    a.endpoint.protocol === b.endpoint.protocol &&
    a.endpoint.address === b.endpoint.address &&
    a.endpoint.port === b.endpoint.port
  );
}
