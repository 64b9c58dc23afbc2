/**
 * The PBX's bindings as store rows (geo_pbx_bindings) and as the payload other instances receive through
 * live state: the same shape both ways, checked on the way in (a peer's JSON is not trusted blindly).
 */
import type { PbxBindingRow } from '../store/types';
import type { Binding } from './bindings';

export function bindingToRow(b: Binding): PbxBindingRow {
  return {
    uri: b.uri,
    protocol: b.endpoint.protocol,
    address: b.endpoint.address,
    port: b.endpoint.port,
    call_id: b.callId,
    cseq: b.cseq,
    expires_at: new Date(b.expiresAt).toISOString(),
    registered_at: new Date(b.registeredAt).toISOString(),
  };
}

export function bindingFromRow(r: PbxBindingRow): Binding {
  return {
    uri: r.uri,
    endpoint: { protocol: r.protocol, address: r.address, port: r.port },
    callId: r.call_id,
    cseq: r.cseq,
    expiresAt: Date.parse(r.expires_at),
    registeredAt: Date.parse(r.registered_at),
  };
}

/** Rows from an untrusted JSON value; null when anything is not of the expected shape. */
export function rowsFromPayload(value: unknown): PbxBindingRow[] | null {
  if (!Array.isArray(value)) return null;
  const out: PbxBindingRow[] = [];
  for (const v of value as unknown[]) {
    if (typeof v !== 'object' || v === null) return null;
    const r = v as Record<string, unknown>;
    const ok =
      typeof r['uri'] === 'string' &&
      (r['protocol'] === 'udp' || r['protocol'] === 'tcp' || r['protocol'] === 'tls') &&
      typeof r['address'] === 'string' &&
      Number.isInteger(r['port']) &&
      typeof r['call_id'] === 'string' &&
      Number.isInteger(r['cseq']) &&
      typeof r['expires_at'] === 'string' &&
      !Number.isNaN(Date.parse(r['expires_at'])) &&
      typeof r['registered_at'] === 'string' &&
      !Number.isNaN(Date.parse(r['registered_at']));
    if (!ok) return null;
    out.push(r as unknown as PbxBindingRow);
  }
  return out;
}
