/**
 * The REST client the operator commands share: where geored is (`--url`, GEORED_URL, else the API address
 * of the embedded defaults), the token (GEORED_API_TOKEN), and every failure turned into one line that says
 * what failed and why: connection refused, a refused token, a 404 naming the region, a validation error
 * naming the field. The token never appears in any message.
 */
import { DEFAULT_SERVER } from '../config/defaults';

export const GEO_PATH = '/api/framework/geographic-redundancy';

/** http://127.0.0.1:8080: the API listen address of the embedded defaults. */
export function defaultApiUrl(): string {
  const { address, port } = DEFAULT_SERVER.api.listen;
  return `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
}

export interface ClientOptions {
  readonly url?: string;
  readonly token?: string;
  /** Per-request deadline; default 10 s. */
  readonly timeoutMs?: number;
}

/** A request that did not get the answer it wanted; `message` is the one line to print. */
export class ApiFailure extends Error {
  constructor(
    message: string,
    /** HTTP status, or null when geored was not reached. */
    readonly status: number | null,
    readonly code: string | null,
  ) {
    super(message);
  }
}

interface ErrorBody {
  error?: { code?: unknown; message?: unknown; field?: unknown };
}

const NETWORK_CAUSES: Record<string, string> = {
  ECONNREFUSED: 'connection refused (is `geored serve` running there?)',
  ECONNRESET: 'the connection was reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name lookup failed (temporary)',
  ETIMEDOUT: 'connection timed out',
  UND_ERR_SOCKET: 'the connection closed unexpectedly',
};

/** Why fetch failed, from undici's error and its cause. */
export function networkCause(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  const code = cause?.code ?? (err as { code?: string }).code;
  if (code !== undefined && NETWORK_CAUSES[code] !== undefined) return NETWORK_CAUSES[code];
  if ((err as Error).name === 'TimeoutError') return 'no answer in time';
  return cause?.message ?? (err as Error).message ?? String(err);
}

export class RestClient {
  readonly baseUrl: string;
  private readonly token: string | undefined;
  private readonly timeoutMs: number;

  constructor(opts: ClientOptions = {}) {
    const url = (opts.url ?? defaultApiUrl()).replace(/\/+$/, '');
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new ApiFailure(
        `--url ${JSON.stringify(url)} is not a URL (e.g. http://127.0.0.1:8080)`,
        null,
        null,
      );
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new ApiFailure(`--url ${JSON.stringify(url)} must be an http:// or https:// URL`, null, null);
    }
    this.baseUrl = url;
    this.token = opts.token === '' ? undefined : opts.token;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
  }

  /** From `--url`/`GEORED_URL` and `GEORED_API_TOKEN`. */
  static fromEnv(url: string | undefined, env: NodeJS.ProcessEnv = process.env): RestClient {
    const token = env['GEORED_API_TOKEN'];
    return new RestClient({
      url: url ?? env['GEORED_URL'] ?? defaultApiUrl(),
      ...(token !== undefined ? { token } : {}),
    });
  }

  headers(extra: Record<string, string> = {}): Record<string, string> {
    return { ...(this.token ? { authorization: `Bearer ${this.token}` } : {}), ...extra };
  }

  /** GET/POST/PUT a JSON route; resolves with the parsed body of a 2xx, else throws ApiFailure. */
  async request<T>(
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    path: string,
    opts: { body?: unknown; query?: Record<string, string | number | undefined>; what?: string } = {},
  ): Promise<T> {
    const url = new URL(this.baseUrl + path);
    for (const [k, v] of Object.entries(opts.query ?? {}))
      if (v !== undefined) url.searchParams.set(k, String(v));
    const what = opts.what ?? `${method} ${path}`;
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: this.headers(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw new ApiFailure(
        `${what}: cannot reach geored at ${this.baseUrl}: ${networkCause(err)}`,
        null,
        null,
      );
    }
    const text = await res.text();
    if (res.ok) {
      if (text === '') return undefined as T;
      try {
        return JSON.parse(text) as T;
      } catch {
        throw new ApiFailure(
          `${what}: ${this.baseUrl} answered ${res.status} with a body that is not JSON`,
          res.status,
          null,
        );
      }
    }
    throw this.failure(what, res.status, text);
  }

  /** The one line for a non-2xx answer: status, code, geored's own message (it names the region/field). */
  failure(what: string, status: number, text: string): ApiFailure {
    let body: ErrorBody = {};
    try {
      body = JSON.parse(text) as ErrorBody;
    } catch {
      // not geored's JSON error: said below
    }
    const code = typeof body.error?.code === 'string' ? body.error.code : null;
    const message = typeof body.error?.message === 'string' ? body.error.message : null;
    const field = typeof body.error?.field === 'string' ? body.error.field : null;
    let line: string;
    if (status === 401) {
      line = this.token
        ? `geored at ${this.baseUrl} refused the token in GEORED_API_TOKEN (401${code ? ` ${code}` : ''})`
        : `geored at ${this.baseUrl} needs a token: set GEORED_API_TOKEN (401${code ? ` ${code}` : ''})`;
    } else if (message !== null) {
      const head = [String(status), code, field !== null ? `(field ${field})` : null].filter(
        (p) => p !== null,
      );
      line = `${head.join(' ')}: ${message}`;
    } else {
      line = `${status} from ${this.baseUrl}, not a geored error body${text ? `: ${text.slice(0, 120)}` : ''}`;
    }
    return new ApiFailure(`${what}: ${line}`, status, code);
  }
}
