-- xrca schema 7: issuances still pending, found without reading the whole certificates table
-- (an authority that opens to issue reconciles those an interrupted process left).
CREATE INDEX certificates_pending ON certificates (issued) WHERE status = 'pending';
