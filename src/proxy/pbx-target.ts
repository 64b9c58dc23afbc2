/**
 * Where a request from a region goes at the PBX, and how the PBX still sees the number dialled.
 *
 * RFC 3261 §16.5: a proxy responsible for the domain of the Request-URI takes its targets from the
 * location service — the Contact URI the PBX registered — and §16.6 item 2 puts that URI, unchanged, in
 * the Request-URI. (Putting the dialled number in the Contact's user part instead sends the call to a user
 * the PBX never registered: baresip answers 404.) The dialled number (the DID) stays in To, which a proxy
 * never changes, and is also given as RFC 7044 History-Info (the dialled URI, then the registered Contact
 * with `rc`) and, when configured, in a header of the operator's choice.
 */
import { formatHost, type SipRequest } from '../sip/message';
import type { Endpoint } from '../sip/transport/types';

/** The Request-URI toward the PBX: its registered Contact URI as it is, else its address with the number. */
export function pbxRequestUri(user: string, contact: string | null, dest: Endpoint): string {
  if (contact) return contact;
  const at = user === '' ? '' : `${user}@`;
  const transport = dest.protocol === 'udp' ? '' : `;transport=${dest.protocol}`;
  return `sip:${at}${formatHost(dest.address)}:${dest.port}${transport}`;
}

export interface DidMarking {
  /** Header that carries the dialled number, or null. */
  readonly didHeader: string | null;
  readonly historyInfo: boolean;
}

/**
 * Marks `out` (already retargeted to the PBX) with the number dialled: `received` is the Request-URI the
 * region sent, `user` its user part (the DID).
 */
export function markDialled(out: SipRequest, received: string, user: string, m: DidMarking): void {
  if (m.didHeader && user !== '') out.headers.set(m.didHeader, user);
  if (!m.historyInfo || out.uri === received) return;
  // RFC 7044 §10.3: the entry for the Request-URI received (index 1, unless the region sent History-Info
  // already), then the new target as its child, `rc` naming it a registered contact of that parent.
  const existing = out.headers.getAll('History-Info');
  const lastIndex = lastHistoryIndex(existing);
  const parent = lastIndex ?? '1';
  if (lastIndex === null) out.headers.append('History-Info', `<${escapeHi(received)}>;index=1`);
  out.headers.append('History-Info', `<${escapeHi(out.uri)}>;index=${parent}.1;rc=${parent}`);
}

function lastHistoryIndex(values: readonly string[]): string | null {
  let last: string | null = null;
  for (const v of values)
    for (const m of v.matchAll(/;\s*index\s*=\s*([0-9]+(?:\.[0-9]+)*)/gi)) last = m[1] as string;
  return last;
}

/** A URI inside <> must not carry a bare '>' (it cannot in a parsed URI; this keeps the header well formed). */
function escapeHi(uri: string): string {
  return uri.replace(/>/g, '%3E');
}
