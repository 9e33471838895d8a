-- xrca PostgreSQL schema 3 (SQLite schema 10): finding certificates (`xrca certs list`,
-- docs/certificates.md). `machine` is the machine ID an SPC names, or the one a RAC was sealed
-- to; rows recorded before this schema have none. Listings go newest first, so `issued` is
-- indexed with `id` as the tie-break (byte order, as every listing here sorts).
ALTER TABLE certificates ADD COLUMN machine text;
CREATE INDEX certificates_by_machine ON certificates (machine) WHERE machine IS NOT NULL;
CREATE INDEX certificates_by_issued ON certificates (issued COLLATE "C", id COLLATE "C");
