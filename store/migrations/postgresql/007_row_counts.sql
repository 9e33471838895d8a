-- xrca PostgreSQL schema 7 (SQLite schema 14): counts kept as rows, so that `xrca status` and
-- the console's overview read a few rows instead of counting every certificate (1.7 s at 3
-- million; docs/performance.md). Certificates are counted by kind and status, escrowed user
-- keys as one number (kind and status empty).
--
-- Several nodes issue at once, so a single counter row per kind and status would serialise
-- their completions on its row lock. Instead each statement that changes certificates or
-- user_keys appends its net changes to `row_count_changes` (statement triggers over the
-- transition tables: one row per kind and status touched, also for a COPY of millions), which
-- nobody updates in place. A count is `row_counts` plus the sum of the changes not yet folded
-- into it; folding (PostgresStore::fold_row_counts) deletes the changes it read, by id, in the
-- transaction that adds them to `row_counts`, so that a reader's snapshot sees either both
-- or neither. Derived state: copies between back ends leave both tables out, and the target's
-- triggers rebuild the counts from the rows copied.
CREATE TABLE row_counts (
  tbl text NOT NULL,
  kind text NOT NULL,
  status text NOT NULL,
  n bigint NOT NULL,
  PRIMARY KEY (tbl, kind, status)
);
CREATE TABLE row_count_changes (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tbl text NOT NULL,
  kind text NOT NULL,
  status text NOT NULL,
  n bigint NOT NULL
);
INSERT INTO row_counts (tbl, kind, status, n)
  SELECT 'certificates', kind, status, count(*) FROM certificates GROUP BY kind, status;
INSERT INTO row_counts (tbl, kind, status, n) SELECT 'user_keys', '', '', count(*) FROM user_keys;

-- Names are unqualified: every connection of the store sets search_path to its schema, and a
-- published staging schema keeps its functions under the new name.
CREATE FUNCTION count_certificates_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO row_count_changes (tbl, kind, status, n)
    SELECT 'certificates', kind, status, count(*) FROM inserted GROUP BY kind, status;
  RETURN NULL;
END $$;
CREATE FUNCTION count_certificates_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO row_count_changes (tbl, kind, status, n)
    SELECT 'certificates', kind, status, sum(n) FROM (
      SELECT kind, status, -1 AS n FROM before_update
      UNION ALL SELECT kind, status, 1 FROM after_update) AS moved
    GROUP BY kind, status HAVING sum(n) <> 0;
  RETURN NULL;
END $$;
CREATE FUNCTION count_certificates_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO row_count_changes (tbl, kind, status, n)
    SELECT 'certificates', kind, status, -count(*) FROM deleted GROUP BY kind, status;
  RETURN NULL;
END $$;
CREATE TRIGGER certificates_counted_insert AFTER INSERT ON certificates
  REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION count_certificates_inserted();
CREATE TRIGGER certificates_counted_update AFTER UPDATE ON certificates
  REFERENCING OLD TABLE AS before_update NEW TABLE AS after_update
  FOR EACH STATEMENT EXECUTE FUNCTION count_certificates_updated();
CREATE TRIGGER certificates_counted_delete AFTER DELETE ON certificates
  REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT EXECUTE FUNCTION count_certificates_deleted();

CREATE FUNCTION count_user_keys_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO row_count_changes (tbl, kind, status, n)
    SELECT 'user_keys', '', '', count(*) FROM inserted HAVING count(*) > 0;
  RETURN NULL;
END $$;
CREATE FUNCTION count_user_keys_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO row_count_changes (tbl, kind, status, n)
    SELECT 'user_keys', '', '', -count(*) FROM deleted HAVING count(*) > 0;
  RETURN NULL;
END $$;
CREATE TRIGGER user_keys_counted_insert AFTER INSERT ON user_keys
  REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION count_user_keys_inserted();
CREATE TRIGGER user_keys_counted_delete AFTER DELETE ON user_keys
  REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT EXECUTE FUNCTION count_user_keys_deleted();

-- A fold deletes what it read, and a count reads the dead rows until they are vacuumed (50 ms
-- for 27,000 of them at 10 million certificates): vacuum this table after every thousand.
ALTER TABLE row_count_changes SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1000);
