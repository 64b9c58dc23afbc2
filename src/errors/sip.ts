import type { ErrorTable } from './catalogue';

/**
 * Error codes of the sip domain. Codes start with SIP_; document each in docs/errors.md.
 *
 * `sip` is the status an element answers a malformed *request* with (RFC 3261 §8.2, §16.3, §21.4); a
 * malformed response is dropped whatever the code says (RFC 3261 §18.1.2).
 */
export const SIP_ERRORS = {
  SIP_EMPTY_MESSAGE: { message: 'the message holds no start line', sip: 400 },
  SIP_BAD_START_LINE: { message: 'malformed start line: {detail}', sip: 400 },
  SIP_BAD_METHOD: { message: 'the method {method} is not a token', sip: 400 },
  SIP_BAD_VERSION: { message: 'SIP version {version} is not supported (only SIP/2.0)', sip: 505 },
  SIP_BAD_STATUS: { message: 'status code {status} is not a 3-digit code between 100 and 699', sip: 400 },
  SIP_BAD_REQUEST_URI: { message: 'malformed Request-URI {uri}: {detail}', sip: 400 },
  SIP_BAD_URI: { message: 'malformed URI {uri}: {detail}', sip: 400 },
  SIP_BAD_HEADER_LINE: { message: 'malformed header line {line}: {detail}', sip: 400 },
  SIP_BAD_HEADER: { message: 'malformed {header} header: {detail}', sip: 400 },
  SIP_MISSING_HEADER: { message: 'the mandatory {header} header is missing', sip: 400 },
  SIP_CSEQ_METHOD_MISMATCH: {
    message: 'CSeq method {cseqMethod} does not match the request method {method}',
    sip: 400,
  },
  SIP_UNKNOWN_METHOD_CSEQ_MISMATCH: {
    message: 'unknown method {method} with a CSeq method {cseqMethod} that does not match',
    sip: 501,
  },
  SIP_BAD_ENCODING: { message: 'the header section is not valid UTF-8', sip: 400 },
  SIP_HEADERS_INCOMPLETE: { message: 'the header section does not end with an empty line', sip: 400 },
  SIP_MISSING_CONTENT_LENGTH: { message: 'Content-Length is required on a stream transport', sip: 400 },
  SIP_BAD_CONTENT_LENGTH: { message: 'malformed Content-Length {value}', sip: 400 },
  SIP_CONTENT_LENGTH_MISMATCH: {
    message: 'Content-Length {contentLength} is larger than the {available} body octets received',
    sip: 400,
  },
  SIP_MESSAGE_TOO_LARGE: { message: 'the message is larger than maxMessageBytes ({limit} octets)', sip: 513 },
  SIP_TOO_MANY_HEADERS: { message: 'the message has more than maxHeaders ({limit}) header lines', sip: 400 },
  SIP_LINE_TOO_LONG: { message: 'a line is longer than maxLineLength ({limit} octets)', sip: 400 },
  SIP_BAD_PARSE_LIMITS: { message: 'parse limit {name} must be a positive integer, got {value}' },
  SIP_BAD_ARGUMENT: { message: 'invalid {name}: {detail}' },
} as const satisfies ErrorTable;
