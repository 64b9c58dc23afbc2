import { startSipp, type SippPeer } from './sipp';

/**
 * Two sipp regions answering OPTIONS on loopback, us-east-1 (priority 1) and us-west-1 (priority 2), and
 * the `regions:` lines of a geographic_redundancy config naming them.
 */
export async function twoSippRegions(): Promise<{ east: SippPeer; west: SippPeer; lines: string[] }> {
  const east = await startSipp({ scenario: 'uas-options.xml' });
  const west = await startSipp({ scenario: 'uas-options.xml' });
  const lines = [
    '    regions:',
    '      - name: us-east-1',
    '        priority: 1',
    '        trunk_id: trunk-us-east',
    `        sip_server: "127.0.0.1:${east.port}"`,
    '      - name: us-west-1',
    '        priority: 2',
    '        trunk_id: trunk-us-west',
    `        sip_server: "127.0.0.1:${west.port}"`,
  ];
  return { east, west, lines };
}

/** Three sipp regions answering OPTIONS: us-east-1, us-west-1 and eu-west-1 (priorities 1, 2, 3). */
export async function threeSippRegions(): Promise<{
  peers: Record<'us-east-1' | 'us-west-1' | 'eu-west-1', SippPeer>;
  lines: string[];
}> {
  const { east, west, lines } = await twoSippRegions();
  const eu = await startSipp({ scenario: 'uas-options.xml' });
  return {
    peers: { 'us-east-1': east, 'us-west-1': west, 'eu-west-1': eu },
    lines: [
      ...lines,
      '      - name: eu-west-1',
      '        priority: 3',
      '        trunk_id: trunk-eu-west',
      `        sip_server: "127.0.0.1:${eu.port}"`,
    ],
  };
}
