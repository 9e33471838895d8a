-- xrca PostgreSQL schema 6 (SQLite schema 13): listing the revoked certificates (`xrca certs
-- list --revoked`, the console's revoked search) starts from the revocations and looks up the
-- certificates each one names, by an index per revocation type: license-id names lower(id),
-- issuer-key names issuer_fingerprint; the other types' columns were indexed already.
CREATE INDEX certificates_by_id_lower ON certificates (lower(id));
CREATE INDEX certificates_by_issuer ON certificates (issuer_fingerprint);
