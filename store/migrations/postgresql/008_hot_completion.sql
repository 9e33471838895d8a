-- xrca PostgreSQL schema 8 (no SQLite counterpart: SQLite updates only the indexes whose columns
-- change): completing an issuance is a HOT update (issue 14, docs/store.md "Indexes").
--
-- A completion changes status, xrml and body; an abandonment changes status. PostgreSQL updates a
-- row in place on its page, without a new entry in any index (a heap-only tuple), only when no
-- index, partial-index predicate or indexed expression names a column that changed, and when the
-- page has room for the new version. With status in `certificates_pending` (its predicate) and in
-- `certificates_by_kind_status`, every completion added an entry to each of the table's indexes,
-- most of them keyed by random values (ids, keys, request ids): at a million rows each Certify
-- wrote 44 KB of WAL, mostly full-page images of those index pages, against 5 KB on an empty
-- table. So no index of certificates names status any more:
--
-- * the rows not (yet) issued, pending or abandoned, are listed in `unissued_certificates`, kept
--   by the triggers below in the statement that inserts, updates or deletes them (so also by
--   COPY, migrate-store and restore); the sweep of stale reservations and a search for pending or
--   abandoned certificates start from it. Derived state, as row_counts: copies leave it out.
-- * the console's search by kind walks (kind, issued, id) and filters the status.
-- * find_by_subject compares lower(subject) too, through certificates_by_subject_nocase, instead of
--   keeping a second index on subject (one random index page less per reservation).
-- * certificates fills its pages only half (fillfactor): room for the completed versions of the
--   rows reserved on a page. A page takes its dozen reservations within milliseconds and their
--   completions follow within a tenth of a second, before the versions they replace can be
--   pruned; measured under load (bench/cluster.sh --growth): 80% of the completions were HOT at
--   fillfactor 85, 90% at 70, 92% at 60, all of them at 50. The documents themselves (BODY,
--   XrML) are stored out of line (TOAST), so this doubles only the rows' few hundred bytes.
CREATE TABLE unissued_certificates (
  id text PRIMARY KEY,
  status text NOT NULL CHECK (status IN ('pending', 'abandoned')),
  issued text NOT NULL
);
INSERT INTO unissued_certificates (id, status, issued)
  SELECT id, status, issued FROM certificates WHERE status <> 'issued';
-- Each Certify inserts a row and deletes it: vacuumed after every thousand, as row_count_changes.
ALTER TABLE unissued_certificates SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1000);

CREATE FUNCTION track_unissued_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO unissued_certificates (id, status, issued)
    SELECT id, status, issued FROM inserted WHERE status <> 'issued';
  RETURN NULL;
END $$;
CREATE FUNCTION track_unissued_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM unissued_certificates u USING after_update a WHERE u.id = a.id AND a.status = 'issued';
  INSERT INTO unissued_certificates (id, status, issued)
    SELECT id, status, issued FROM after_update WHERE status <> 'issued'
    ON CONFLICT (id) DO UPDATE SET status = excluded.status, issued = excluded.issued;
  RETURN NULL;
END $$;
CREATE FUNCTION track_unissued_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM unissued_certificates u USING deleted d WHERE u.id = d.id;
  RETURN NULL;
END $$;
CREATE TRIGGER certificates_unissued_insert AFTER INSERT ON certificates
  REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION track_unissued_inserted();
CREATE TRIGGER certificates_unissued_update AFTER UPDATE ON certificates
  REFERENCING OLD TABLE AS before_update NEW TABLE AS after_update
  FOR EACH STATEMENT EXECUTE FUNCTION track_unissued_updated();
CREATE TRIGGER certificates_unissued_delete AFTER DELETE ON certificates
  REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT EXECUTE FUNCTION track_unissued_deleted();

DROP INDEX certificates_pending;
DROP INDEX certificates_by_kind_status;
CREATE INDEX certificates_by_kind ON certificates (kind, issued COLLATE "C", id COLLATE "C");
DROP INDEX certificates_by_subject;
ALTER TABLE certificates SET (fillfactor = 50);
