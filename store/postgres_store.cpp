// PostgreSQL implementation of Store: opening and migrating, the authority, its keys, chains and
// offline requests, escrowed user keys, trust lists and counts (see postgres_store.h).
#include "store/postgres_store.h"

#include "store/factory.h"
#include "store/postgres_connection.h"
#include "store/postgres_migrations.h"
#include "store/postgres_policy_cache.h"
#include "store/postgres_rows.h"

namespace xrca::store {

using namespace pg_detail;

namespace {

constexpr const char* k_key_columns = "name, fingerprint, encrypted, custody";

const char* custody_name(KeyCustody custody) noexcept { return custody == KeyCustody::Pkcs11 ? "pkcs11" : "software"; }

// A private_keys row (k_key_columns). The column's CHECK admits only the two names.
KeyBlob key_blob(const Result& q, int row) {
    const auto custody = q.text(row, 3);
    if (custody != "software" && custody != "pkcs11") {
        throw StorageError("the key " + q.text(row, 0) + " has an unknown custody");
    }
    return KeyBlob{q.text(row, 0), q.text(row, 1), q.bytes(row, 2),
                   custody == "pkcs11" ? KeyCustody::Pkcs11 : KeyCustody::Software};
}

constexpr const char* k_request_columns =
    "request_id, operation, key_name, key_fingerprint, revocation, authorities, created, state";

OfflineRequestRecord read_request(const Result& q, int row) {
    return {q.text(row, 0), q.text(row, 1), q.text(row, 2), q.text(row, 3),
            q.text(row, 4), q.text(row, 5), q.text(row, 6), q.text(row, 7)};
}

// The advisory lock that serialises migrating, publishing and removing one schema's store
// across every process (held to the end of the transaction that takes it).
void lock_schema(Connection& c, const std::string& schema) {
    c.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", {"xrca schema " + schema});
}

// Whether `schema` holds a store (its schema_version table), read from the catalog so that
// nothing is created or changed by asking.
bool holds_store(Connection& c, const std::string& schema) {
    // to_regclass looks the name up in the catalog caches; a join of pg_class and pg_namespace
    // was planned and run on a backend's cold caches, 3-8 ms of every CLI command's first query.
    return c.query("SELECT to_regclass(format('%I.schema_version', $1::text)) IS NOT NULL", {schema}).text(0, 0) == "t";
}

}  // namespace

int PostgresStore::latest_schema_version() noexcept { return static_cast<int>(k_postgres_migrations.size()); }

PostgresStore::PostgresStore(const std::string& locator, bool create, const SchemaOptions& schema) {
    auto parsed = parse_locator(locator);
    m_description = describe_locator(parsed);
    // A generic plan is made once per connection, with the statistics of that moment: made
    // while certificates was a few rows (a new store), the completion's would scan the table
    // until an ANALYZE. Nothing these sessions run needs a sequential scan: each row is reached
    // by its key.
    m_batches =
        std::make_unique<Pool>(parsed, 2, "SET plan_cache_mode TO force_generic_plan; SET enable_seqscan TO off");
    m_pool = std::make_unique<Pool>(std::move(parsed), k_max_connections);
    migrate(create, schema);
    // Schema 10 announces changes (010_policy_notifications.sql); a store opened at an older
    // version (tests of migrations) remembers nothing.
    constexpr int announcing = 10;
    if (schema.stop_at == 0 || schema.stop_at >= announcing) m_cache = std::make_unique<PolicyCache>(m_pool->locator());
}

PostgresStore::~PostgresStore() = default;

PostgresStore::Forgetting::~Forgetting() {
    if (m_cache != nullptr) m_cache->forget();
}

std::string PostgresStore::describe() const { return m_description; }

// Brings the schema to this build's version. Several processes may open a new or old store at
// once: the version is read again under the schema's advisory lock, so the others wait for the
// first and then find nothing left to do. A newer schema is refused before anything is written;
// upgrading an existing store is announced (no backup is taken here: docs/store.md).
void PostgresStore::migrate(bool create, const SchemaOptions& options) {
    const auto& schema = m_pool->locator().schema;
    const std::int64_t target = options.stop_at > 0 ? options.stop_at : latest_schema_version();
    const auto refuse_newer = [&](std::int64_t current) {
        if (current > latest_schema_version()) {
            throw StorageError("the " + m_description + " has schema version " + std::to_string(current) +
                               ", written by a newer xrca than this one (which knows up to " +
                               std::to_string(latest_schema_version()) + "); upgrade xrca to use it");
        }
    };
    const auto current =
        run(*m_pool, "reading the schema version", Tx::Snapshot, [&](Connection& c) -> std::optional<std::int64_t> {
            if (!holds_store(c, schema)) return std::nullopt;
            return c.exec("SELECT COALESCE(MAX(version), 0) FROM schema_version").int64(0, 0);
        });
    if (!current && !create) throw StoreMissing("no authority in " + m_description);
    if (current) {
        refuse_newer(*current);
        if (*current >= target) return;  // the usual case: no lock needed
    }
    run(*m_pool, "migrating the database", Tx::Write, [&](Connection& c) {
        lock_schema(c, schema);
        c.exec("CREATE SCHEMA IF NOT EXISTS " + quoted_schema(schema));
        c.exec("CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL)");
        const auto now = c.exec("SELECT COALESCE(MAX(version), 0) FROM schema_version").int64(0, 0);
        refuse_newer(now);
        if (now >= target) return;
        if (now > 0 && options.notice)
            options.notice(SchemaUpgrade{m_description, static_cast<int>(now), static_cast<int>(target), ""});
        for (auto v = now + 1; v <= target; ++v) {
            c.exec(k_postgres_migrations[static_cast<std::size_t>(v - 1)]);
        }
        c.exec("DELETE FROM schema_version");
        c.exec("INSERT INTO schema_version (version) VALUES (" + std::to_string(target) + ")");
    });
}

std::optional<AuthorityRecord> PostgresStore::load_authority() {
    return run(*m_pool, "reading the authority", Tx::None, [&](Connection& c) -> std::optional<AuthorityRecord> {
        const auto q = c.query(
            "SELECT role, name, guid, base_url, crypto_mode, state, revocation, anchor_fingerprint, sku, version, "
            "created, extranet_url FROM authority WHERE id = 1");
        if (q.rows() == 0) return std::nullopt;
        AuthorityRecord a;
        a.role = q.text(0, 0);
        a.name = q.text(0, 1);
        a.guid = q.text(0, 2);
        a.base_url = q.text(0, 3);
        a.crypto_mode = static_cast<int>(q.int64(0, 4));
        a.state = q.text(0, 5);
        a.revocation = q.text(0, 6);
        a.anchor_fingerprint = q.text(0, 7);
        a.sku = q.text(0, 8);
        a.version = q.text(0, 9);
        a.created = q.text(0, 10);
        a.extranet_url = q.text(0, 11);
        return a;
    });
}

void PostgresStore::create_authority(const AuthorityRecord& a, const std::vector<KeyBlob>& keys,
                                     const std::vector<ChainRecord>& chains, const LogEntry& entry) {
    run(*m_pool, "creating the authority", Tx::Write, [&](Connection& c) {
        c.query(
            "INSERT INTO authority (id, role, name, guid, base_url, crypto_mode, state, revocation, "
            "anchor_fingerprint, sku, version, created, extranet_url) "
            "VALUES (1, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            {a.role, a.name, a.guid, a.base_url, param(a.crypto_mode), a.state, a.revocation, a.anchor_fingerprint,
             a.sku, a.version, a.created, a.extranet_url});
        insert_keys_and_chains(c, keys, chains, a.created);
        append_log_locked(c, entry);
    });
}

