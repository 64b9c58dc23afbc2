/**
 * The state of one trunk registration, as the API and health monitoring see it, and the machine that
 * guards its transitions (a refresh cannot start from nothing; a stopped registration cannot "succeed").
 */
import { canTransition as canMove, guardTransition, type TransitionTable } from '../errors/state';

export type RegistrationState =
  'unregistered' | 'registering' | 'registered' | 'refreshing' | 'failed' | 'rejected';

export interface RegistrationStatus {
  readonly region: string;
  readonly state: RegistrationState;
  /** When this state was entered (epoch ms). */
  readonly since: number;
  /** When the registrar's binding lapses (epoch ms); null when there is none we know of. */
  readonly expires_at: number | null;
  /** Status of the last final response (408/503 for a timeout or transport failure); null before any. */
  readonly last_status: number | null;
  /** One sentence: why the registration is in this state. */
  readonly reason: string;
  /** Consecutive failed or rejected attempts; 0 once registered. */
  readonly failures: number;
  /** When the next REGISTER is due (epoch ms); null while one is in flight or when stopped. */
  readonly next_attempt_at: number | null;
}

/** What the decisions read: the status plus the grant the last success carried. */
export interface RegistrationFacts {
  readonly state: RegistrationState;
  readonly since: number;
  readonly failures: number;
  /** Seconds granted by the last 2xx, and when it arrived (epoch ms). */
  readonly granted: { readonly seconds: number; readonly at: number } | null;
}

const ALLOWED: TransitionTable<RegistrationState> = {
  unregistered: ['registering'],
  // A REGISTER in flight ends in one of the three outcomes, or is abandoned by stop().
  registering: ['registered', 'failed', 'rejected', 'unregistered'],
  registered: ['refreshing', 'unregistered'],
  refreshing: ['registered', 'failed', 'rejected', 'unregistered'],
  failed: ['registering', 'unregistered'],
  rejected: ['registering', 'unregistered'],
};

export function canTransition(from: RegistrationState, to: RegistrationState): boolean {
  return canMove(ALLOWED, from, to);
}

export interface TransitionFacts {
  readonly reason: string;
  readonly lastStatus?: number | null;
  readonly expiresAt?: number | null;
  readonly granted?: RegistrationFacts['granted'];
}

/** One region's registration state with a guarded transition; the driver owns the I/O around it. */
export class RegistrationMachine {
  private current: RegistrationStatus;
  private grant: RegistrationFacts['granted'] = null;

  constructor(region: string, now: number) {
    this.current = {
      region,
      state: 'unregistered',
      since: now,
      expires_at: null,
      last_status: null,
      reason: 'not started',
      failures: 0,
      next_attempt_at: null,
    };
  }

  get status(): RegistrationStatus {
    return this.current;
  }

  get state(): RegistrationState {
    return this.current.state;
  }

  facts(): RegistrationFacts {
    const s = this.current;
    return { state: s.state, since: s.since, failures: s.failures, granted: this.grant };
  }

  /** Moves to `to`; an illegal move is a bug in the driver, so it throws rather than being ignored. */
  transition(to: RegistrationState, now: number, facts: TransitionFacts): RegistrationStatus {
    guardTransition(ALLOWED, this.current.state, to, {
      machine: 'the trunk registration of region',
      id: this.current.region,
    });
    if (facts.granted !== undefined) this.grant = facts.granted;
    if (to === 'unregistered') this.grant = null;
    const failures =
      to === 'registered' || to === 'unregistered'
        ? 0
        : to === 'failed' || to === 'rejected'
          ? this.current.failures + 1
          : this.current.failures;
    this.current = {
      ...this.current,
      state: to,
      since: now,
      reason: facts.reason,
      failures,
      next_attempt_at: null,
      ...(facts.lastStatus !== undefined && { last_status: facts.lastStatus }),
      ...(facts.expiresAt !== undefined && { expires_at: facts.expiresAt }),
    };
    return this.current;
  }

  /** Records when the next REGISTER is due (not a state change, so no event). */
  scheduled(at: number | null): void {
    this.current = { ...this.current, next_attempt_at: at };
  }
}
