-- xrca schema 9: the revocation list this authority publishes (docs/revocation.md, issue 14).
-- One row, so that every process serving the authority serves the same signed list, byte for
-- byte. A process that finds it stale signs a successor and replaces the row only if it still
-- holds the list that process saw (compare and set on list_id): one successor per predecessor.
CREATE TABLE published_revocation_list (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  list_id TEXT,                -- the list's GUID; NULL until the first list is published
  revision INTEGER NOT NULL,   -- the policy revision read before its revocations were read
  signed_at TEXT NOT NULL,     -- its ISSUEDTIME, ISO 8601
  xrml TEXT NOT NULL           -- the signed document, as served
);
INSERT INTO published_revocation_list (id, list_id, revision, signed_at, xrml) VALUES (1, NULL, 0, '', '');
