/**
 * Per-region header rewrites, compiled once per configuration into small functions: headers that would
 * leak the PBX's internal addresses to a provider are removed, replaced, or have their URI host changed.
 */
import type { HeaderRewrite } from '../config/types';
import { formatNameAddr, formatUri, parseNameAddrList, parseUri, type SipRequest } from '../sip/message';

export type Rewrite = (req: SipRequest) => void;

export function compileRewrites(rules: readonly HeaderRewrite[]): Rewrite | null {
  if (rules.length === 0) return null;
  const steps = rules.map(compileRule);
  return (req) => {
    for (const step of steps) step(req);
  };
}

function compileRule(rule: HeaderRewrite): Rewrite {
  switch (rule.action) {
    case 'remove':
      return (req) => void req.headers.remove(rule.header);
    case 'set':
      return (req) => req.headers.set(rule.header, rule.value);
    case 'replace_host':
      return (req) => {
        const values = req.headers.getAll(rule.header);
        if (values.length === 0) return;
        req.headers.set(rule.header, values.map((v) => replaceHost(v, rule.header, rule.host)).join(', '));
      };
  }
}

/** The name-addr list `value` with the host of each sip: URI replaced (others left alone). */
export function replaceHost(value: string, header: string, host: string): string {
  let list;
  try {
    list = parseNameAddrList(value, header);
  } catch {
    // A header we cannot parse is sent as it was: rewriting is hygiene, not validation.
    return value;
  }
  return list
    .map((na) => {
      let u;
      try {
        u = parseUri(na.uri);
      } catch {
        return formatNameAddr(na);
      }
      if (u.kind !== 'sip') return formatNameAddr(na);
      // Keep user part and URI parameters as written; only the host (and port) changes.
      return formatNameAddr({ ...na, uri: formatUri({ ...u, host, port: null }) });
    })
    .join(', ');
}