void PostgresStore::insert_keys_and_chains(Connection& c, const std::vector<KeyBlob>& keys,
                                           const std::vector<ChainRecord>& chains, const std::string& created) {
    for (const auto& k : keys) {
        c.query("INSERT INTO private_keys (name, fingerprint, encrypted, created, custody) VALUES ($1, $2, $3, $4, $5)",
                {k.name, k.fingerprint, bytea_param(k.encrypted), created, custody_name(k.custody)});
    }
    for (const auto& chain : chains) {
        c.query("DELETE FROM own_chains WHERE purpose = $1", {chain.purpose});
        for (std::size_t i = 0; i < chain.documents.size(); ++i) {
            c.query("INSERT INTO own_chains (purpose, position, xrml) VALUES ($1, $2, $3)",
                    {chain.purpose, param(static_cast<std::int64_t>(i)), chain.documents[i]});
        }
    }
}

std::optional<KeyBlob> PostgresStore::load_key(const std::string& name) {
    return run(*m_pool, "reading a key", Tx::None, [&](Connection& c) -> std::optional<KeyBlob> {
        const auto q = c.query(std::string("SELECT ") + k_key_columns + " FROM private_keys WHERE name = $1", {name});
        if (q.rows() == 0) return std::nullopt;
        return key_blob(q, 0);
    });
}

