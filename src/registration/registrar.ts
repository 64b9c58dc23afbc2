/**
 * geored as the PBX's registrar: the PBX registers to geored as it would to its trunk provider, so calls
 * arriving from any region can be sent to wherever the PBX is now. Digest-authenticated with
 * `pbx.credentials`; without credentials configured, only the configured PBX address (or, with
 * `allow_any_loopback`, a loopback source) may register, and it does so without a challenge.
 */
import { randomBytes } from 'node:crypto';
import pino, { type Logger } from 'pino';
import { DEFAULT_SECURITY } from '../config/defaults';
import type { PbxConfig, SecurityConfig } from '../config/types';
import { errorFactory } from '../errors/catalogue';
import { REGISTRATION_ERRORS, type RegistrationErrorCode } from '../errors/registration';
import { DigestServer, parseCredentials, verifyRequest, type DigestAlgorithm } from '../sip/auth';
import { createResponse, formatHost, type SipRequest, type SipResponse } from '../sip/message';
import type { ServerTx } from '../sip/stack';
import type { Endpoint } from '../sip/transport/types';
import { planBindings, type ExpiryLimits } from './binding-update';
import { BindingStore, type Binding } from './bindings';
import { readContacts } from './contacts';
import { AuthGuard, banPolicy } from './auth-guard';
import type { Ban } from './decide-auth-ban';
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
  /** Bans, Contact binding and the PBX challenge; default DEFAULT_SECURITY. */
  readonly security?: SecurityConfig;
  /** Told of every ban as it starts and every failed answer (for metrics). */
  readonly onBan?: (ban: Ban) => void;
  readonly onAuthFailure?: () => void;
  /** Where bindings survive a restart (the store's geo_pbx_bindings). */
  readonly persistence?: BindingPersistence;
  /** Told of every change made here, to share with other instances (live state). */
  readonly publish?: (bindings: readonly Binding[]) => void;
  /** Wall clock, epoch ms. */
  readonly now?: () => number;
  readonly logger?: Logger;
}

export const DEFAULT_EXPIRY_LIMITS: ExpiryLimits = { minExpires: 60, maxExpires: 3600, defaultExpires: 3600 };

export type PbxContactListener = (contact: PbxContact | null) => void;

export interface BindingPersistence {
  save(bindings: readonly Binding[]): Promise<void>;
  /** The bindings still live at `now`. */
  load(now: number): Promise<Binding[]>;
}

/** What the stack does with a request before any transaction exists: pass it on, drop it, or a stateless answer. */
export type Screening =
  | { readonly verdict: 'pass' }
  | { readonly verdict: 'silence'; readonly reason: string }
  | { readonly verdict: 'reject'; readonly status: number; readonly reason: string };

/** The outcome of checking an out-of-dialog request from the PBX address (security.challenge_pbx_requests). */
export type RequestCheck = { readonly ok: true } | { readonly ok: false };

export class PbxRegistrar {
  private readonly store = new BindingStore();
  private readonly digest: DigestServer | null;
  private readonly limits: ExpiryLimits;
  private readonly now: () => number;
  private readonly log: Logger;
  private readonly listeners = new Set<PbxContactListener>();
  private readonly security: SecurityConfig;
  readonly guard: AuthGuard;
  private expiryTimer: NodeJS.Timeout | undefined;
  private saving: Promise<void> = Promise.resolve();
  private last: PbxContact | null;

  constructor(private readonly opts: PbxRegistrarOptions) {
    this.now = opts.now ?? Date.now;
    this.log = opts.logger ?? pino({ enabled: false });
    this.limits = { ...DEFAULT_EXPIRY_LIMITS, ...opts.limits };
    this.security = opts.security ?? DEFAULT_SECURITY;
    const fixed = opts.pbx.address;
    this.guard = new AuthGuard({
      policy: banPolicy(this.security.auth_failures),
      trusted: () => (fixed === undefined ? [] : [fixed.address]),
      logger: this.log,
      ...(opts.onBan && { onBan: opts.onBan }),
      ...(opts.onAuthFailure && { onFailure: opts.onAuthFailure }),
    });
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

  /** True when out-of-dialog requests from the PBX address are digest-challenged (407) before routing. */
  get challengesRequests(): boolean {
    return this.digest !== null && (this.security.challenge_pbx_requests ?? true);
  }

  /**
   * Before a transaction exists: a banned source (or a banned user name from an untrusted source) gets
   * the configured silence or a stateless 403, so a brute-forcer gets no verdict and costs no state.
   */
  screen(req: SipRequest, source: Endpoint): Screening {
    if (this.digest === null) return { verdict: 'pass' };
    const admission = this.guard.admit(source.address, this.username(req), this.now());
    if (admission.admit) return { verdict: 'pass' };
    return this.security.auth_failures.banned_response === 'silence'
      ? { verdict: 'silence', reason: admission.reason }
      : { verdict: 'reject', status: 403, reason: admission.reason };
  }

  /**
   * An out-of-dialog request (INVITE, MESSAGE, ...) from the PBX address: true when it carries a right
   * Proxy-Authorization for our realm (which is then removed: it is not the region's business); otherwise
   * it has been answered (407, or 403 for a wrong answer, which counts toward a ban). The nonce the PBX
   * was given stays good for its lifetime with a rising nc, so a PBX answering preemptively pays one
   * challenge per nonce lifetime, not one per call.
   */
  checkRequest(req: SipRequest, source: Endpoint, respond: (res: SipResponse) => void): boolean {
    const digest = this.digest;
    if (digest === null) return true;
    const now = this.now();
    if (req.headers.getAll('Proxy-Authorization').length === 0) {
      respond(this.challengeResponse(req, now, false, 407));
      return false;
    }
    const verdict = verifyRequest(digest, req, now, 'proxy');
    if (verdict.ok) {
      this.guard.succeeded(source.address, now);
      removeOurCredentials(req, digest.realm);
      return true;
    }
    if (verdict.stale || verdict.code === 'AUTH_NONCE_INVALID' || verdict.code === 'AUTH_REALM_MISMATCH') {
      respond(this.challengeResponse(req, now, verdict.stale, 407));
      return false;
    }
    this.guard.failed(source.address, this.username(req, 'Proxy-Authorization'), now);
    const e = err('REG_PBX_REQUEST_AUTH_FAILED', { method: req.method, reason: verdict.reason });
    if (this.log.isLevelEnabled('debug')) this.log.debug({ code: e.code }, e.message);
    respond(createResponse(req, 403));
    return false;
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
        binding: this.security.contact_binding,
      },
      this.store.active(now),
      this.limits,
      now,
    );
    if (!plan.ok) {
      this.refuse(tx, req, plan.status, plan.code, plan.params, plan.headers);
      return;
    }
    const before = this.store.active(now);
    this.store.replace(plan.bindings);
    if (plan.bindings !== before) this.persist();
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

