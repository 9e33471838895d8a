-- xrca PostgreSQL schema 2 (SQLite schema 9): the revocation list this authority publishes
-- (docs/revocation.md, issue 14). One row, so that every node serves the same signed list, byte
-- for byte. A node that finds it stale signs a successor and replaces the row only if it still
-- holds the list that node saw: UPDATE … WHERE list_id IS NOT DISTINCT FROM the one seen, which
-- under read committed waits for a concurrent publisher's row lock and then re-checks, so one
-- successor wins per predecessor.
CREATE TABLE published_revocation_list (
  id integer PRIMARY KEY CHECK (id = 1),
  list_id text,                -- the list's GUID; NULL until the first list is published
  revision bigint NOT NULL,    -- the policy revision read before its revocations were read
  signed_at text NOT NULL,     -- its ISSUEDTIME, ISO 8601
  xrml text NOT NULL           -- the signed document, as served
);
INSERT INTO published_revocation_list (id, list_id, revision, signed_at, xrml) VALUES (1, NULL, 0, '', '');