std::vector<KeyBlob> PostgresStore::list_keys() {
    return run(*m_pool, "reading the keys", Tx::None, [&](Connection& c) {
        const auto q =
            c.query(std::string("SELECT ") + k_key_columns + " FROM private_keys ORDER BY name COLLATE \"C\"");
        std::vector<KeyBlob> out;
        for (int i = 0; i < q.rows(); ++i) out.push_back(key_blob(q, i));
        return out;
    });
}

KeyBlob PostgresStore::save_key_if_absent(const KeyBlob& key) {
    return run(*m_pool, "saving a key", Tx::Write, [&](Connection& c) {
        // ON CONFLICT waits for a concurrent insert of the same name and then does nothing;
        // the next statement (read committed: a new snapshot) sees the row that won.
        c.query(
            "INSERT INTO private_keys (name, fingerprint, encrypted, created, custody) VALUES ($1, $2, $3, "
            "to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), $4) ON CONFLICT (name) DO NOTHING",
            {key.name, key.fingerprint, bytea_param(key.encrypted), custody_name(key.custody)});
        const auto q =
            c.query(std::string("SELECT ") + k_key_columns + " FROM private_keys WHERE name = $1", {key.name});
        if (q.rows() == 0) throw StorageError("the key " + key.name + " vanished while it was saved");
        return key_blob(q, 0);
    });
}

std::vector<std::string> PostgresStore::load_chain(const std::string& purpose) {
    return run(*m_pool, "reading a chain", Tx::None, [&](Connection& c) {
        const auto q = c.query("SELECT xrml FROM own_chains WHERE purpose = $1 ORDER BY position", {purpose});
        std::vector<std::string> out;
        for (int i = 0; i < q.rows(); ++i) out.push_back(q.text(i, 0));
        return out;
    });
}

void PostgresStore::apply(const AuthorityChange& change) {
    const auto forget = forgetting();
    run(*m_pool, "changing the authority", Tx::Write, [&](Connection& c) {
        for (const auto& r : change.requests) {
            const auto q = c.query("UPDATE offline_requests SET state = $1 WHERE request_id = $2 AND state = $3",
                                   {r.to, r.request_id, r.from});
            if (q.affected() != 1) throw ConflictError("request " + r.request_id + " is not " + r.from);
        }
        if (change.new_request) {
            const auto& r = *change.new_request;
            c.query(std::string("INSERT INTO offline_requests (") + k_request_columns +
                        ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    {r.request_id, r.operation, r.key_name, r.key_fingerprint, r.revocation, r.authorities, r.created,
                     r.state});
        }
        for (const auto& name : change.delete_keys) c.query("DELETE FROM private_keys WHERE name = $1", {name});
        for (const auto& r : change.rename_keys) {
            const auto q = c.query("UPDATE private_keys SET name = $1 WHERE name = $2", {r.to, r.from});
            if (q.affected() != 1) throw StorageError("there is no key named " + r.from + " to rename to " + r.to);
        }
        for (const auto& k : change.add_keys) c.query("DELETE FROM private_keys WHERE name = $1", {k.name});
        insert_keys_and_chains(c, change.add_keys, change.chains, change.entry.time);
        if (change.state) {
            const auto q = c.query("UPDATE authority SET state = $1 WHERE id = 1", {*change.state});
            if (q.affected() != 1) throw StorageError("there is no authority to change");
        }
        if (change.extranet_url) {
            const auto q = c.query("UPDATE authority SET extranet_url = $1 WHERE id = 1", {*change.extranet_url});
            if (q.affected() != 1) throw StorageError("there is no authority to change");
        }
        if (change.anchor_fingerprint) {
            const auto q =
                c.query("UPDATE authority SET anchor_fingerprint = $1 WHERE id = 1", {*change.anchor_fingerprint});
            if (q.affected() != 1) throw StorageError("there is no authority to change");
        }
        if (change.bump_policy_revision) bump_policy_revision(c);
        append_log_locked(c, change.entry);
    });
}

