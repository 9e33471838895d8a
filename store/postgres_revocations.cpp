// PostgreSQL implementation of the revocation part of Store: lookups of issued certificates,
// revocations, exclusions and the policy revision (docs/revocation.md).
#include "store/certificate_listing.h"
#include "store/postgres_policy_cache.h"
#include "store/postgres_rows.h"
#include "store/postgres_store.h"

namespace xrca::store {

using namespace pg_detail;

std::vector<CertificateRecord> PostgresStore::issued_where(const char* what, const char* condition,
                                                           const std::string& value) {
    return run(*m_pool, what, Tx::None, [&](Connection& c) {
        return read_certificates(c.query(std::string("SELECT ") + k_certificate_columns + " FROM certificates WHERE " +
                                             condition +
                                             " AND status = 'issued' ORDER BY issued COLLATE \"C\", id COLLATE \"C\"",
                                         {value}));
    });
}

std::vector<CertificateRecord> PostgresStore::find_by_license_hash(const std::string& hash) {
    return issued_where("finding a certificate by hash", "license_hash = $1", hash);
}

std::vector<CertificateRecord> PostgresStore::find_by_subject(const std::string& subject) {
    // Through the index on lower(subject) (there is none on subject: 008_hot_completion.sql), then
    // the exact comparison.
    return issued_where("finding a certificate by subject", "lower(subject) = lower($1) AND subject = $1", subject);
}

std::vector<CertificateRecord> PostgresStore::find_by_kind_and_subject_ignoring_case(const std::string& kind,
                                                                                     const std::string& subject) {
    return run(*m_pool, "finding certificates by subject", Tx::None, [&](Connection& c) {
        // lower() on both sides uses the index on lower(subject); a braced GUID is ASCII only.
        return read_certificates(c.query(std::string("SELECT ") + k_certificate_columns +
                                             " FROM certificates WHERE lower(subject) = lower($1) AND kind = $2 AND "
                                             "status = 'issued' ORDER BY issued COLLATE \"C\", id COLLATE \"C\"",
                                         {subject, kind}));
    });
}

std::vector<ListedCertificate> PostgresStore::list_certificates(const CertificateFilter& filter) {
    const bool revoked_only = filter.revoked == true;
    return run(*m_pool, "listing certificates", revoked_only ? Tx::Snapshot : Tx::None, [&](Connection& c) {
        std::vector<std::string> issuer_keys;
        if (revoked_only) {
            const auto keys = c.query(detail::k_revoked_issuer_keys);
            for (int i = 0; i < keys.rows(); ++i) issuer_keys.push_back(keys.text(i, 0));
        }
        const auto query = detail::certificate_listing_query(filter, detail::SqlDialect::Postgres, issuer_keys);
        const auto rows = c.query(query.sql, Params(query.params.begin(), query.params.end()));
        std::vector<ListedCertificate> out;
        out.reserve(static_cast<std::size_t>(rows.rows()));
        for (int i = 0; i < rows.rows(); ++i) out.push_back({read_certificate(rows, i), rows.int64(i, 14) != 0});
        return out;
    });
}

// Inside a write transaction. The row lock it takes also orders concurrent policy changes.
void PostgresStore::bump_policy_revision(Connection& c) {
    if (c.query("UPDATE policy_revision SET revision = revision + 1 WHERE id = 1").affected() != 1) {
        throw StorageError("the policy revision row is missing");
    }
}

std::int64_t PostgresStore::policy_revision() {
    // Every request of the service asks, after its token's lookup. With the process's cache
    // listening (serve), the revision that lookup read is right until a notification says
    // otherwise (postgres_policy_cache.h); otherwise (another command, or no listener yet) the
    // row is read.
    if (m_cache) {
        if (const auto known = m_cache->revision()) return *known;
    }
    const auto ticket = m_cache ? m_cache->ticket() : pg_detail::PolicyCache::Ticket{};
    const auto revision = run(*m_pool, "reading the policy revision", Tx::None, [&](Connection& c) {
        const auto q = c.query("SELECT revision FROM policy_revision WHERE id = 1");
        if (q.rows() == 0) throw StorageError("the policy revision row is missing");
        return q.int64(0, 0);
    });
    if (m_cache) m_cache->remember(ticket, revision);
    return revision;
}

namespace {

constexpr const char* k_revocation_columns =
    "seq, type, value, object_type, id_type, id, name, public_key, reason, revoked, caller";

RevocationRecord read_revocation(const Result& q, int row) {
    RevocationRecord r;
    r.seq = q.int64(row, 0);
    r.type = q.text(row, 1);
    r.value = q.text(row, 2);
    r.object_type = q.text(row, 3);
    r.id_type = q.text(row, 4);
    r.id = q.text(row, 5);
    r.name = q.optional_text(row, 6);
    r.public_key = q.text(row, 7);
    r.reason = q.text(row, 8);
    r.revoked = q.text(row, 9);
    r.caller = q.text(row, 10);
    return r;
}

}  // namespace

std::int64_t PostgresStore::add_revocation(const RevocationRecord& r, const LogEntry& entry) {
    const auto forget = forgetting();
    return run(*m_pool, "recording a revocation", Tx::Write, [&](Connection& c) {
        const auto q = c.query(
            "INSERT INTO revocations (type, value, object_type, id_type, id, name, public_key, reason, revoked, "
            "caller) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING seq",
            {r.type, r.value, r.object_type, r.id_type, r.id, r.name, r.public_key, r.reason, r.revoked, r.caller});
        const auto seq = q.int64(0, 0);
        bump_policy_revision(c);
        append_log_locked(c, entry);
        return seq;
    });
}

std::vector<RevocationRecord> PostgresStore::list_revocations() {
    return run(*m_pool, "listing revocations", Tx::None, [&](Connection& c) {
        const auto q = c.query(std::string("SELECT ") + k_revocation_columns + " FROM revocations ORDER BY seq");
        std::vector<RevocationRecord> out;
        for (int i = 0; i < q.rows(); ++i) out.push_back(read_revocation(q, i));
        return out;
    });
}

// --- the published list ------------------------------------------------------------------------

namespace {

constexpr const char* k_published_head =
    "SELECT list_id, revision, signed_at FROM published_revocation_list WHERE id = 1 AND list_id IS NOT NULL";

}  // namespace

std::optional<PublishedListHead> PostgresStore::published_revocation_list_head() {
    return run(*m_pool, "reading the published revocation list's head", Tx::None,
               [&](Connection& c) -> std::optional<PublishedListHead> {
                   const auto q = c.query(k_published_head);
                   if (q.rows() == 0) return std::nullopt;
                   return PublishedListHead{q.text(0, 0), q.int64(0, 1), q.text(0, 2)};
               });
}

std::optional<PublishedList> PostgresStore::load_published_revocation_list() {
    return run(*m_pool, "reading the published revocation list", Tx::None,
               [&](Connection& c) -> std::optional<PublishedList> {
                   const auto q = c.query(
                       "SELECT list_id, revision, signed_at, xrml FROM published_revocation_list "
                       "WHERE id = 1 AND list_id IS NOT NULL");
                   if (q.rows() == 0) return std::nullopt;
                   return PublishedList{{q.text(0, 0), q.int64(0, 1), q.text(0, 2)}, q.text(0, 3)};
               });
}

PublishedListHead PostgresStore::publish_revocation_list(const std::optional<std::string>& expected,
                                                         const PublishedList& candidate, const LogEntry& entry) {
    return run(*m_pool, "publishing the revocation list", Tx::Write, [&](Connection& c) {
        // Compare and set in one statement. A concurrent publisher holds the row's lock until it
        // commits; read committed then re-checks this WHERE against the row it committed, so a
        // second successor of the same list changes nothing. Lock order: this row, then the log
        // head (nothing else takes this row's lock).
        const auto updated = c.query(
            "UPDATE published_revocation_list SET list_id = $1, revision = $2, signed_at = $3, xrml = $4 "
            "WHERE id = 1 AND list_id IS NOT DISTINCT FROM $5",
            {candidate.head.id, param(candidate.head.revision), candidate.head.signed_at, candidate.xrml, expected});
        if (updated.affected() == 1) {
            append_log_locked(c, entry);
            return candidate.head;
        }
        // Another node published first: serve its list, log nothing.
        const auto q = c.query(k_published_head);
        if (q.rows() == 0) throw StorageError("the published revocation list's row is missing");
        return PublishedListHead{q.text(0, 0), q.int64(0, 1), q.text(0, 2)};
    });
}

// --- exclusions -------------------------------------------------------------------------------

void PostgresStore::set_exclusion(const ExclusionRecord& x, const LogEntry& entry) {
    const auto forget = forgetting();
    run(*m_pool, "recording an exclusion", Tx::Write, [&](Connection& c) {
        // One minimum at a time: the new one replaces the old. The revision's row is locked
        // first, so that two processes setting a minimum at once do it one after the other.
        bump_policy_revision(c);
        if (x.kind == "min-spc-version") c.query("DELETE FROM exclusions WHERE kind = 'min-spc-version'");
        c.query("INSERT INTO exclusions (kind, value, detail, reason, added) VALUES ($1, $2, $3, $4, $5)",
                {x.kind, x.value, x.detail, x.reason, x.added});
        append_log_locked(c, entry);
    });
}

bool PostgresStore::remove_exclusion(const std::string& kind, const std::string& value, const LogEntry& entry) {
    const auto forget = forgetting();
    return run(*m_pool, "removing an exclusion", Tx::Write, [&](Connection& c) {
        if (c.query("DELETE FROM exclusions WHERE kind = $1 AND value = $2", {kind, value}).affected() == 0) {
            return false;
        }
        bump_policy_revision(c);
        append_log_locked(c, entry);
        return true;
    });
}

std::vector<ExclusionRecord> PostgresStore::list_exclusions() {
    return run(*m_pool, "listing exclusions", Tx::None, [&](Connection& c) {
        const auto q = c.query(
            "SELECT kind, value, detail, reason, added FROM exclusions "
            "ORDER BY kind COLLATE \"C\", added COLLATE \"C\", value COLLATE \"C\"");
        std::vector<ExclusionRecord> out;
        for (int i = 0; i < q.rows(); ++i) {
            out.push_back({q.text(i, 0), q.text(i, 1), q.text(i, 2), q.text(i, 3), q.text(i, 4)});
        }
        return out;
    });
}

}  // namespace xrca::store
