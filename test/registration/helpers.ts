/** Shared pieces of the registration tests: a region config for a sipp registrar, and sipp's message log. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RegionConfig } from '../../src/config/types';

export function regionFor(
  name: string,
  port: number,
  creds: { username: string; password: string; expires?: number },
  address = '127.0.0.1',
): RegionConfig {
  return {
    name,
    priority: 1,
    trunk_id: `trunk-${name}`,
    sip_server: `${address.includes(':') ? `[${address}]` : address}:${port}`,
    target: { host: address, port, transport: 'udp', secure: false },
    transport: 'udp',
    capabilities: [],
    weight: 1,
    source_addresses: [],
    rewrite_headers: [],
    credentials: {
      username: creds.username,
      password: { source: 'env:TEST_PASSWORD', value: creds.password },
      expires: creds.expires ?? 3600,
    },
  };
}

/** A temporary file for sipp's `-trace_msg -message_file`, and readers over what sipp logged. */
export class SippMessageLog {
  private readonly dir = mkdtempSync(join(tmpdir(), 'geored-reg-'));
  readonly path = join(this.dir, 'messages.log');

  get args(): string[] {
    return ['-trace_msg', '-message_file', this.path];
  }

  text(): string {
    try {
      return readFileSync(this.path, 'utf8');
    } catch {
      return '';
    }
  }

  /** The REGISTER requests sipp received, each as its text. */
  receivedRegisters(): string[] {
    return this.blocks().filter((b) => /message received/.test(b) && /^REGISTER /m.test(b));
  }

  /** One block per message sipp logged: a header line ("UDP message received ..."), then the message. */
  private blocks(): string[] {
    return this.text().split(/^-{10,}[^\n]*$/m);
  }

  /** Status lines sipp sent, e.g. ['401', '200', ...]. */
  sentStatuses(): string[] {
    return this.blocks()
      .filter((b) => /message sent/.test(b))
      .flatMap((b) => [...b.matchAll(/^SIP\/2\.0 (\d{3}) /gm)].map((m) => m[1]!));
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Polls `check` until it returns true or `ms` pass; returns whether it did. */
export async function waitFor(check: () => boolean, ms: number, stepMs = 20): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, stepMs));
  }
  return check();
}
