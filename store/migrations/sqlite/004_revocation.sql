-- xrca schema 4: revocation (docs/revocation.md). Revocations and exclusions are append-mostly;
-- `policy_revision` counts every change to them or to the authority's state, so that a running
-- service notices a revocation recorded by another process with one cheap read.
ALTER TABLE certificates ADD COLUMN license_hash TEXT;  -- SHA-1 of the UTF-16LE BODY, lower-case hex
CREATE INDEX certificates_by_license_hash ON certificates (license_hash);
CREATE INDEX certificates_by_subject ON certificates (subject);
CREATE TABLE revocations (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  type TEXT NOT NULL,          -- license-id | license-hash | issuer-key | issuer-id | content-id | principal-id | principal-key
  value TEXT NOT NULL,         -- the normalised value compared (ID, hex digest, key fingerprint)
  object_type TEXT NOT NULL,   -- OBJECT type attribute, for the *-id types
  id_type TEXT NOT NULL,       -- ID type attribute
  id TEXT NOT NULL,            -- ID text as it is emitted
  name TEXT,                   -- OBJECT NAME, when known
  public_key TEXT NOT NULL,    -- the <PUBLICKEY> element, for the *-key types
  reason TEXT NOT NULL,
  revoked TEXT NOT NULL,
  caller TEXT NOT NULL,
  UNIQUE (type, value)
);
CREATE TABLE exclusions (
  kind TEXT NOT NULL CHECK (kind IN ('rac-key', 'min-spc-version')),
  value TEXT NOT NULL,         -- a key fingerprint, or a dotted version
  detail TEXT NOT NULL,        -- the <PUBLICKEY> element of an excluded key
  reason TEXT NOT NULL,
  added TEXT NOT NULL,
  PRIMARY KEY (kind, value)
);
CREATE TABLE policy_revision (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  revision INTEGER NOT NULL
);
INSERT INTO policy_revision (id, revision) VALUES (1, 0);
