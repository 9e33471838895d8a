-- xrca schema 3: principals of the online service. Tokens are never stored, only their SHA-256.
CREATE TABLE principals (
  name TEXT PRIMARY KEY,
  role TEXT NOT NULL CHECK (role IN ('enroll', 'sub-enroll', 'server', 'user')),
  email TEXT NOT NULL,
  user_id TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  created TEXT NOT NULL
);
