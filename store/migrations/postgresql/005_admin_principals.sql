-- xrca schema 5 (SQLite schema 12): the admin principal role, whose token signs in to the
-- administrator's console (issue 17).
ALTER TABLE principals DROP CONSTRAINT principals_role_check;
ALTER TABLE principals ADD CONSTRAINT principals_role_check
  CHECK (role IN ('enroll', 'sub-enroll', 'server', 'user', 'admin'));
-- The console's overview (and `xrca status`) counts certificates by kind and status, and its
-- search lists one kind newest first: both from this index (the listing orders in byte order).
CREATE INDEX certificates_by_kind_status ON certificates (kind, status, issued COLLATE "C", id COLLATE "C");
