/**
 * The guide's data-replication methods as the service offers them (enable_data_replication,
 * replicate_cdr, configure_data_residency, enable_gdpr_compliance, plus status, consent, erasure and
 * export): each builds the next settings from the ones in force and hands them to the Replicator, which
 * checks them against every database before anything is saved. The service only delegates here.
 */
import { errorFactory } from '../errors/catalogue';
import { REPLICATION_ERRORS } from '../errors/replication';
import type { Replicator } from '../replication/replicator';
import {
  DATA_TYPES,
  type CdrReplicationRequest,
  type DataReplicationRequest,
  type DataType,
  type GdprRequest,
  type ReplicationSettings,
  type ResidencyRequest,
} from '../replication/types';

const replicationError = errorFactory(REPLICATION_ERRORS);

export type { CdrReplicationRequest, DataReplicationRequest, GdprRequest, ResidencyRequest };

function dataTypes(list: readonly string[], setting: string): DataType[] {
  list.forEach((d, i) => {
    if (!(DATA_TYPES as readonly string[]).includes(d))
      throw replicationError('REPLICATION_BAD_SETTING', {
        setting: `${setting}[${i}]`,
        found: JSON.stringify(d),
        expected: `one of ${DATA_TYPES.join(', ')}`,
      });
  });
  return list as DataType[];
}

export function enableDataReplication(rep: Replicator, req: DataReplicationRequest) {
  const cur = rep.current;
  const next: ReplicationSettings = {
    ...cur,
    enabled: true,
    data_types: req.data_types ? dataTypes(req.data_types, 'data_types') : cur.data_types,
    sync_interval: req.sync_interval ?? cur.sync_interval,
    bidirectional: req.bidirectional ?? false,
    tables: req.tables ? (req.tables as ReplicationSettings['tables']) : cur.tables,
  };
  return rep.apply(
    next,
    req.by ?? 'api',
    `enabled data replication of ${next.data_types.join(', ')} (sync_interval ${next.sync_interval} s, bidirectional ${next.bidirectional})`,
  );
}

export function replicateCdr(rep: Replicator, req: CdrReplicationRequest) {
  const cur = rep.current;
  const next: ReplicationSettings = {
    ...cur,
    enabled: true,
    cdr: {
      target_regions: [...req.target_regions],
      realtime: req.realtime ?? true,
      geo_calls: req.geo_calls ?? true,
    },
  };
  return rep.apply(
    next,
    req.by ?? 'api',
    `replicates call records to ${req.target_regions.join(', ')} (${next.cdr!.realtime ? 'realtime' : `every ${next.sync_interval} s`})` +
      (next.cdr!.geo_calls ? '' : ", the PBX's CDR table only"),
  );
}

export function configureDataResidency(rep: Replicator, region: string, c: ResidencyRequest, by = 'api') {
  const outside = Object.entries(c)
    .filter(([k]) => k.startsWith('no_transfer_outside_'))
    .map(([k, v]) => {
      if (typeof v !== 'boolean')
        throw replicationError('REPLICATION_BAD_SETTING', {
          setting: k,
          found: JSON.stringify(v),
          expected: 'true or false',
        });
      return v ? k.slice('no_transfer_outside_'.length) : null;
    })
    .filter((j): j is string => j !== null);
  const unknown = Object.keys(c).find(
    (k) =>
      !['data_types', 'storage_location'].includes(k) && !/^no_transfer_outside_[a-z][a-z0-9_]*$/.test(k),
  );
  if (unknown !== undefined)
    throw replicationError('REPLICATION_BAD_SETTING', {
      setting: unknown,
      found: 'an unknown constraint',
      expected: 'data_types, storage_location or no_transfer_outside_JURISDICTION',
    });
  const cur = rep.current;
  const rule = {
    data_types: dataTypes(c.data_types, 'data_types'),
    storage_location: c.storage_location ?? region,
    no_transfer_outside: outside,
  };
  const next: ReplicationSettings = { ...cur, residency: { ...cur.residency, [region]: rule } };
  return rep.apply(
    next,
    by,
    `set the data residency of ${region}: ${rule.data_types.join(', ')} stored in ${rule.storage_location}` +
      (outside.length > 0
        ? `, no transfer outside ${outside.join(', ')}`
        : ', no transfer to another region'),
  );
}

export function enableGdprCompliance(rep: Replicator, req: GdprRequest) {
  const cur = rep.current;
  const g = {
    data_processing_agreement: req.data_processing_agreement ?? true,
    user_consent_required: req.user_consent_required ?? true,
  };
  const next: ReplicationSettings = { ...cur, gdpr: { ...cur.gdpr, [req.region]: g } };
  return rep.apply(
    next,
    req.by ?? 'api',
    `enabled GDPR mode in ${req.region} (data processing agreement ${g.data_processing_agreement}, consent required ${g.user_consent_required})`,
  );
}
