-- xrca schema 14 (PostgreSQL schema 7): counts kept as rows, so that `xrca status` and the
-- console's overview read a few rows instead of counting every certificate (1.7 s at 3 million
-- on PostgreSQL; docs/performance.md). `row_counts` holds, per table, kind and status, how many
-- rows there are; triggers keep it exact in the transaction of every change (SQLite has one
-- writer at a time, so one row per kind and status is no bottleneck). Certificates are counted
-- by kind and status, escrowed user keys as one number (kind and status empty). It is derived
-- state: copies between back ends leave it out, and the target's own triggers rebuild it.
CREATE TABLE row_counts (
  tbl TEXT NOT NULL,
  kind TEXT NOT NULL,
  status TEXT NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (tbl, kind, status)
) WITHOUT ROWID;
INSERT INTO row_counts (tbl, kind, status, n)
  SELECT 'certificates', kind, status, COUNT(*) FROM certificates GROUP BY kind, status;
INSERT INTO row_counts (tbl, kind, status, n) SELECT 'user_keys', '', '', COUNT(*) FROM user_keys;
CREATE TRIGGER certificates_counted_insert AFTER INSERT ON certificates BEGIN
  INSERT INTO row_counts (tbl, kind, status, n) VALUES ('certificates', NEW.kind, NEW.status, 1)
    ON CONFLICT (tbl, kind, status) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER certificates_counted_update AFTER UPDATE OF kind, status ON certificates
  WHEN OLD.kind IS NOT NEW.kind OR OLD.status IS NOT NEW.status BEGIN
  UPDATE row_counts SET n = n - 1 WHERE tbl = 'certificates' AND kind = OLD.kind AND status = OLD.status;
  INSERT INTO row_counts (tbl, kind, status, n) VALUES ('certificates', NEW.kind, NEW.status, 1)
    ON CONFLICT (tbl, kind, status) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER certificates_counted_delete AFTER DELETE ON certificates BEGIN
  UPDATE row_counts SET n = n - 1 WHERE tbl = 'certificates' AND kind = OLD.kind AND status = OLD.status;
END;
CREATE TRIGGER user_keys_counted_insert AFTER INSERT ON user_keys BEGIN
  INSERT INTO row_counts (tbl, kind, status, n) VALUES ('user_keys', '', '', 1)
    ON CONFLICT (tbl, kind, status) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER user_keys_counted_delete AFTER DELETE ON user_keys BEGIN
  UPDATE row_counts SET n = n - 1 WHERE tbl = 'user_keys';
END;
