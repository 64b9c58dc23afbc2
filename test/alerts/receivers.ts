/**
 * Real receivers in the test process, on 127.0.0.1 ports of their own: an SMTP server (smtp-server, with
 * STARTTLS and AUTH when asked) whose messages are parsed by mailparser, and HTTP servers standing in for
 * a webhook endpoint, a Twilio-compatible SMS gateway and PagerDuty's Events API. Each keeps every request
 * it received; an HTTP receiver answers as its `behave` function says (a status, or 'hang').
 */
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  readonly envelopeFrom: string;
  readonly envelopeTo: string[];
  readonly user: string | null;
  readonly secure: boolean;
  readonly mail: ParsedMail;
}

export interface SmtpReceiver {
  readonly port: number;
  readonly mails: ReceivedMail[];
  close(): Promise<void>;
}

export async function startSmtp(
  opts: { tls?: { key: string; cert: string }; implicitTls?: boolean; user?: string; password?: string } = {},
): Promise<SmtpReceiver> {
  const mails: ReceivedMail[] = [];
  const disabledCommands = [...(opts.tls ? [] : ['STARTTLS']), ...(opts.user === undefined ? ['AUTH'] : [])];
  const server = new SMTPServer({
    ...(opts.tls ? { key: opts.tls.key, cert: opts.tls.cert, secure: opts.implicitTls === true } : {}),
    disabledCommands,
    authOptional: opts.user === undefined,
    allowInsecureAuth: false,
    logger: false,
    onAuth(auth, _session, cb) {
      if (auth.username === opts.user && auth.password === opts.password) cb(null, { user: auth.username });
      else cb(new Error('Invalid username or password'));
    },
    onData(stream, session, cb) {
      simpleParser(stream)
        .then((mail) => {
          mails.push({
            envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            envelopeTo: session.envelope.rcptTo.map((r) => r.address),
            user: typeof session.user === 'string' ? session.user : null,
            secure: session.secure,
            mail,
          });
          cb();
        })
        .catch((err: Error) => cb(err));
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = ((server as unknown as { server: Server }).server.address() as AddressInfo).port;
  return { port, mails, close: () => new Promise((r) => server.close(() => r())) };
}

export interface HttpRequestSeen {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export type Behaviour = number | 'hang';

export interface HttpReceiver {
  readonly url: string;
  readonly requests: HttpRequestSeen[];
  /** Requests whose answer was held back ('hang'): answered on close. */
  readonly hanging: ServerResponse[];
  behave: (req: HttpRequestSeen, n: number) => Behaviour;
  close(): Promise<void>;
}

export async function startHttp(behave: HttpReceiver['behave'] = () => 200): Promise<HttpReceiver> {
  const requests: HttpRequestSeen[] = [];
  const hanging: ServerResponse[] = [];
  const receiver: HttpReceiver = {
    url: '',
    requests,
    hanging,
    behave,
    close: async () => undefined,
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const seen: HttpRequestSeen = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(seen);
      const b = receiver.behave(seen, requests.length);
      if (b === 'hang') {
        hanging.push(res);
        return;
      }
      res.writeHead(b, { 'content-type': 'application/json' });
      res.end(b >= 200 && b < 300 ? '{"status":"ok"}' : '{"error":"try again"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  Object.assign(receiver, {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((r) => {
        for (const res of hanging.splice(0)) res.destroy();
        server.closeAllConnections();
        server.close(() => r());
      }),
  });
  return receiver;
}

/** A fresh Standard Webhooks key: whsec_ and the base64 of 32 random bytes. */
export function newWebhookKey(): string {
  const bytes = new Uint8Array(32);
  crypto.getRandomValues(bytes);
  return `whsec_${Buffer.from(bytes).toString('base64')}`;
}
