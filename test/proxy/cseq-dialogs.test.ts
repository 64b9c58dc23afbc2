/** CSeq offsets across trunk authentication, and the bounded dialog table, in virtual time. */
import { describe, expect, it } from 'vitest';
import { cseqDown, noteChallengeAnswered } from '../../src/proxy/cseq-offset';
import { DialogTable, type Dialog } from '../../src/proxy/dialogs';

function dialog(callId: string, touched: number, offset = 0): Dialog {
  return { callId, pbxTag: 'pbx-tag', offset, region: 'a', record: null, touched };
}

describe('CSeq offsets', () => {
  it('shifts every PBX-side request by the challenges answered, and nothing from the region side', () => {
    // INVITE CSeq 1 was challenged and resent as 2: the dialog starts one ahead.
    const d = dialog('c', 0, 1);
    expect(cseqDown(d, 'pbx-tag', 1)).toBe(2); // ACK for the 2xx: the authorised INVITE's number
    expect(cseqDown(d, 'pbx-tag', 2)).toBe(3); // BYE or re-INVITE
    expect(cseqDown(d, 'region-tag', 7)).toBe(7); // the region's own requests: its own CSeq space
    expect(cseqDown(d, null, 7)).toBe(7);
    // A re-INVITE (PBX CSeq 2, sent as 3) is challenged again and resent as 4.
    noteChallengeAnswered(d);
    expect(cseqDown(d, 'pbx-tag', 2)).toBe(4); // its ACK
    expect(cseqDown(d, 'pbx-tag', 3)).toBe(5); // the BYE after it
  });

  it('leaves a dialog without a challenge untouched', () => {
    const d = dialog('c', 0);
    expect(cseqDown(d, 'pbx-tag', 5)).toBe(5);
  });
});

describe('DialogTable', () => {
  it('forgets a dialog idle longer than its expiry, and keeps one that is used', () => {
    const t = new DialogTable(10, 1000);
    t.add(dialog('old', 0));
    t.add(dialog('used', 0));
    expect(t.get('used', 900)).toBeDefined();
    expect(t.sweep(1500)).toBe(1);
    expect(t.get('old', 1500)).toBeUndefined();
    expect(t.get('used', 1500)).toBeDefined();
    expect(t.get('used', 2600)).toBeUndefined();
  });

  it('holds at most its bound, dropping the least recently used', () => {
    const t = new DialogTable(2, 10_000);
    t.add(dialog('a', 0));
    t.add(dialog('b', 1));
    t.get('a', 2);
    t.add(dialog('c', 3));
    expect(t.size).toBe(2);
    expect(t.get('b', 4)).toBeUndefined();
    expect(t.get('a', 4)).toBeDefined();
  });
});
