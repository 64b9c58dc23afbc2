/**
 * Services with alerts for the tests: two regions answering the controlled check, a store of their own,
 * and an alerts block the test writes. Secrets come from process.env under names unique to the test file.
 */
import { parseConfig } from '../../src/config';
import type { Config } from '../../src/config/types';
import { CONTROLLED_HEALTH } from '../geo/harness';

export const REGIONS = [
  '    regions:',
  '      - name: us-east-1',
  '        priority: 1',
  '        trunk_id: trunk-us-east',
  '        sip_server: sip.us-east.provider.com',
  '      - name: us-west-1',
  '        priority: 2',
  '        trunk_id: trunk-us-west',
  '        sip_server: sip.us-west.provider.com',
];

/** `alerts` is the YAML of the alerts mapping, indented as its own document (two spaces per level). */
export function alertsConfig(
  storeUrl: string,
  alerts: string[],
  serverLines: string[] = [],
  geoLines: string[] = [],
): Config {
  const yaml = [
    'features:',
    '  geographic_redundancy:',
    '    enabled: true',
    ...CONTROLLED_HEALTH,
    ...REGIONS,
    ...geoLines,
    '    alerts:',
    ...alerts.map((l) => `      ${l}`),
    'server:',
    `  store: "${storeUrl}"`,
    ...serverLines,
    '',
  ].join('\n');
  return parseConfig(yaml, 'test-alerts.yml', process.env);
}

export interface WebhookMessage {
  readonly type: string;
  readonly timestamp: string;
  readonly data: {
    id: string;
    event: string;
    severity: string;
    region: string | null;
    regions: string[];
    state_before: string | null;
    state_after: string | null;
    reason: string;
    time: string;
    instance: string;
  };
}
