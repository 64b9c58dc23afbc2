export { TransactionLayer, type TransactionLayerOptions } from './layer';
export { responseDestination, defaultPort } from './response-destination';
export { DEFAULT_TIMERS, resolveTimers, type TimerValues } from './timers';
export { InviteClientTransaction } from './invite-client';
export { NonInviteClientTransaction } from './non-invite-client';
export { InviteServerTransaction } from './invite-server';
export { NonInviteServerTransaction } from './non-invite-server';
export { ackForNonSuccess } from './ack';
export type {
  LayerOutput,
  TransactionKind,
  TransactionState,
  InviteClientState,
  NonInviteClientState,
  InviteServerState,
  NonInviteServerState,
} from './types';
