-- xrca schema 15: the plain index of certificates.subject goes. Every lookup by subject reads the
-- NOCASE index of schema 5 instead (an exact lookup compares the case again), so the plain index
-- only cost one more page written per issuance, at a place as random as the subjects
-- (PostgreSQL's schema 8 dropped its own for the same reason).
DROP INDEX certificates_by_subject;
