-- xrca PostgreSQL schema 9 (no SQLite counterpart): the row counts (007_row_counts.sql) and the
-- unissued list (008_hot_completion.sql) are kept by the statements that insert and update
-- certificates, not by triggers (issue 14, docs/performance.md "PostgreSQL CPU per request").
--
-- Each Certify inserts a certificate and then updates it. With four statement triggers on those
-- two events, PostgreSQL gathered transition tables for each statement and ran four PL/pgSQL
-- functions and five statements of theirs besides the store's eight. The store's reservation,
-- completion and abandonment now write certificates and unissued_certificates (and
-- row_count_changes) in one statement each (data-modifying WITH), and a copy into a store
-- (migrate-store, restore: PostgresTableWriter) derives both tables from the certificates it
-- copied. Every other writer of certificates must do the same: nothing in xrca inserts or
-- updates certificates otherwise. Deleting certificates (nothing in xrca does; an administrator
-- may) still fires the delete triggers, and user_keys keeps its triggers (no Certify writes it).
DROP TRIGGER certificates_counted_insert ON certificates;
DROP TRIGGER certificates_counted_update ON certificates;
DROP TRIGGER certificates_unissued_insert ON certificates;
DROP TRIGGER certificates_unissued_update ON certificates;
DROP FUNCTION count_certificates_inserted();
DROP FUNCTION count_certificates_updated();
DROP FUNCTION track_unissued_inserted();
DROP FUNCTION track_unissued_updated();

-- Only issued certificates are counted as changes: the rows not issued are the few listed in
-- unissued_certificates, counted there (a Certify appends one change, at its completion,
-- instead of three: +1 pending, then -1 pending and +1 issued).
DELETE FROM row_count_changes WHERE tbl = 'certificates' AND status <> 'issued';
DELETE FROM row_counts WHERE tbl = 'certificates' AND status <> 'issued';
CREATE OR REPLACE FUNCTION count_certificates_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO row_count_changes (tbl, kind, status, n)
    SELECT 'certificates', kind, 'issued', -count(*) FROM deleted WHERE status = 'issued' GROUP BY kind;
  RETURN NULL;
END $$;

-- The documents are stored out of line (TOAST) but not compressed: PostgreSQL's default (pglz)
-- compressed every BODY and signed XrML in full and then kept them as they were, since base64
-- keys and signatures do not shrink by the quarter it asks for (docs/performance.md: pglz was
-- the server's costliest function under the Certify load). Rows already stored keep theirs.
ALTER TABLE certificates ALTER COLUMN body SET STORAGE EXTERNAL, ALTER COLUMN xrml SET STORAGE EXTERNAL;
