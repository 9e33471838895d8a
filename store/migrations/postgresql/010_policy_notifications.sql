-- xrca PostgreSQL schema 10 (no SQLite counterpart): a change to who may call the service, or to
-- the policy every request is judged by, is announced to every node (issue 14, docs/store.md
-- "What a node remembers").
--
-- Each `xrca serve` on a PostgreSQL store keeps its callers' principals and the policy revision
-- between requests (store/postgres_policy_cache.h) instead of reading them for every request.
-- It LISTENs on the channel xrca_policy; these triggers NOTIFY it, with this schema's name as
-- the payload (several stores may share a database), whenever rows of principals or their grants
-- change, or the policy revision moves (revocations, exclusions, trust, decommissioning: every
-- writer of those moves it). Row triggers, so that a statement that changes nothing (binding a
-- sub-enroll principal that is bound already, at every SubEnroll) announces nothing; the
-- notifications of one transaction are one (PostgreSQL folds equal payloads), sent when it
-- commits and never for one rolled back. Whoever changes these tables, xrca or an administrator
-- with psql, is heard; TRUNCATE has a statement trigger of its own.
CREATE FUNCTION notify_policy_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('xrca_policy', TG_TABLE_SCHEMA);
  RETURN NULL;
END $$;
CREATE TRIGGER principals_announced AFTER INSERT OR UPDATE OR DELETE ON principals
  FOR EACH ROW EXECUTE FUNCTION notify_policy_change();
CREATE TRIGGER principals_truncation_announced AFTER TRUNCATE ON principals
  FOR EACH STATEMENT EXECUTE FUNCTION notify_policy_change();
CREATE TRIGGER principal_grants_announced AFTER INSERT OR UPDATE OR DELETE ON principal_grants
  FOR EACH ROW EXECUTE FUNCTION notify_policy_change();
CREATE TRIGGER principal_grants_truncation_announced AFTER TRUNCATE ON principal_grants
  FOR EACH STATEMENT EXECUTE FUNCTION notify_policy_change();
CREATE TRIGGER policy_revision_announced AFTER INSERT OR UPDATE OR DELETE ON policy_revision
  FOR EACH ROW EXECUTE FUNCTION notify_policy_change();
CREATE TRIGGER policy_revision_truncation_announced AFTER TRUNCATE ON policy_revision
  FOR EACH STATEMENT EXECUTE FUNCTION notify_policy_change();
