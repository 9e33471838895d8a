-- xrca schema 5: identities bound (issue 12, items 8 and 9).
-- A sub-enroll principal is bound to the cluster GUID it first enrolled ('' until then, or after
-- an administrator cleared it).
ALTER TABLE principals ADD COLUMN cluster_guid TEXT NOT NULL DEFAULT '';
-- The users a server principal may certify besides its own: glob patterns matched against the
-- user ID and the email (docs/principals.md). Removing the principal removes its grants.
CREATE TABLE principal_grants (
  principal TEXT NOT NULL REFERENCES principals (name) ON DELETE CASCADE,
  pattern TEXT NOT NULL,
  added TEXT NOT NULL,
  PRIMARY KEY (principal, pattern)
);
-- Cluster GUIDs are written in either case: the SLCs of a cluster are found ignoring it.
CREATE INDEX certificates_by_subject_nocase ON certificates (subject COLLATE NOCASE);
