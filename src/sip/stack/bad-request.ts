/**
 * RFC 3261 §16.3/§21.4.1: a request that cannot be parsed is answered 400 "if possible". Its headers did not
 * parse as a whole, so the response is built from the raw header lines a response must copy (Via, From,
 * To, Call-ID, CSeq); without all of them no response could be matched by the sender, and it is dropped.
 */
const COPIED: Record<string, string> = {
  via: 'Via',
  v: 'Via',
  from: 'From',
  f: 'From',
  to: 'To',
  t: 'To',
  'call-id': 'Call-ID',
  i: 'Call-ID',
  cseq: 'CSeq',
};

const HEAD_LIMIT = 64 * 1024;

/** A reason phrase must be one line of printable text (RFC 3261 §25.1 Reason-Phrase). */
export function reasonPhrase(text: string): string {
  const clean = text.replace(/[\x00-\x1f\x7f]+/g, ' ').trim();
  return (clean.length > 120 ? clean.slice(0, 120) : clean) || 'Bad Request';
}

/** The bytes of a stateless error response to unparseable request bytes, or null when none can be built. */
export function statelessErrorResponse(raw: Buffer, status: number, reason: string): Buffer | null {
  const head = raw.subarray(0, HEAD_LIMIT).toString('latin1');
  const end = head.search(/\r?\n\r?\n/);
  const lines = (end >= 0 ? head.slice(0, end) : head).split(/\r?\n/);
  if (lines[0]?.startsWith('SIP/')) return null; // a response is never answered
  const copied: string[] = [];
  const seen = new Set<string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0 || line.startsWith(' ') || line.startsWith('\t')) continue;
    const name = COPIED[line.slice(0, colon).trim().toLowerCase()];
    if (!name) continue;
    seen.add(name);
    copied.push(`${name}: ${line.slice(colon + 1).trim()}`);
  }
  if (seen.size < 5) return null;
  return Buffer.from(
    `SIP/2.0 ${status} ${reasonPhrase(reason)}\r\n${copied.join('\r\n')}\r\nContent-Length: 0\r\n\r\n`,
    'latin1',
  );
}

/**
 * The top Via branch and the CSeq method of raw response bytes (RFC 3261 §17.1.3 matching), read from the
 * header lines alone; undefined when the bytes are not a response or lack either.
 */
export function transactionOfResponse(raw: Buffer): { branch: string; method: string } | undefined {
  const head = raw.subarray(0, HEAD_LIMIT).toString('latin1');
  const end = head.search(/\r?\n\r?\n/);
  const lines = (end >= 0 ? head.slice(0, end) : head).split(/\r?\n/);
  if (!/^SIP\//i.test(lines[0] ?? '')) return undefined;
  let branch: string | undefined;
  let method: string | undefined;
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0 || line.startsWith(' ') || line.startsWith('\t')) continue;
    const name = COPIED[line.slice(0, colon).trim().toLowerCase()];
    const value = line.slice(colon + 1);
    if (name === 'Via' && branch === undefined) {
      const top = value.split(',')[0] as string;
      branch = /;\s*branch\s*=\s*([^\s;,]+)/i.exec(top)?.[1];
      if (branch === undefined) return undefined;
    } else if (name === 'CSeq' && method === undefined) {
      method = /^\s*\d+\s+([^\s]+)\s*$/.exec(value)?.[1];
    }
  }
  return branch !== undefined && method !== undefined ? { branch, method } : undefined;
}
