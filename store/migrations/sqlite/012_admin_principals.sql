-- xrca schema 12 (PostgreSQL schema 5): the admin principal role, whose token signs in to the
-- administrator's console (issue 17). SQLite cannot alter a CHECK constraint: the principals
-- table is rebuilt. Its grants are set aside first, because with foreign keys on, dropping
-- principals would delete them (ON DELETE CASCADE), and put back after.
CREATE TEMP TABLE principal_grants_kept AS SELECT principal, pattern, added FROM principal_grants;
DROP TABLE principal_grants;
CREATE TABLE principals_new (
  name TEXT PRIMARY KEY,
  role TEXT NOT NULL CHECK (role IN ('enroll', 'sub-enroll', 'server', 'user', 'admin')),
  email TEXT NOT NULL,
  user_id TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  created TEXT NOT NULL,
  cluster_guid TEXT NOT NULL DEFAULT ''
);
INSERT INTO principals_new (name, role, email, user_id, token_hash, created, cluster_guid)
  SELECT name, role, email, user_id, token_hash, created, cluster_guid FROM principals;
DROP TABLE principals;
ALTER TABLE principals_new RENAME TO principals;
CREATE TABLE principal_grants (
  principal TEXT NOT NULL REFERENCES principals (name) ON DELETE CASCADE,
  pattern TEXT NOT NULL,
  added TEXT NOT NULL,
  PRIMARY KEY (principal, pattern)
);
INSERT INTO principal_grants (principal, pattern, added) SELECT principal, pattern, added FROM principal_grants_kept;
DROP TABLE principal_grants_kept;
-- The console's overview (and `xrca status`) counts certificates by kind and status, and its
-- search lists one kind newest first: both from this index, not by reading every row and its
-- document (0.4 s at 100,000 certificates), nor by sorting every row of the kind.
CREATE INDEX certificates_by_kind_status ON certificates (kind, status, issued, id);
