-- xrca schema 1. Append-only: later changes go in 002_*.sql and so on; never edit this file.
CREATE TABLE authority (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  role TEXT NOT NULL CHECK (role IN ('enrollment', 'root', 'licensing')),
  name TEXT NOT NULL,
  guid TEXT NOT NULL,
  base_url TEXT NOT NULL,
  crypto_mode INTEGER NOT NULL CHECK (crypto_mode IN (1, 2)),
  state TEXT NOT NULL,
  revocation TEXT NOT NULL,
  anchor_fingerprint TEXT NOT NULL,
  sku TEXT NOT NULL,
  version TEXT NOT NULL,
  created TEXT NOT NULL
);
-- Private keys, only ever as encrypted PKCS#8; the escrow salt as a 'salt' row.
CREATE TABLE private_keys (
  name TEXT PRIMARY KEY,
  fingerprint TEXT NOT NULL,
  encrypted BLOB NOT NULL,
  created TEXT NOT NULL
);
-- This authority's own chains (leaf first), by purpose: 'slc', 'activation', 'enrollment'.
CREATE TABLE own_chains (
  purpose TEXT NOT NULL,
  position INTEGER NOT NULL,
  xrml TEXT NOT NULL,
  PRIMARY KEY (purpose, position)
);
-- Every certificate issued: recorded as 'pending' with its exact BODY before it is signed.
CREATE TABLE certificates (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'issued', 'abandoned')),
  subject TEXT NOT NULL,
  issuer_fingerprint TEXT NOT NULL,
  key_fingerprint TEXT NOT NULL,
  issued TEXT NOT NULL,
  valid_from TEXT,
  valid_until TEXT,
  body TEXT NOT NULL,              -- the exact BODY while pending; '' once xrml (which contains it) is stored
  xrml TEXT,
  request_id TEXT NOT NULL
);
CREATE INDEX certificates_by_key ON certificates (key_fingerprint);
-- Escrowed user key pairs (one per user, reused on every machine), AES-256/GCM under the escrow key.
CREATE TABLE user_keys (
  user_id TEXT PRIMARY KEY,
  email TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  encrypted BLOB NOT NULL,
  created TEXT NOT NULL
);
-- Trust lists: SPC issuers and RAC issuers this authority accepts besides its own.
CREATE TABLE trust (
  fingerprint TEXT NOT NULL,
  purpose TEXT NOT NULL CHECK (purpose IN ('spc-issuer', 'rac-issuer')),
  public_key TEXT NOT NULL,
  label TEXT NOT NULL,
  added TEXT NOT NULL,
  PRIMARY KEY (fingerprint, purpose)
);
-- The enrollment log, hash-chained; log_head pins the newest entry.
CREATE TABLE enrollment_log (
  seq INTEGER PRIMARY KEY,
  request_id TEXT NOT NULL,
  time TEXT NOT NULL,
  operation TEXT NOT NULL,
  caller TEXT NOT NULL,
  inputs TEXT NOT NULL,
  certificate_id TEXT NOT NULL,
  outcome TEXT NOT NULL,
  reason TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE TABLE log_head (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  seq INTEGER NOT NULL,
  hash TEXT NOT NULL
);
