/**
 * features.geographic_redundancy.alerts: read as plain data and checked by the same rules as
 * configureAlerts and PUT .../alerts (src/alerts/settings.ts), each problem reported at its path and line.
 */
import { isMap, isSeq, type Node } from 'yaml';
import { checkAlertsSettings, checkEffective, effectiveAlerts } from '../alerts/settings';
import type { AlertsSettings } from '../alerts/settings-types';
import type { Cursor, Reader } from './yaml-reader';

/** The YAML node at a checker's field path (`smtp.port`, `email[1]`), for the line of a problem. */
function nodeAt(root: Node | undefined, field: string): Node | undefined {
  // The deepest node that exists: a missing key is reported at the mapping that lacks it.
  let n: Node | undefined = root;
  for (const part of field.split(/\.|\[(\d+)\]/).filter((p) => p !== undefined && p !== '')) {
    const next: unknown = isMap(n) ? n.get(part, true) : isSeq(n) ? n.get(Number(part), true) : undefined;
    if (next === undefined || next === null) return n;
    n = next as Node;
  }
  return n;
}

export function readAlerts(r: Reader, c: Cursor, env: NodeJS.ProcessEnv): AlertsSettings | undefined {
  if (c.node === undefined) return undefined;
  if (!isMap(c.node)) return r.wrong(c, 'a mapping of alert settings (email, sms, webhook, on_events, ...)');
  const value = c.node.toJSON() as AlertsSettings;
  const problems = checkAlertsSettings(value, env);
  if (problems.length === 0) problems.push(...checkEffective(effectiveAlerts(value, 'geored')));
  for (const p of problems) {
    const path = p.field === '' ? c.path : `${c.path}.${p.field}`;
    r.report(
      'CONFIG_WRONG_VALUE',
      { path, node: nodeAt(c.node, p.field) },
      { found: p.found, expected: p.expected },
    );
  }
  return problems.length === 0 ? value : undefined;
}
