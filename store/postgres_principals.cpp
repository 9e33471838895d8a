// PostgreSQL implementation of the principals part of Store: callers of the online service, the
// cluster a sub-enroll principal is bound to, and the users a server principal may certify
// (docs/principals.md).
#include "store/postgres_policy_cache.h"
#include "store/postgres_rows.h"
#include "store/postgres_store.h"

namespace xrca::store {

using namespace pg_detail;

namespace {

constexpr const char* k_principal_columns = "name, role, email, user_id, token_hash, created, cluster_guid";

PrincipalRecord read_principal(const Result& q, int row) {
    PrincipalRecord p;
    p.name = q.text(row, 0);
    p.role = q.text(row, 1);
    p.email = q.text(row, 2);
    p.user_id = q.text(row, 3);
    p.token_hash = q.text(row, 4);
    p.created = q.text(row, 5);
    p.cluster_guid = q.text(row, 6);
    return p;
}

void read_grants(Connection& c, PrincipalRecord& p) {
    const auto q =
        c.query("SELECT pattern FROM principal_grants WHERE principal = $1 ORDER BY pattern COLLATE \"C\"", {p.name});
    for (int i = 0; i < q.rows(); ++i) p.may_certify.push_back(q.text(i, 0));
}

void insert_grant(Connection& c, const std::string& name, const std::string& pattern, const std::string& added) {
    c.query("INSERT INTO principal_grants (principal, pattern, added) VALUES ($1, $2, $3)", {name, pattern, added});
}

// One principal by a unique column, with its grants: one statement (one snapshot, one round
// trip; every request's token is looked up so), a row per grant or one with a NULL pattern. Its
// last column is the policy revision, read in the same statement (see recent_policy_revision).
std::optional<std::pair<PrincipalRecord, std::int64_t>> find_one(Pool& pool, const char* column,
                                                                 const std::string& value) {
    return run(pool, "finding a principal", Tx::None,
               [&](Connection& c) -> std::optional<std::pair<PrincipalRecord, std::int64_t>> {
                   const auto q = c.query(std::string("SELECT ") + k_principal_columns +
                                              ", g.pattern, (SELECT revision FROM policy_revision WHERE id = 1) "
                                              "FROM principals LEFT JOIN principal_grants g ON g.principal = "
                                              "principals.name WHERE principals." +
                                              column + " = $1 ORDER BY g.pattern COLLATE \"C\"",
                                          {value});
                   if (q.rows() == 0) return std::nullopt;
                   auto p = read_principal(q, 0);
                   const int pattern = 7, revision = 8;  // after k_principal_columns' seven
                   for (int i = 0; i < q.rows(); ++i) {
                       if (!q.null(i, pattern)) p.may_certify.push_back(q.text(i, pattern));
                   }
                   if (q.null(0, revision)) throw StorageError("the policy revision row is missing");
                   return std::make_pair(std::move(p), q.int64(0, revision));
               });
}

}  // namespace

void PostgresStore::add_principal(const PrincipalRecord& p, const LogEntry& entry) {
    const auto forget = forgetting();
    run(*m_pool, "adding a principal", Tx::Write, [&](Connection& c) {
        c.query(std::string("INSERT INTO principals (") + k_principal_columns + ") VALUES ($1, $2, $3, $4, $5, $6, $7)",
                {p.name, p.role, p.email, p.user_id, p.token_hash, p.created, p.cluster_guid});
        for (const auto& pattern : p.may_certify) insert_grant(c, p.name, pattern, p.created);
        append_log_locked(c, entry);
    });
}

bool PostgresStore::remove_principal(const std::string& name, const LogEntry& entry) {
    const auto forget = forgetting();
    return run(*m_pool, "removing a principal", Tx::Write, [&](Connection& c) {
        // Explicitly, not only by the foreign key's cascade: a grant must never outlive its principal.
        c.query("DELETE FROM principal_grants WHERE principal = $1", {name});
        if (c.query("DELETE FROM principals WHERE name = $1", {name}).affected() == 0) return false;
        append_log_locked(c, entry);
        return true;
    });
}

std::vector<PrincipalRecord> PostgresStore::list_principals() {
    return run(*m_pool, "listing principals", Tx::Snapshot, [&](Connection& c) {
        const auto q =
            c.query(std::string("SELECT ") + k_principal_columns + " FROM principals ORDER BY name COLLATE \"C\"");
        std::vector<PrincipalRecord> out;
        for (int i = 0; i < q.rows(); ++i) out.push_back(read_principal(q, i));
        for (auto& p : out) read_grants(c, p);
        return out;
    });
}

std::optional<PrincipalRecord> PostgresStore::find_principal(const std::string& name) {
    auto found = find_one(*m_pool, "name", name);
    if (!found) return std::nullopt;
    return std::move(found->first);
}

std::optional<PrincipalRecord> PostgresStore::find_principal_by_token_hash(const std::string& token_hash) {
    // Only `serve` looks tokens up: its first lookup starts the listener of the process's cache,
    // and later ones find their principal there (postgres_policy_cache.h). A token not found is
    // never remembered: a guess is always read from the database.
    if (m_cache) {
        m_cache->start();
        if (auto known = m_cache->principal(token_hash)) return known;
    }
    const auto ticket = m_cache ? m_cache->ticket() : pg_detail::PolicyCache::Ticket{};
    auto found = find_one(*m_pool, "token_hash", token_hash);
    if (!found) return std::nullopt;
    // The request that presented the token asks for the policy revision next: it was read too.
    if (m_cache) m_cache->remember(ticket, token_hash, found->first, found->second);
    return std::move(found->first);
}

std::optional<std::string> PostgresStore::bind_principal_cluster(const std::string& name,
                                                                 const std::string& cluster_guid) {
    // Every SubEnroll of a sub-enroll principal asks; only the first binds, and only then is
    // there anything for the cache to forget.
    bool bound = false;
    auto winner =
        run(*m_pool, "binding a principal to its cluster", Tx::Write, [&](Connection& c) -> std::optional<std::string> {
            // Of two racing binders the second waits for the first's row lock, then finds the
            // binding set (read committed re-checks the row) and changes nothing; it reads the winner.
            bound = c.query("UPDATE principals SET cluster_guid = $1 WHERE name = $2 AND cluster_guid = ''",
                            {cluster_guid, name})
                        .affected() > 0;
            const auto q = c.query("SELECT cluster_guid FROM principals WHERE name = $1", {name});
            if (q.rows() == 0) return std::nullopt;
            return q.text(0, 0);
        });
    if (bound && m_cache) m_cache->forget();
    return winner;
}

bool PostgresStore::set_principal_cluster(const std::string& name, const std::string& cluster_guid,
                                          const LogEntry& entry) {
    const auto forget = forgetting();
    return run(*m_pool, "rebinding a principal", Tx::Write, [&](Connection& c) {
        if (c.query("UPDATE principals SET cluster_guid = $1 WHERE name = $2", {cluster_guid, name}).affected() == 0) {
            return false;
        }
        append_log_locked(c, entry);
        return true;
    });
}

bool PostgresStore::add_principal_grant(const std::string& name, const std::string& pattern, const LogEntry& entry) {
    const auto forget = forgetting();
    return run(*m_pool, "adding a grant", Tx::Write, [&](Connection& c) {
        // FOR SHARE: the principal cannot be removed before this transaction ends.
        if (c.query("SELECT 1 FROM principals WHERE name = $1 FOR SHARE", {name}).rows() == 0) return false;
        insert_grant(c, name, pattern, entry.time);
        append_log_locked(c, entry);
        return true;
    });
}

bool PostgresStore::remove_principal_grant(const std::string& name, const std::string& pattern, const LogEntry& entry) {
    const auto forget = forgetting();
    return run(*m_pool, "removing a grant", Tx::Write, [&](Connection& c) {
        if (c.query("DELETE FROM principal_grants WHERE principal = $1 AND pattern = $2", {name, pattern}).affected() ==
            0) {
            return false;
        }
        append_log_locked(c, entry);
        return true;
    });
}

}  // namespace xrca::store
