-- xrca schema 2: offline (sub-)enrollment requests, and finding an issuance by its request.
CREATE INDEX certificates_by_request ON certificates (request_id);
CREATE TABLE offline_requests (
  request_id TEXT PRIMARY KEY,
  operation TEXT NOT NULL CHECK (operation IN ('Enroll', 'SubEnroll')),
  key_name TEXT NOT NULL,          -- 'cluster', or 'cluster-next' when renewing with a new key
  key_fingerprint TEXT NOT NULL,
  revocation TEXT NOT NULL,        -- standard | custom
  authorities TEXT NOT NULL,       -- fingerprints of custom revocation authorities, comma-separated
  created TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'imported', 'superseded'))
);
