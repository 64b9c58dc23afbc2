/**
 * Loop detection by branch (RFC 3261 §16.6 item 8, §16.3 item 4): the branch of the Via we add carries a
 * hash of the fields that identify the request as received, so a request that comes back to us unchanged
 * (same hash under our own Via) is a loop, while one that comes back changed (a spiral) is not.
 */
import { MAGIC_COOKIE, type SipRequest } from '../sip/message';

const MARK = `${MAGIC_COOKIE}gr`;

/**
 * §16.6 item 8: "the To tag, From tag, Call-ID header field, the Request-URI of the request received
 * (before translation), the topmost Via header, and the sequence number from CSeq header field, in
 * addition to any Proxy-Require and Proxy-Authorization header fields". The topmost Via is left out: a
 * request that comes back has a different top Via on every pass (the hop that sent it back), so with it
 * the hash could never match and no loop would ever be found — the flaw RFC 5393 §4 discusses.
 */
export function requestHash(req: SipRequest): string {
  const h = req.headers;
  const text =
    `${req.uri}\n${req.toTag ?? ''}\n${req.fromTag ?? ''}\n${req.callId}\n${req.cseq.seq}\n` +
    `${h.get('Proxy-Require') ?? ''}\n${h.get('Proxy-Authorization') ?? ''}`;
  return hash53(text);
}

/**
 * A 53-bit string hash (cyrb53) in base 36. The hash only has to tell one request from another within the
 * few seconds a loop takes to come back, not resist forgery; a crypto hash object per INVITE cost more CPU
 * than the rest of the loop check together.
 */
function hash53(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
}

/** The branch for the `n`th request we forward for one received request: unique per branch, hash inside. */
export function loopBranch(hash: string, n: number): string {
  return `${MARK}${hash}.${n}`;
}

/** The hash one of our branches carries, or null when the branch is not one of ours. */
export function hashInBranch(branch: string | null | undefined): string | null {
  if (!branch || !branch.startsWith(MARK)) return null;
  const dot = branch.indexOf('.', MARK.length);
  return dot < 0 ? null : branch.slice(MARK.length, dot);
}
