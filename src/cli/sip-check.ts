import { readFile } from 'node:fs/promises';
import {
  checkRequestSemantics,
  checkResponseSemantics,
  isRequest,
  parseMessage,
  SipParseError,
  type SipMessage,
} from '../sip/message/index';

interface CommandIO {
  out(line: string): void;
  err(line: string): void;
}

const USAGE = [
  'usage: geored sip-check FILE...',
  '',
  'Parses each file as one captured SIP message (datagram rules: the file is the message, octets after',
  'Content-Length are ignored) and prints one JSON line per file:',
  '  {"file","accepted","kind","method"|"status","reason" (when rejected),"response" (when an element answers)}',
  'The element judged is a proxy and the UAS behind it. Exit 0 when every file is accepted, 1 when any is',
  'rejected, 2 on usage errors.',
].join('\n');

interface Verdict {
  file: string;
  accepted: boolean;
  kind?: 'request' | 'response';
  method?: string;
  status?: number;
  reason?: string;
  response?: number;
}

/** `geored sip-check FILE...` */
export async function run(args: string[], io: CommandIO): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.out(USAGE);
    return 0;
  }
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '--') files.push(...args.slice(i + 1));
    else if (a.startsWith('-')) {
      io.err(`geored sip-check: unknown option '${a}'\n\n${USAGE}`);
      return 2;
    } else {
      files.push(a);
      continue;
    }
    break;
  }
  if (files.length === 0) {
    io.err(`geored sip-check: no files given\n\n${USAGE}`);
    return 2;
  }
  const contents: Buffer[] = [];
  for (const file of files) {
    try {
      contents.push(await readFile(file));
    } catch (e) {
      io.err(`geored sip-check: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
      return 2;
    }
  }
  let rejected = 0;
  files.forEach((file, i) => {
    const v = judge(file, contents[i] as Buffer);
    if (!v.accepted) rejected++;
    io.out(JSON.stringify(v));
  });
  return rejected > 0 ? 1 : 0;
}

function judge(file: string, bytes: Buffer): Verdict {
  let msg: SipMessage;
  try {
    msg = parseMessage(bytes, { datagram: true, strict: true });
  } catch (e) {
    if (!(e instanceof SipParseError)) throw e;
    const v: Verdict = { file, accepted: false, ...sniff(bytes), reason: `${e.code}: ${e.message}` };
    if (e.status !== undefined) v.response = e.status;
    return v;
  }
  if (!isRequest(msg)) {
    // The same rule the stack applies before a client transaction sees a response: dropped, not answered.
    const problem = checkResponseSemantics(msg);
    return problem === null
      ? { file, accepted: true, kind: 'response', status: msg.status }
      : {
          file,
          accepted: false,
          kind: 'response',
          status: msg.status,
          reason: `${problem.code}: ${problem.message}`,
        };
  }
  const v: Verdict = { file, accepted: true, kind: 'request', method: msg.method };
  const verdict = checkRequestSemantics(msg, 'proxy') ?? checkRequestSemantics(msg, 'uas');
  if (verdict !== null) {
    v.response = verdict.status;
    v.reason = verdict.reason;
  }
  return v;
}

/** What the start line of a rejected message says it is, when that can be told. */
function sniff(bytes: Buffer): Pick<Verdict, 'kind' | 'method' | 'status'> {
  const text = bytes.toString('latin1', 0, Math.min(bytes.length, 256)).replace(/^(\r\n)+/, '');
  const m = /^SIP\/\d+\.\d+ (\d+)/i.exec(text);
  if (m) {
    const status = Number(m[1]);
    return Number.isSafeInteger(status) ? { kind: 'response', status } : { kind: 'response' };
  }
  if (/^SIP\//i.test(text)) return { kind: 'response' };
  const method = /^([A-Za-z0-9\-.!%*_+`'~]+) /.exec(text);
  return method ? { kind: 'request', method: method[1] as string } : {};
}
