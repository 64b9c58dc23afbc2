import { newCallId, newTag, parseMessage, type SipRequest } from '../message';

export interface RequestSpec {
  readonly method: string;
  /** The Request-URI. */
  readonly uri: string;
  /** A URI (`sip:a@b`) or a name-addr (`"A" <sip:a@b>`); a tag is added when it has none. */
  readonly from: string;
  readonly to: string;
  readonly callId?: string;
  /** Default 1. */
  readonly cseq?: number;
  readonly contact?: string;
  /** Default 70 (RFC 3261 §8.1.1.6). */
  readonly maxForwards?: number;
  /** More header fields, in order (Route, Expires, Authorization, User-Agent...). */
  readonly headers?: ReadonlyArray<readonly [string, string]>;
  readonly body?: string | Buffer;
  readonly contentType?: string;
}

function nameAddr(value: string): string {
  return value.includes('<') ? value : `<${value}>`;
}

/**
 * A new out-of-dialog request with the mandatory header fields of RFC 3261 §8.1.1 (the Via is the stack's:
 * `sendRequest` pushes it). Built as text and parsed, so what a TU builds is exactly what the parser accepts.
 */
export function buildRequest(spec: RequestSpec): SipRequest {
  const from = nameAddr(spec.from);
  const body = spec.body === undefined ? Buffer.alloc(0) : Buffer.from(spec.body);
  const lines = [
    `${spec.method} ${spec.uri} SIP/2.0`,
    `Max-Forwards: ${spec.maxForwards ?? 70}`,
    `From: ${/;\s*tag=/i.test(from.slice(from.lastIndexOf('>'))) ? from : `${from};tag=${newTag()}`}`,
    `To: ${nameAddr(spec.to)}`,
    `Call-ID: ${spec.callId ?? newCallId()}`,
    `CSeq: ${spec.cseq ?? 1} ${spec.method}`,
  ];
  if (spec.contact !== undefined) lines.push(`Contact: ${nameAddr(spec.contact)}`);
  for (const [name, value] of spec.headers ?? []) lines.push(`${name}: ${value}`);
  if (spec.contentType !== undefined) lines.push(`Content-Type: ${spec.contentType}`);
  lines.push(`Content-Length: ${body.length}`);
  const head = Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'utf8');
  return parseMessage(Buffer.concat([head, body])) as SipRequest;
}
