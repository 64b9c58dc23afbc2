/**
 * The typical PBX schema of docs/data-replication.md, created in every region's database by the tests:
 * each table keyed, with home_region (residency) and gdpr_consent (GDPR) inside its replica identity
 * where a row filter reads them, as PostgreSQL 15 requires. `nokey` has no primary key on purpose.
 */
export const PBX_SCHEMA = `
CREATE TABLE extensions (
  id INTEGER PRIMARY KEY, number TEXT NOT NULL, display_name TEXT, email TEXT, subject_id TEXT,
  home_region TEXT NOT NULL DEFAULT 'eu-west-1', gdpr_consent BOOLEAN NOT NULL DEFAULT false);
CREATE UNIQUE INDEX extensions_ri ON extensions (id, home_region, gdpr_consent);
ALTER TABLE extensions REPLICA IDENTITY USING INDEX extensions_ri;
CREATE TABLE voicemail_boxes (
  id INTEGER PRIMARY KEY, extension_id INTEGER NOT NULL, email TEXT, subject_id TEXT,
  home_region TEXT NOT NULL DEFAULT 'eu-west-1', gdpr_consent BOOLEAN NOT NULL DEFAULT false);
CREATE UNIQUE INDEX voicemail_boxes_ri ON voicemail_boxes (id, home_region, gdpr_consent);
ALTER TABLE voicemail_boxes REPLICA IDENTITY USING INDEX voicemail_boxes_ri;
CREATE TABLE voicemail_messages (
  id INTEGER PRIMARY KEY, box_id INTEGER NOT NULL, caller_id TEXT, audio BYTEA, subject_id TEXT,
  home_region TEXT NOT NULL DEFAULT 'eu-west-1', gdpr_consent BOOLEAN NOT NULL DEFAULT false);
CREATE UNIQUE INDEX voicemail_messages_ri ON voicemail_messages (id, home_region, gdpr_consent);
ALTER TABLE voicemail_messages REPLICA IDENTITY USING INDEX voicemail_messages_ri;
CREATE TABLE call_queues (id INTEGER PRIMARY KEY, name TEXT NOT NULL, strategy TEXT NOT NULL);
CREATE TABLE queue_members (queue_id INTEGER NOT NULL, extension_id INTEGER NOT NULL, penalty INTEGER NOT NULL,
  PRIMARY KEY (queue_id, extension_id));
CREATE TABLE cdr (
  id BIGINT PRIMARY KEY, src TEXT, dst TEXT, caller_name TEXT, duration INTEGER NOT NULL, subject_id TEXT,
  home_region TEXT NOT NULL, gdpr_consent BOOLEAN NOT NULL DEFAULT false, started_at TIMESTAMPTZ NOT NULL DEFAULT now());
CREATE UNIQUE INDEX cdr_ri ON cdr (id, home_region, gdpr_consent);
ALTER TABLE cdr REPLICA IDENTITY USING INDEX cdr_ri;
CREATE TABLE nokey (a INTEGER, b TEXT);
`;
