-- xrca PostgreSQL schema 1: the same tables as SQLite schemas 1 to 8 together (store/migrations/
-- sqlite/), in PostgreSQL's types. Append-only: later changes go in 002_*.sql and so on. The
-- store's connections set search_path to the store's schema, so names here are unqualified.
CREATE TABLE authority (
  id integer PRIMARY KEY CHECK (id = 1),
  role text NOT NULL CHECK (role IN ('enrollment', 'root', 'licensing')),
  name text NOT NULL,
  guid text NOT NULL,
  base_url text NOT NULL,
  crypto_mode integer NOT NULL CHECK (crypto_mode IN (1, 2)),
  state text NOT NULL,
  revocation text NOT NULL,
  anchor_fingerprint text NOT NULL,
  sku text NOT NULL,
  version text NOT NULL,
  created text NOT NULL
);
-- 'software': encrypted PKCS#8 (or the escrow salt); 'pkcs11': only a reference to a token's key.
CREATE TABLE private_keys (
  name text PRIMARY KEY,
  fingerprint text NOT NULL,
  encrypted bytea NOT NULL,
  created text NOT NULL,
  custody text NOT NULL DEFAULT 'software' CHECK (custody IN ('software', 'pkcs11'))
);
CREATE TABLE own_chains (
  purpose text NOT NULL,
  position integer NOT NULL,
  xrml text NOT NULL,
  PRIMARY KEY (purpose, position)
);
-- Recorded as 'pending' with its exact BODY before it is signed (docs/issuance-cycle.md).
CREATE TABLE certificates (
  id text PRIMARY KEY,
  kind text NOT NULL,
  status text NOT NULL CHECK (status IN ('pending', 'issued', 'abandoned')),
  subject text NOT NULL,
  issuer_fingerprint text NOT NULL,
  key_fingerprint text NOT NULL,
  issued text NOT NULL,
  valid_from text,
  valid_until text,
  body text NOT NULL,
  xrml text,
  request_id text NOT NULL,
  license_hash text
);
CREATE INDEX certificates_by_key ON certificates (key_fingerprint);
CREATE INDEX certificates_by_request ON certificates (request_id);
CREATE INDEX certificates_by_license_hash ON certificates (license_hash);
CREATE INDEX certificates_by_subject ON certificates (subject);
-- A cluster's GUID may be written in either case.
CREATE INDEX certificates_by_subject_nocase ON certificates (lower(subject));
CREATE INDEX certificates_pending ON certificates (issued) WHERE status = 'pending';
CREATE TABLE user_keys (
  user_id text PRIMARY KEY,
  email text NOT NULL,
  fingerprint text NOT NULL,
  encrypted bytea NOT NULL,
  created text NOT NULL
);
CREATE TABLE trust (
  fingerprint text NOT NULL,
  purpose text NOT NULL CHECK (purpose IN ('spc-issuer', 'rac-issuer')),
  public_key text NOT NULL,
  label text NOT NULL,
  added text NOT NULL,
  PRIMARY KEY (fingerprint, purpose)
);
-- The enrollment log, hash-chained. log_head always has its one row (the genesis until the first
-- entry): every append locks it (SELECT ... FOR UPDATE), which makes appends from every process
-- one sequence.
CREATE TABLE enrollment_log (
  seq bigint PRIMARY KEY,
  request_id text NOT NULL,
  time text NOT NULL,
  operation text NOT NULL,
  caller text NOT NULL,
  inputs text NOT NULL,
  certificate_id text NOT NULL,
  outcome text NOT NULL,
  reason text NOT NULL,
  prev_hash text NOT NULL,
  hash text NOT NULL
);
CREATE INDEX enrollment_log_by_time ON enrollment_log (time);
CREATE TABLE log_head (
  id integer PRIMARY KEY CHECK (id = 1),
  seq bigint NOT NULL,
  hash text NOT NULL
);
INSERT INTO log_head (id, seq, hash) VALUES (1, 0, repeat('0', 64));
-- The last archived entry the live log continues from (docs/logging.md).
CREATE TABLE log_checkpoint (
  id integer PRIMARY KEY CHECK (id = 1),
  seq bigint NOT NULL,
  hash text NOT NULL
);
CREATE TABLE offline_requests (
  request_id text PRIMARY KEY,
  operation text NOT NULL CHECK (operation IN ('Enroll', 'SubEnroll')),
  key_name text NOT NULL,
  key_fingerprint text NOT NULL,
  revocation text NOT NULL,
  authorities text NOT NULL,
  created text NOT NULL,
  state text NOT NULL CHECK (state IN ('pending', 'imported', 'superseded'))
);
CREATE TABLE principals (
  name text PRIMARY KEY,
  role text NOT NULL CHECK (role IN ('enroll', 'sub-enroll', 'server', 'user')),
  email text NOT NULL,
  user_id text NOT NULL,
  token_hash text NOT NULL UNIQUE,
  created text NOT NULL,
  cluster_guid text NOT NULL DEFAULT ''
);
CREATE TABLE principal_grants (
  principal text NOT NULL REFERENCES principals (name) ON DELETE CASCADE,
  pattern text NOT NULL,
  added text NOT NULL,
  PRIMARY KEY (principal, pattern)
);
CREATE TABLE revocations (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  type text NOT NULL,
  value text NOT NULL,
  object_type text NOT NULL,
  id_type text NOT NULL,
  id text NOT NULL,
  name text,
  public_key text NOT NULL,
  reason text NOT NULL,
  revoked text NOT NULL,
  caller text NOT NULL,
  UNIQUE (type, value)
);
CREATE TABLE exclusions (
  kind text NOT NULL CHECK (kind IN ('rac-key', 'min-spc-version')),
  value text NOT NULL,
  detail text NOT NULL,
  reason text NOT NULL,
  added text NOT NULL,
  PRIMARY KEY (kind, value)
);
-- Bumped in the transaction of every change to revocations, exclusions, trust or the authority's
-- state that asks for it: another process notices the change with one read.
CREATE TABLE policy_revision (
  id integer PRIMARY KEY CHECK (id = 1),
  revision bigint NOT NULL
);
INSERT INTO policy_revision (id, revision) VALUES (1, 0);
