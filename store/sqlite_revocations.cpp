// SQLite implementation of the revocation part of Store: revocations, exclusions, the policy
// revision and the authority's state (docs/revocation.md).
#include "store/certificate_listing.h"
#include "store/sqlite_internal.h"
#include "store/sqlite_store.h"

namespace xrca::store {

using namespace sqlite_detail;

// --- revocation -------------------------------------------------------------------------------

std::vector<CertificateRecord> SqliteStore::issued_where_locked(const char* column, const std::string& value) {
    std::vector<CertificateRecord> out;
    SQLite::Statement q(*m_db, std::string("SELECT ") + k_certificate_columns + " FROM certificates WHERE " + column +
                                   " = ? AND status = 'issued' ORDER BY issued");
    q.bind(1, value);
    while (q.executeStep()) out.push_back(read_certificate_row(q));
    return out;
}

std::vector<CertificateRecord> SqliteStore::find_by_license_hash(const std::string& hash) {
    Lock lock(m_mutex);
    return guarded("finding a certificate by hash", [&] { return issued_where_locked("license_hash", hash); });
}

std::vector<CertificateRecord> SqliteStore::find_by_subject(const std::string& subject) {
    Lock lock(m_mutex);
    return guarded("finding a certificate by subject", [&] {
        static const auto sql = issued_by_subject_sql();
        auto& q = prepared(sql.c_str());
        q.bind(1, subject);
        std::vector<CertificateRecord> out;
        while (q.executeStep()) out.push_back(read_certificate_row(q));
        return out;
    });
}

std::vector<CertificateRecord> SqliteStore::find_by_kind_and_subject_ignoring_case(const std::string& kind,
                                                                                   const std::string& subject) {
    Lock lock(m_mutex);
    return guarded("finding certificates by subject", [&] {
        std::vector<CertificateRecord> out;
        static const auto sql = issued_by_kind_and_subject_ignoring_case_sql();
        auto& q = prepared(sql.c_str());
        q.bind(1, subject);
        q.bind(2, kind);
        while (q.executeStep()) out.push_back(read_certificate_row(q));
        return out;
    });
}

std::vector<ListedCertificate> SqliteStore::list_certificates(const CertificateFilter& filter) {
    const auto query = detail::certificate_listing_query(filter, detail::SqlDialect::Sqlite);
    Lock lock(m_mutex);
    return guarded("listing certificates", [&] {
        std::vector<ListedCertificate> out;
        SQLite::Statement q(*m_db, query.sql);
        for (std::size_t i = 0; i < query.params.size(); ++i) q.bind(static_cast<int>(i + 1), query.params[i]);
        while (q.executeStep()) out.push_back({read_certificate_row(q), q.getColumn(14).getInt() != 0});
        return out;
    });
}

void SqliteStore::bump_policy_revision_locked() {
    auto& q = prepared("UPDATE policy_revision SET revision = revision + 1 WHERE id = 1");
    q.exec();
}

std::int64_t SqliteStore::policy_revision() {
    Lock lock(m_read_mutex);
    return guarded("reading the policy revision", [&] {
        auto& q = read_prepared("SELECT revision FROM policy_revision WHERE id = 1");
        if (!q.executeStep()) throw StorageError("the policy revision row is missing");
        const auto revision = q.getColumn(0).getInt64();
        q.reset();
        return revision;
    });
}

namespace {

constexpr const char* k_revocation_columns =
    "seq, type, value, object_type, id_type, id, name, public_key, reason, revoked, caller";

RevocationRecord read_revocation_row(SQLite::Statement& q) {
    RevocationRecord r;
    r.seq = q.getColumn(0).getInt64();
    r.type = q.getColumn(1).getString();
    r.value = q.getColumn(2).getString();
    r.object_type = q.getColumn(3).getString();
    r.id_type = q.getColumn(4).getString();
    r.id = q.getColumn(5).getString();
    r.name = optional_text(q.getColumn(6));
    r.public_key = q.getColumn(7).getString();
    r.reason = q.getColumn(8).getString();
    r.revoked = q.getColumn(9).getString();
    r.caller = q.getColumn(10).getString();
    return r;
}

}  // namespace

std::int64_t SqliteStore::add_revocation(const RevocationRecord& r, const LogEntry& entry) {
    Lock lock(m_mutex);
    return guarded("recording a revocation", [&] {
        SQLite::Transaction t(*m_db, SQLite::TransactionBehavior::IMMEDIATE);
        SQLite::Statement q(*m_db,
                            "INSERT INTO revocations (type, value, object_type, id_type, id, name, public_key, reason, "
                            "revoked, caller) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        q.bind(1, r.type);
        q.bind(2, r.value);
        q.bind(3, r.object_type);
        q.bind(4, r.id_type);
        q.bind(5, r.id);
        bind_optional(q, 6, r.name);
        q.bind(7, r.public_key);
        q.bind(8, r.reason);
        q.bind(9, r.revoked);
        q.bind(10, r.caller);
        q.exec();
        const auto seq = m_db->getLastInsertRowid();
        bump_policy_revision_locked();
        append_log_locked(entry);
        t.commit();
        return seq;
    });
}

std::vector<RevocationRecord> SqliteStore::list_revocations() {
    Lock lock(m_mutex);
    return guarded("listing revocations", [&] {
        std::vector<RevocationRecord> out;
        SQLite::Statement q(*m_db, std::string("SELECT ") + k_revocation_columns + " FROM revocations ORDER BY seq");
        while (q.executeStep()) out.push_back(read_revocation_row(q));
        return out;
    });
}

// --- the published list ------------------------------------------------------------------------

std::optional<PublishedListHead> SqliteStore::published_revocation_list_head() {
    Lock lock(m_mutex);
    return guarded("reading the published revocation list's head", [&]() -> std::optional<PublishedListHead> {
        auto& q = prepared(
            "SELECT list_id, revision, signed_at FROM published_revocation_list WHERE id = 1 AND list_id IS NOT NULL");
        std::optional<PublishedListHead> head;
        if (q.executeStep()) {
            head = PublishedListHead{q.getColumn(0).getString(), q.getColumn(1).getInt64(), q.getColumn(2).getString()};
        }
        q.reset();
        return head;
    });
}

std::optional<PublishedList> SqliteStore::load_published_revocation_list() {
    Lock lock(m_mutex);
    return guarded("reading the published revocation list", [&]() -> std::optional<PublishedList> {
        SQLite::Statement q(*m_db,
                            "SELECT list_id, revision, signed_at, xrml FROM published_revocation_list "
                            "WHERE id = 1 AND list_id IS NOT NULL");
        if (!q.executeStep()) return std::nullopt;
        return PublishedList{{q.getColumn(0).getString(), q.getColumn(1).getInt64(), q.getColumn(2).getString()},
                             q.getColumn(3).getString()};
    });
}

PublishedListHead SqliteStore::publish_revocation_list(const std::optional<std::string>& expected,
                                                       const PublishedList& candidate, const LogEntry& entry) {
    Lock lock(m_mutex);
    return guarded("publishing the revocation list", [&] {
        // BEGIN IMMEDIATE takes the database's write lock first, so the comparison below and the
        // write happen with no other process's commit in between.
        SQLite::Transaction t(*m_db, SQLite::TransactionBehavior::IMMEDIATE);
        SQLite::Statement q(*m_db,
                            "UPDATE published_revocation_list SET list_id = ?, revision = ?, signed_at = ?, xrml = ? "
                            "WHERE id = 1 AND list_id IS ?");
        q.bind(1, candidate.head.id);
        q.bind(2, candidate.head.revision);
        q.bind(3, candidate.head.signed_at);
        q.bindNoCopy(4, candidate.xrml);  // a list may be 100 MB; it outlives the statement
        bind_optional(q, 5, expected);
        if (q.exec() == 1) {
            append_log_locked(entry);
            t.commit();
            return candidate.head;
        }
        // Another process published first: serve its list, log nothing.
        SQLite::Statement h(*m_db, "SELECT list_id, revision, signed_at FROM published_revocation_list WHERE id = 1");
        if (!h.executeStep() || h.getColumn(0).isNull()) {
            throw StorageError("the published revocation list's row is missing");
        }
        return PublishedListHead{h.getColumn(0).getString(), h.getColumn(1).getInt64(), h.getColumn(2).getString()};
    });
}

// --- exclusions -------------------------------------------------------------------------------

void SqliteStore::set_exclusion(const ExclusionRecord& x, const LogEntry& entry) {
    Lock lock(m_mutex);
    guarded("recording an exclusion", [&] {
        SQLite::Transaction t(*m_db, SQLite::TransactionBehavior::IMMEDIATE);
        if (x.kind == "min-spc-version") {
            // One minimum at a time: the new one replaces the old.
            SQLite::Statement d(*m_db, "DELETE FROM exclusions WHERE kind = 'min-spc-version'");
            d.exec();
        }
        SQLite::Statement q(*m_db,
                            "INSERT INTO exclusions (kind, value, detail, reason, added) VALUES (?, ?, ?, ?, ?)");
        q.bind(1, x.kind);
        q.bind(2, x.value);
        q.bind(3, x.detail);
        q.bind(4, x.reason);
        q.bind(5, x.added);
        q.exec();
        bump_policy_revision_locked();
        append_log_locked(entry);
        t.commit();
        return 0;
    });
}

bool SqliteStore::remove_exclusion(const std::string& kind, const std::string& value, const LogEntry& entry) {
    Lock lock(m_mutex);
    return guarded("removing an exclusion", [&] {
        SQLite::Transaction t(*m_db, SQLite::TransactionBehavior::IMMEDIATE);
        SQLite::Statement q(*m_db, "DELETE FROM exclusions WHERE kind = ? AND value = ?");
        q.bind(1, kind);
        q.bind(2, value);
        if (q.exec() == 0) return false;
        bump_policy_revision_locked();
        append_log_locked(entry);
        t.commit();
        return true;
    });
}

std::vector<ExclusionRecord> SqliteStore::list_exclusions() {
    Lock lock(m_mutex);
    return guarded("listing exclusions", [&] {
        std::vector<ExclusionRecord> out;
        SQLite::Statement q(*m_db,
                            "SELECT kind, value, detail, reason, added FROM exclusions ORDER BY kind, added, value");
        while (q.executeStep()) {
            out.push_back({q.getColumn(0).getString(), q.getColumn(1).getString(), q.getColumn(2).getString(),
                           q.getColumn(3).getString(), q.getColumn(4).getString()});
        }
        return out;
    });
}

}  // namespace xrca::store