std::optional<OfflineRequestRecord> PostgresStore::find_offline_request(const std::string& request_id) {
    return run(
        *m_pool, "finding an offline request", Tx::None, [&](Connection& c) -> std::optional<OfflineRequestRecord> {
            const auto q =
                c.query(std::string("SELECT ") + k_request_columns + " FROM offline_requests WHERE request_id = $1",
                        {request_id});
            if (q.rows() == 0) return std::nullopt;
            return read_request(q, 0);
        });
}

std::optional<OfflineRequestRecord> PostgresStore::pending_offline_request() {
    return run(
        *m_pool, "finding the pending request", Tx::None, [&](Connection& c) -> std::optional<OfflineRequestRecord> {
            const auto q = c.query(std::string("SELECT ") + k_request_columns +
                                   " FROM offline_requests WHERE state = 'pending' ORDER BY created COLLATE \"C\" DESC "
                                   "LIMIT 1");
            if (q.rows() == 0) return std::nullopt;
            return read_request(q, 0);
        });
}

std::optional<UserKeyRecord> PostgresStore::find_user_key(const std::string& user_id) {
    return run(*m_pool, "finding a user key", Tx::None, [&](Connection& c) -> std::optional<UserKeyRecord> {
        const auto q = c.query(
            "SELECT user_id, email, fingerprint, encrypted, created FROM user_keys WHERE user_id = $1", {user_id});
        if (q.rows() == 0) return std::nullopt;
        return UserKeyRecord{q.text(0, 0), q.text(0, 1), q.text(0, 2), q.bytes(0, 3), q.text(0, 4)};
    });
}

UserKeyRecord PostgresStore::insert_user_key_if_absent(const UserKeyRecord& k) {
    return run(*m_pool, "escrowing a user key", Tx::Write, [&](Connection& c) {
        c.query(
            "INSERT INTO user_keys (user_id, email, fingerprint, encrypted, created) VALUES ($1, $2, $3, $4, $5) "
            "ON CONFLICT (user_id) DO NOTHING",
            {k.user_id, k.email, k.fingerprint, bytea_param(k.encrypted), k.created});
        const auto q = c.query(
            "SELECT user_id, email, fingerprint, encrypted, created FROM user_keys WHERE user_id = $1", {k.user_id});
        if (q.rows() == 0) throw StorageError("the key of " + k.user_id + " vanished while it was escrowed");
        return UserKeyRecord{q.text(0, 0), q.text(0, 1), q.text(0, 2), q.bytes(0, 3), q.text(0, 4)};
    });
}

void PostgresStore::add_trust(const TrustRecord& r, const LogEntry& entry) {
    const auto forget = forgetting();
    run(*m_pool, "adding a trusted key", Tx::Write, [&](Connection& c) {
        c.query("INSERT INTO trust (fingerprint, purpose, public_key, label, added) VALUES ($1, $2, $3, $4, $5)",
                {r.fingerprint, r.purpose, r.public_key, r.label, r.added});
        bump_policy_revision(c);
        append_log_locked(c, entry);
    });
}

bool PostgresStore::remove_trust(const std::string& fingerprint, const LogEntry& entry) {
    const auto forget = forgetting();
    return run(*m_pool, "removing a trusted key", Tx::Write, [&](Connection& c) {
        if (c.query("DELETE FROM trust WHERE fingerprint = $1", {fingerprint}).affected() == 0) return false;
        bump_policy_revision(c);
        append_log_locked(c, entry);
        return true;
    });
}

