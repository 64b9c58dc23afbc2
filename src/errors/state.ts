import { errorFactory, type ErrorTable } from './catalogue';

/**
 * The one error of every guarded state machine (SIP transactions, the proxy's failover chain, trunk
 * registrations, the service's life cycle): a move its table does not draw. It is always a bug in the
 * code that drives the machine, never something a peer or a user can cause, so it maps to no status.
 */
export const STATE_ERRORS = {
  STATE_ILLEGAL_TRANSITION: {
    message: '{machine} {id} cannot move from {from} to {to} (illegal transition {from} -> {to}{rule})',
  },
} as const satisfies ErrorTable;

/** Which states each state may move to; anything else is a bug the guard reports. */
export type TransitionTable<S extends string> = Readonly<Record<S, readonly S[]>>;

const err = errorFactory(STATE_ERRORS);

export interface MachineName {
  /** What kind of machine it is, as an operator would name it: 'invite-client transaction'. */
  readonly machine: string;
  /** Which one: a transaction id, a Call-ID, a region name. */
  readonly id: string;
  /** Where the arrows come from, appended to the message: '; RFC 3261 §17 draws no such arrow'. */
  readonly rule?: string;
  /** More params for the error (kept on `GeoredError.params`). */
  readonly extra?: Readonly<Record<string, unknown>>;
}

export function canTransition<S extends string>(table: TransitionTable<S>, from: S, to: S): boolean {
  return table[from].includes(to);
}

/**
 * Returns `to` when `table` draws the arrow `from` → `to`; throws STATE_ILLEGAL_TRANSITION (with machine,
 * id, from and to in its params) otherwise. The caller assigns the state it returns, so a refused move
 * leaves the machine as it was.
 */
export function guardTransition<S extends string>(
  table: TransitionTable<S>,
  from: S,
  to: S,
  name: MachineName,
): S {
  if (canTransition(table, from, to)) return to;
  throw err('STATE_ILLEGAL_TRANSITION', {
    ...name.extra,
    machine: name.machine,
    id: name.id,
    from,
    to,
    rule: name.rule ?? '',
  });
}
