-- xrca schema 11 (PostgreSQL schema 4): where the authority is reached from outside the organisation (issue 15). The
-- extranet base URL (ending in /_wmcs, as base_url does) that service location answers for the
-- external service types and that RACs and CLCs carry as their Extranet-* distribution points;
-- empty when the authority has none (clients then use base_url).
ALTER TABLE authority ADD COLUMN extranet_url TEXT NOT NULL DEFAULT '';