std::vector<TrustRecord> PostgresStore::list_trust() {
    return run(*m_pool, "listing trusted keys", Tx::None, [&](Connection& c) {
        const auto q = c.query(
            "SELECT fingerprint, purpose, public_key, label, added FROM trust "
            "ORDER BY added COLLATE \"C\", fingerprint COLLATE \"C\"");
        std::vector<TrustRecord> out;
        for (int i = 0; i < q.rows(); ++i) {
            out.push_back({q.text(i, 0), q.text(i, 1), q.text(i, 2), q.text(i, 3), q.text(i, 4)});
        }
        return out;
    });
}

StoreCounts PostgresStore::counts() {
    std::int64_t unfolded = 0;
    auto counted = run(*m_pool, "counting", Tx::Snapshot, [&](Connection& c) {
        // The totals plus the changes not yet folded into them (007_row_counts.sql), in one
        // snapshot: a fold commits both sides at once, so the sum is exact while nodes write.
        StoreCounts out;
        unfolded = 0;
        const auto q = c.query(
            "SELECT tbl, kind, status, sum(n)::bigint, sum(changes)::bigint FROM ("
            "SELECT tbl, kind, status, n, 0 AS changes FROM row_counts UNION ALL "
            "SELECT tbl, kind, status, n, 1 FROM row_count_changes) AS counted GROUP BY tbl, kind, status");
        for (int i = 0; i < q.rows(); ++i) {
            const auto table = q.text(i, 0);
            const auto status = q.text(i, 2);
            const auto n = q.int64(i, 3);
            unfolded += q.int64(i, 4);
            if (table == "user_keys") out.user_keys += n;
            if (table != "certificates") continue;
            if (status == "issued" && n != 0) out.issued_by_kind[q.text(i, 1)] = n;
        }
        // The log has no gaps and archiving removes only its oldest entries, up to the
        // checkpoint: what it holds is the head's sequence number less the checkpoint's. The
        // pending certificates are counted in the unissued list, a handful of rows (only the
        // issued ones are counted as changes since schema 9: 009_derived_rows_in_statements.sql).
        const auto n = c.query(
            "SELECT seq - COALESCE((SELECT seq FROM log_checkpoint WHERE id = 1), 0), (SELECT count(*) FROM trust), "
            "(SELECT count(*) FROM unissued_certificates WHERE status = 'pending') FROM log_head WHERE id = 1");
        out.log_entries = n.int64(0, 0);
        out.trusted_keys = n.int64(0, 1);
        out.pending = n.int64(0, 2);
        return out;
    });
    if (unfolded > k_fold_threshold) {
        // The counts are exact already; folding only keeps the next count short. A store this
        // process may read but not change (a standby, a read-only role) still answers.
        try {
            fold_row_counts();
        } catch (const StorageError&) {
        }
    }
    return counted;
}

std::int64_t PostgresStore::fold_row_counts() {
    return run(*m_pool, "folding count changes", Tx::Write, [&](Connection& c) {
        // The changes read are deleted by id in the statement that adds them up: another fold
        // skips the rows this one locked, and a writer's new changes are not among them. The
        // totals are updated in key order, so that two folds never wait on each other in a cycle.
        const auto q = c.query(
            "WITH folded AS (DELETE FROM row_count_changes WHERE id IN (SELECT id FROM row_count_changes "
            "ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED) RETURNING tbl, kind, status, n), "
            "summed AS (INSERT INTO row_counts AS t (tbl, kind, status, n) "
            "SELECT tbl, kind, status, sum(n) FROM folded GROUP BY tbl, kind, status "
            "ORDER BY tbl, kind, status ON CONFLICT (tbl, kind, status) DO UPDATE SET n = t.n + excluded.n) "
            "SELECT count(*) FROM folded",
            {param(k_fold_batch)});
        return q.int64(0, 0);
    });
}

std::optional<CertificateRecord> PostgresStore::find_certificate(const std::string& id) {
    return run(*m_pool, "finding a certificate", Tx::None, [&](Connection& c) -> std::optional<CertificateRecord> {
        const auto q =
            c.query(std::string("SELECT ") + k_certificate_columns + " FROM certificates WHERE id = $1", {id});
        if (q.rows() == 0) return std::nullopt;
        return read_certificate(q, 0);
    });
}

