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
        '      cdr: { target_regions: [eu-west-1], realtime: false, geo_calls: false }',
        '      lag_alert_seconds: 20',
        '      lag_alert_bytes: 1048576',
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
      cdr: { target_regions: ['eu-west-1'], realtime: false, geo_calls: false },
      lag_alert_seconds: 20,
      lag_alert_bytes: 1_048_576,
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
          '      cdr: { target_regions: [ap-south-1], geo_calls: false }',
          '      lag_alert_bytes: 0.5',
          '      data_residency:',
          '        eu-west-1: { data_types: [cdr], storage_location: us-east-1, no_transfer_outside_eu: true }',
        ]),
      ),
    ).toEqual([
      'features.geographic_redundancy.data_replication.cdr.target_regions[0]: found "ap-south-1", expected a configured region (eu-west-1, us-east-1)',
      'features.geographic_redundancy.data_replication.data_residency.eu-west-1.storage_location: found us-east-1 (jurisdiction us), expected a region inside eu, as no_transfer_outside_eu says',
      'features.geographic_redundancy.data_replication.data_types[1]: found "faxes", expected one of extensions, voicemail, call_queues, cdr, recordings, personal_data',
      'features.geographic_redundancy.data_replication.lag_alert_bytes: found 0.5, expected a whole number of bytes above 0',
    ]);
  });

  it("refuses to publish geored's call records from a SQLite store, or from a store that is a region's database", () => {
    const cdr = ['    data_replication:', '      cdr: { target_regions: [us-east-1] }'];
    // The default store is SQLite.
    expect(problems(doc(cdr))).toEqual([
      "features.geographic_redundancy.data_replication.cdr.geo_calls: found true, but geored's store is not PostgreSQL (server.store is SQLite), expected a PostgreSQL store (server.store: postgres://…), since SQLite has no logical replication and geo_calls cannot be published from it; or cdr.geo_calls: false to replicate only the PBX's CDR table",
    ]);
    const withStore = (url: string) => doc([...cdr, 'server:', `  store: "${url}"`]);
    expect(problems(withStore('postgres://geored@127.0.0.1:5433/pbx'))).toEqual([
      "features.geographic_redundancy.data_replication.cdr.geo_calls: found true, but geored's store is us-east-1's own database, expected geored's store in a database of its own (server.store), or cdr.geo_calls: false",
    ]);
    const c = parseConfig(withStore('postgres://geored@127.0.0.1:5434/geored'), 'c.yml', {});
    expect(c.geo.data_replication!.cdr).toEqual({
      target_regions: ['us-east-1'],
      realtime: true,
      geo_calls: true,
    });
    expect(c.geo.data_replication!.lag_alert_bytes).toBeNull();
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
