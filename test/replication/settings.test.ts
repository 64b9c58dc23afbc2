/** data_replication in config.yml: read, checked by the same rules as the API, every problem with its path. */
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config';

const regions = (db: string) => [
  '    regions:',
  '      - { name: eu-west-1, priority: 1, trunk_id: t1, sip_server: 127.0.0.1:5091, jurisdiction: eu,',
  `          database: "${db}" }`,
  '      - { name: us-east-1, priority: 2, trunk_id: t2, sip_server: 127.0.0.1:5092, jurisdiction: us,',
  '          database: "postgres://geored@127.0.0.1:5433/pbx" }',
];
const doc = (lines: string[], db = 'postgres://geored@127.0.0.1:5432/pbx') =>
  ['features:', '  geographic_redundancy:', ...regions(db), ...lines, ''].join('\n');

function problems(text: string, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    parseConfig(text, 'c.yml', env);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems.map((p) => `${p.path}: ${p.message}`);
    throw e;
  }
  return [];
}

describe('data_replication in config.yml', () => {
  it('reads the guide’s settings, residency and GDPR', () => {
    const c = parseConfig(
      doc([
        '    data_replication:',
        '      data_types: [extensions, call_queues]',
        '      sync_interval: 30',
        '      tables: { extensions: [pbx.ext] }',
        '      cdr: { target_regions: [eu-west-1], realtime: false }',
        '      data_residency:',
        '        eu-west-1: { data_types: [cdr, personal_data], no_transfer_outside_eu: true }',
        '      gdpr:',
        '        eu-west-1: { user_consent_required: true }',
      ]),
      'c.yml',
      {},
    );
    const r = c.geo.data_replication!;
    expect(r).toMatchObject({
      enabled: true,
      data_types: ['extensions', 'call_queues'],
      sync_interval: 30,
      bidirectional: false,
      tables: { extensions: ['pbx.ext'] },
      cdr: { target_regions: ['eu-west-1'], realtime: false },
      residency: {
        'eu-west-1': {
          data_types: ['cdr', 'personal_data'],
          storage_location: 'eu-west-1',
          no_transfer_outside: ['eu'],
        },
      },
      gdpr: { 'eu-west-1': { data_processing_agreement: true, user_consent_required: true } },
    });
    expect(c.geo.regions.map((x) => [x.name, x.jurisdiction])).toEqual([
      ['eu-west-1', 'eu'],
      ['us-east-1', 'us'],
    ]);
  });

  it('names every problem with its path (meaning problems at data_replication itself), including a rule that would store EU data in the US', () => {
    expect(
      problems(
        doc([
          '    data_replication:',
          '      data_types: [extensions, faxes]',
          '      cdr: { target_regions: [ap-south-1] }',
          '      data_residency:',
          '        eu-west-1: { data_types: [cdr], storage_location: us-east-1, no_transfer_outside_eu: true }',
        ]),
      ),
    ).toEqual([
      'features.geographic_redundancy.data_replication.cdr.target_regions[0]: found "ap-south-1", expected a configured region (eu-west-1, us-east-1)',
      'features.geographic_redundancy.data_replication.data_residency.eu-west-1.storage_location: found us-east-1 (jurisdiction us), expected a region inside eu, as no_transfer_outside_eu says',
      'features.geographic_redundancy.data_replication.data_types[1]: found "faxes", expected one of extensions, voicemail, call_queues, cdr, recordings, personal_data',
    ]);
  });

  it('refuses a database password written in the file, and takes one from the environment', () => {
    expect(problems(doc([], 'postgres://geored:hunter2@127.0.0.1:5432/pbx'))).toEqual([
      'features.geographic_redundancy.regions[0].database: found a literal secret (value not shown), expected env:VAR or file:PATH so the secret stays out of the file',
    ]);
    const c = parseConfig(doc([], 'env:EU_DB'), 'c.yml', {
      EU_DB: 'postgres://geored:s3cret@127.0.0.1:5432/pbx',
    });
    expect(c.geo.regions[0]!.database).toBe('postgres://geored:s3cret@127.0.0.1:5432/pbx');
    expect(c.geo.data_replication).toBeNull();
  });
});