std::vector<CertificateRecord> PostgresStore::find_by_key(const std::string& fp) {
    return run(*m_pool, "finding certificates by key", Tx::None, [&](Connection& c) {
        return read_certificates(c.query(std::string("SELECT ") + k_certificate_columns +
                                             " FROM certificates WHERE key_fingerprint = $1 ORDER BY issued COLLATE "
                                             "\"C\", id COLLATE \"C\"",
                                         {fp}));
    });
}

std::optional<CertificateRecord> PostgresStore::find_issued_by_request(const std::string& request_id) {
    return run(*m_pool, "finding a certificate by request", Tx::None,
               [&](Connection& c) -> std::optional<CertificateRecord> {
                   const auto q = c.query(std::string("SELECT ") + k_certificate_columns +
                                              " FROM certificates WHERE request_id = $1 AND status = 'issued' ORDER BY "
                                              "issued COLLATE \"C\" LIMIT 1",
                                          {request_id});
                   if (q.rows() == 0) return std::nullopt;
                   return read_certificate(q, 0);
               });
}

// --- locators, publishing and removing ----------------------------------------------------------

bool is_postgresql_uri(const std::string& locator) noexcept {
    return locator.rfind("postgresql://", 0) == 0 || locator.rfind("postgres://", 0) == 0;
}

std::string postgres_staging_locator(const std::string& locator, const std::string& tag) {
    const auto parsed = parse_locator(locator);
    auto staging = parsed.uri + "#schema=" + parsed.schema + "_init_" + tag;
    (void)parse_locator(staging);  // the tag must keep the schema a plain identifier
    return staging;
}

void publish_postgres_store(const std::string& staging, const std::string& locator) {
    const auto from = parse_locator(staging);
    const auto to = parse_locator(locator);
    if (from.uri != to.uri) {
        throw StorageError("the store at " + describe_locator(from) +
                           " can only be published in its own database, not in " + describe_locator(to));
    }
    Pool pool(to, 1);
    run(pool, "publishing the store", Tx::Write, [&](Connection& c) {
        lock_schema(c, to.schema);
        if (!holds_store(c, from.schema)) throw StorageError("there is no store in " + describe_locator(from));
        if (holds_store(c, to.schema)) throw StoreExists("there is a store in " + describe_locator(to) + " already");
        const bool target_exists =
            c.query("SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1", {to.schema}).rows() > 0;
        if (!target_exists) {
            c.exec("ALTER SCHEMA " + quoted_schema(from.schema) + " RENAME TO " + quoted_schema(to.schema));
            return;
        }
        // A schema an administrator made for the store (owner, grants): the tables move into it,
        // with their indexes, constraints, triggers and owned sequences.
        const auto tables = c.query("SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = $1", {from.schema});
        for (int i = 0; i < tables.rows(); ++i) {
            c.exec("ALTER TABLE " + quoted_schema(from.schema) + ".\"" + tables.text(i, 0) + "\" SET SCHEMA " +
                   quoted_schema(to.schema));
        }
        // And the functions of the tables' triggers (the counts, 007_row_counts.sql).
        const auto functions = c.query(
            "SELECT p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid) FROM pg_catalog.pg_proc p "
            "JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = $1",
            {from.schema});
        for (int i = 0; i < functions.rows(); ++i) {
            c.exec("ALTER FUNCTION " + quoted_schema(from.schema) + ".\"" + functions.text(i, 0) + "\"(" +
                   functions.text(i, 1) + ") SET SCHEMA " + quoted_schema(to.schema));
        }
        c.exec("DROP SCHEMA " + quoted_schema(from.schema));
    });
}

void remove_postgres_store(const std::string& locator) {
    const auto parsed = parse_locator(locator);
    Pool pool(parsed, 1);
    run(pool, "removing the store", Tx::Write, [&](Connection& c) {
        lock_schema(c, parsed.schema);
        c.exec("DROP SCHEMA IF EXISTS " + quoted_schema(parsed.schema) + " CASCADE");
    });
}

}  // namespace xrca::store
