-- xrca schema 5 (SQLite schema 12): the admin principal role, whose token signs in to the
-- administrator's console (issue 17).
ALTER TABLE principals DROP CONSTRAINT principals_role_check;
ALTER TABLE principals ADD CONSTRAINT principals_role_check
  CHECK (role IN ('enroll', 'sub-enroll', 'server', 'user', 'admin'));
-- The console's overview (and `xrca status`) counts certificates by kind and status: from this
-- index (an index-only scan), not by reading every row and its document.
CREATE INDEX certificates_by_kind_status ON certificates (kind, status);
