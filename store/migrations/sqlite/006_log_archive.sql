-- xrca schema 6: log retention (docs/logging.md). Archiving moves the oldest entries of the
-- enrollment log to a signed file and deletes them; the live chain then continues from the
-- last archived entry, pinned here, so that `log --verify` still checks every kept entry.
CREATE TABLE log_checkpoint (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  seq INTEGER NOT NULL,        -- the last archived entry
  hash TEXT NOT NULL           -- its hash: the prev_hash of the oldest kept entry
);
