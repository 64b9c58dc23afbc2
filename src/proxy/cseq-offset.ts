/**
 * CSeq consistency across trunk authentication. When geored answers a region's challenge it resends the
 * request with the next CSeq (RFC 3261 §22.2), so the region's view of the PBX's CSeq space runs ahead of
 * the PBX's own by one per challenge answered. The offset is kept per dialog and applied to every later
 * request from the PBX side (ACK for a 2xx carries the INVITE's number, §13.2.2.4, so it shifts the same
 * way); responses going back to the PBX get the PBX's number again. The region's own requests are in its
 * CSeq space and never shifted.
 */

export interface CSeqDialog {
  /** The From tag the PBX's side of the dialog sends requests with; null when the PBX is the callee. */
  readonly pbxTag: string | null;
  /** How far the region's view is ahead of the PBX's. */
  offset: number;
}

/** The CSeq number to send downstream for a request with `fromTag` and `seq` in this dialog. */
export function cseqDown(d: CSeqDialog, fromTag: string | null, seq: number): number {
  return fromTag !== null && fromTag === d.pbxTag ? seq + d.offset : seq;
}

/** After a challenge to a PBX-side request was answered with CSeq `sent + 1`: the offset grows by one. */
export function noteChallengeAnswered(d: CSeqDialog): void {
  d.offset++;
}
