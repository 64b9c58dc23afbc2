import { GeoredError } from '../../errors/catalogue';
import { SIP_ERRORS } from '../../errors/sip';
import { field, Headers, type HeaderField } from './headers';
import { newTag } from './ids';
import { SipParseError } from './errors';
import { parseNameAddr } from './name-addr';
import { SipResponse, type SipRequest } from './message';
import { reasonPhrase } from './reason';

const COPIED = new Set(['via', 'from', 'to', 'call-id', 'cseq']);

/**
 * Builds a response to `req` as RFC 3261 §8.2.6 says: Via (all, in order), From, Call-ID and CSeq copied,
 * To copied with a tag added when the request had none (any status but 100, §8.2.6.2), Timestamp copied on
 * a 100 (§8.2.6.1). The raw values are copied, so this works for requests whose headers are malformed —
 * which is exactly when a 400 is being built.
 */
export function createResponse(
  req: SipRequest,
  status: number,
  reason?: string,
  opts: { toTag?: string } = {},
): SipResponse {
  if (!Number.isInteger(status) || status < 100 || status > 699) {
    throw new GeoredError('SIP_BAD_ARGUMENT', SIP_ERRORS.SIP_BAD_ARGUMENT, {
      name: 'status',
      detail: `${status} is not between 100 and 699`,
    });
  }
  const list: HeaderField[] = [];
  for (const f of req.headers.list) {
    if (COPIED.has(f.key)) {
      list.push(
        f.key === 'to' ? withTag(f, status, opts.toTag) : { name: f.name, key: f.key, value: f.value },
      );
    } else if (f.key === 'timestamp' && status === 100)
      list.push({ name: f.name, key: f.key, value: f.value });
  }
  const headers = new Headers();
  headers.list = list;
  return new SipResponse(status, reason ?? reasonPhrase(status), headers);
}

function withTag(to: HeaderField, status: number, toTag: string | undefined): HeaderField {
  if (status === 100 && toTag === undefined) return { name: to.name, key: to.key, value: to.value };
  let hasTag = false;
  try {
    hasTag = parseNameAddr(to.value, 'To').params.tag !== undefined;
  } catch (e) {
    // A malformed To is copied as it is: the 400 that reports it still has to reach the client.
    if (!(e instanceof SipParseError)) throw e;
    return { name: to.name, key: to.key, value: to.value };
  }
  if (hasTag) return { name: to.name, key: to.key, value: to.value };
  return field(to.name, `${to.value};tag=${toTag ?? newTag()}`);
}
