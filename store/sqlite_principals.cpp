// SQLite implementation of the principals part of Store: callers of the online service, the
// cluster a sub-enroll principal is bound to, and the users a server principal may certify
// (docs/principals.md).
#include "store/sqlite_internal.h"
#include "store/sqlite_store.h"

namespace xrca::store {

using namespace sqlite_detail;

namespace {

constexpr const char* k_principal_columns = "name, role, email, user_id, token_hash, created, cluster_guid";

PrincipalRecord read_principal_row(SQLite::Statement& q) {
    PrincipalRecord p;
    p.name = q.getColumn(0).getString();
    p.role = q.getColumn(1).getString();
    p.email = q.getColumn(2).getString();
    p.user_id = q.getColumn(3).getString();
    p.token_hash = q.getColumn(4).getString();
    p.created = q.getColumn(5).getString();
    p.cluster_guid = q.getColumn(6).getString();
    return p;
}

void read_grants(SQLite::Database& db, PrincipalRecord& p) {
    SQLite::Statement q(db, "SELECT pattern FROM principal_grants WHERE principal = ? ORDER BY pattern");
    q.bind(1, p.name);
    while (q.executeStep()) p.may_certify.push_back(q.getColumn(0).getString());
}

void insert_grant(SQLite::Database& db, const std::string& name, const std::string& pattern, const std::string& added) {
    SQLite::Statement q(db, "INSERT INTO principal_grants (principal, pattern, added) VALUES (?, ?, ?)");
    q.bind(1, name);
    q.bind(2, pattern);
    q.bind(3, added);
    q.exec();
}

// One principal by a unique column, with its grants, in one prepared statement (every request
// of the service looks its token up so): a row per grant, or one with a NULL pattern.
std::string one_principal_sql(const char* column) {
    return std::string("SELECT ") + k_principal_columns +
           ", g.pattern FROM principals LEFT JOIN principal_grants g ON g.principal = principals.name "
           "WHERE principals." +
           column + " = ? ORDER BY g.pattern";
}

std::optional<PrincipalRecord> read_one_principal(SQLite::Statement& q, const std::string& value) {
    q.bind(1, value);
    if (!q.executeStep()) return std::nullopt;
    auto p = read_principal_row(q);
    constexpr int k_pattern = 7;  // after k_principal_columns' seven
    do {
        if (!q.getColumn(k_pattern).isNull()) p.may_certify.push_back(q.getColumn(k_pattern).getString());
    } while (q.executeStep());
    return p;
}

}  // namespace

void SqliteStore::add_principal(const PrincipalRecord& p, const LogEntry& entry) {
    Lock lock(m_mutex);
    guarded("adding a principal", [&] {
        SQLite::Transaction t(*m_db, SQLite::TransactionBehavior::IMMEDIATE);
        SQLite::Statement q(
            *m_db, std::string("INSERT INTO principals (") + k_principal_columns + ") VALUES (?, ?, ?, ?, ?, ?, ?)");
        q.bind(1, p.name);
        q.bind(2, p.role);
        q.bind(3, p.email);
        q.bind(4, p.user_id);
        q.bind(5, p.token_hash);
        q.bind(6, p.created);
        q.bind(7, p.cluster_guid);
        q.exec();
        for (const auto& pattern : p.may_certify) insert_grant(*m_db, p.name, pattern, p.created);
        append_log_locked(entry);
        t.commit();
        return 0;
    });
}

bool SqliteStore::remove_principal(const std::string& name, const LogEntry& entry) {
    Lock lock(m_mutex);
    return guarded("removing a principal", [&] {
        SQLite::Transaction t(*m_db, SQLite::TransactionBehavior::IMMEDIATE);
        // Explicitly, not only by the foreign key's cascade: a grant must never outlive its principal.
        SQLite::Statement grants(*m_db, "DELETE FROM principal_grants WHERE principal = ?");
        grants.bind(1, name);
        grants.exec();
        SQLite::Statement q(*m_db, "DELETE FROM principals WHERE name = ?");
        q.bind(1, name);
        if (q.exec() == 0) return false;
        append_log_locked(entry);
        t.commit();
        return true;
    });
}

std::vector<PrincipalRecord> SqliteStore::list_principals() {
    Lock lock(m_mutex);
    return guarded("listing principals", [&] {
        std::vector<PrincipalRecord> out;
        SQLite::Statement q(*m_db, std::string("SELECT ") + k_principal_columns + " FROM principals ORDER BY name");
        while (q.executeStep()) out.push_back(read_principal_row(q));
        for (auto& p : out) read_grants(*m_db, p);
        return out;
    });
}

std::optional<PrincipalRecord> SqliteStore::find_principal(const std::string& name) {
    static const auto sql = one_principal_sql("name");
    Lock lock(m_read_mutex);
    return guarded("finding a principal", [&] { return read_one_principal(read_prepared(sql.c_str()), name); });
}

std::optional<PrincipalRecord> SqliteStore::find_principal_by_token_hash(const std::string& token_hash) {
    static const auto sql = one_principal_sql("token_hash");
    Lock lock(m_read_mutex);
    return guarded("finding a principal", [&] { return read_one_principal(read_prepared(sql.c_str()), token_hash); });
}

std::optional<std::string> SqliteStore::bind_principal_cluster(const std::string& name,
                                                               const std::string& cluster_guid) {
    Lock lock(m_mutex);
    return guarded("binding a principal to its cluster", [&]() -> std::optional<std::string> {
        // One statement sets the binding only where none is: of two racing binders, the first wins.
        SQLite::Transaction t(*m_db, SQLite::TransactionBehavior::IMMEDIATE);
        SQLite::Statement bind(*m_db, "UPDATE principals SET cluster_guid = ? WHERE name = ? AND cluster_guid = ''");
        bind.bind(1, cluster_guid);
        bind.bind(2, name);
        bind.exec();
        SQLite::Statement q(*m_db, "SELECT cluster_guid FROM principals WHERE name = ?");
        q.bind(1, name);
        if (!q.executeStep()) return std::nullopt;
        auto bound = q.getColumn(0).getString();
        t.commit();
        return bound;
    });
}

bool SqliteStore::set_principal_cluster(const std::string& name, const std::string& cluster_guid,
                                        const LogEntry& entry) {
    Lock lock(m_mutex);
    return guarded("rebinding a principal", [&] {
        SQLite::Transaction t(*m_db, SQLite::TransactionBehavior::IMMEDIATE);
        SQLite::Statement q(*m_db, "UPDATE principals SET cluster_guid = ? WHERE name = ?");
        q.bind(1, cluster_guid);
        q.bind(2, name);
        if (q.exec() == 0) return false;
        append_log_locked(entry);
        t.commit();
        return true;
    });
}

bool SqliteStore::add_principal_grant(const std::string& name, const std::string& pattern, const LogEntry& entry) {
    Lock lock(m_mutex);
    return guarded("adding a grant", [&] {
        SQLite::Transaction t(*m_db, SQLite::TransactionBehavior::IMMEDIATE);
        SQLite::Statement exists(*m_db, "SELECT 1 FROM principals WHERE name = ?");
        exists.bind(1, name);
        if (!exists.executeStep()) return false;
        insert_grant(*m_db, name, pattern, entry.time);
        append_log_locked(entry);
        t.commit();
        return true;
    });
}

bool SqliteStore::remove_principal_grant(const std::string& name, const std::string& pattern, const LogEntry& entry) {
    Lock lock(m_mutex);
    return guarded("removing a grant", [&] {
        SQLite::Transaction t(*m_db, SQLite::TransactionBehavior::IMMEDIATE);
        SQLite::Statement q(*m_db, "DELETE FROM principal_grants WHERE principal = ? AND pattern = ?");
        q.bind(1, name);
        q.bind(2, pattern);
        if (q.exec() == 0) return false;
        append_log_locked(entry);
        t.commit();
        return true;
    });
}

}  // namespace xrca::store