  /**
   * Loads the bindings that survived a restart (expired ones are left behind), so calls from the regions
   * reach the PBX at once instead of after its next REGISTER.
   */
  async restore(): Promise<number> {
    if (!this.opts.persistence) return 0;
    const loaded = await this.opts.persistence.load(this.now());
    if (loaded.length === 0) return 0;
    this.store.replace(loaded);
    this.log.info(
      { bindings: loaded.map((b) => b.uri) },
      `PBX registration restored from the store: ${loaded.length} binding(s)`,
    );
    this.changed();
    return loaded.length;
  }

  /** Bindings another instance made (live state): taken as they are, not stored or published again. */
  adopt(bindings: readonly Binding[]): void {
    this.store.replace(bindings);
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
    if (verdict.ok) {
      this.guard.succeeded(source.address, now);
      return true;
    }
    // A nonce we cannot read (minted before a restart, or by another key) is not a wrong password: new challenge.
    if (verdict.stale || verdict.code === 'AUTH_NONCE_INVALID') {
      this.challenge(tx, req, now, verdict.stale);
      return false;
    }
    this.guard.failed(source.address, this.username(req), now);
    this.refuse(tx, req, 403, 'REG_PBX_AUTH_FAILED', { reason: verdict.reason });
    return false;
  }

  private challenge(tx: ServerTx, req: SipRequest, now: number, stale: boolean): void {
    tx.respond(this.challengeResponse(req, now, stale, 401));
  }

  private challengeResponse(req: SipRequest, now: number, stale: boolean, status: 401 | 407): SipResponse {
    const res = createResponse(req, status);
    const header = status === 401 ? 'WWW-Authenticate' : 'Proxy-Authenticate';
    for (const value of this.digest!.challenge(now, { stale })) res.headers.append(header, value);
    return res;
  }

  /** The user name in the credentials for our realm; null when there are none (or they do not parse). */
  private username(req: SipRequest, header = 'Authorization'): string | null {
    const values = req.headers.getAll(header);
    if (values.length === 0 || this.digest === null) return null;
    try {
      const all = parseCredentials(values);
      return (all.find((c) => c.realm === this.digest!.realm) ?? all[0])?.username ?? null;
    } catch {
      return null;
    }
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
    // Debug only: whoever sends REGISTERs controls how often this happens (bans are logged at info).
    if (this.log.isLevelEnabled('debug'))
      this.log.debug({ code, status }, `PBX REGISTER refused: ${e.message}`);
  }

  private persist(): void {
    const bindings = [...this.store.active(this.now())];
    this.opts.publish?.(bindings);
    const persistence = this.opts.persistence;
    if (!persistence) return;
    // One save at a time, in order: two quick REGISTERs must not land in the store the other way round.
    this.saving = this.saving
      .then(() => persistence.save(bindings))
      .catch((e: unknown) =>
        this.log.error({ err: (e as Error).message }, 'could not store the PBX registration'),
      );
  }

  /** Resolves when every binding change so far is in the store (for shutdown and tests). */
  flush(): Promise<void> {
    return this.saving;
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

/** Drops the Proxy-Authorization fields for our realm before a request goes on to a region (RFC 3261 §22.3). */
function removeOurCredentials(req: SipRequest, realm: string): void {
  const keep = req.headers.getAll('Proxy-Authorization').filter((v) => {
    try {
      return parseCredentials(v)[0]?.realm !== realm;
    } catch {
      return true;
    }
  });
  req.headers.remove('Proxy-Authorization');
  for (const v of keep) req.headers.append('Proxy-Authorization', v);
}
