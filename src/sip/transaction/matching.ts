import { MAGIC_COOKIE, type SipRequest, type Via } from '../message';
import { defaultPort } from './response-destination';

/** The branch parameter of a Via, if it has one with a value. */
export function viaBranch(via: Via | undefined): string | undefined {
  return via?.params['branch'] ?? undefined;
}

/** RFC 3261 §8.1.1.7: a branch starting with the magic cookie was made by an RFC 3261 element and is unique. */
export function hasMagicCookie(branch: string | null | undefined): branch is string {
  return typeof branch === 'string' && branch.startsWith(MAGIC_COOKIE);
}

/**
 * §17.1.3: a response matches a client transaction by the top Via branch and the CSeq method — the
 * method is needed because a CANCEL carries the branch of the INVITE it cancels yet is its own transaction.
 */
export function clientKey(branch: string, method: string): string {
  return `${branch}\n${method}`;
}

/**
 * §17.2.3: with a magic cookie, a request matches a server transaction by branch, sent-by and method,
 * where an ACK counts as an INVITE (pass 'INVITE' for it). Sent-by is compared with the default port
 * filled in and the host lower-cased, as §20.42 compares hosts without regard to case.
 */
export function serverKey(topVia: Via, branch: string, method: string): string {
  return `${branch}\n${sentBy(topVia)}\n${method}`;
}

/**
 * §17.2.3, RFC 2543 fallback (no magic cookie): Request-URI, To tag, From tag, Call-ID, CSeq and the top
 * Via must match those of the request that created the transaction. For an ACK the To tag to match is the
 * one of the response the transaction sent, so the caller passes the To tag explicitly. The top Via is
 * compared without `received`/`rport`, which the receiving stack adds itself (RFC 3581).
 */
export function fallbackKey(req: SipRequest, topVia: Via, method: string, toTag: string | null): string {
  return `${req.uri}\n${toTag ?? ''}\n${req.fromTag ?? ''}\n${req.callId}\n${req.cseq.seq}\n${method}\n${sentBy(topVia)}\n${viaBranch(topVia) ?? ''}`;
}

/** The key under which an RFC 2543 ACK for a response with `toTag` finds the INVITE transaction. */
export function fallbackAckKey(invite: SipRequest, topVia: Via, toTag: string | null): string {
  return `ACK\n${fallbackKey(invite, topVia, 'INVITE', toTag)}`;
}

function sentBy(via: Via): string {
  return `${via.host.toLowerCase()}:${via.port ?? defaultPort(via.transport)}`;
}
