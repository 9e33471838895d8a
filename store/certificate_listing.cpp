// Certificate listings in SQL (see certificate_listing.h).
#include "store/certificate_listing.h"

#include <algorithm>

namespace xrca::store::detail {
namespace {

// A certificate is revoked here when a recorded revocation names its ID, the hash of its BODY,
// its subject, its key or its issuer's key (revocation values are trimmed and lower-case, as
// xrml::revocation_id_value makes them). One EXISTS per kind, so each is a lookup in the
// (type, value) index.
constexpr const char* k_revoked =
    "(EXISTS (SELECT 1 FROM revocations r WHERE r.type = 'license-id' AND r.value = lower(c.id))"
    " OR EXISTS (SELECT 1 FROM revocations r WHERE r.type = 'license-hash' AND r.value = c.license_hash)"
    " OR EXISTS (SELECT 1 FROM revocations r WHERE r.type = 'principal-id' AND r.value = lower(c.subject))"
    " OR EXISTS (SELECT 1 FROM revocations r WHERE r.type = 'principal-key' AND r.value = c.key_fingerprint)"
    " OR EXISTS (SELECT 1 FROM revocations r WHERE r.type = 'issuer-key' AND r.value = c.issuer_fingerprint))";

// The same test the other way round, for listing revoked certificates only: k_revoked per row
// would read every certificate newest first until the page is full, all of them when few are
// revoked (0.15 to 0.34 s at 100,000). Instead each revocation type looks up the certificates its
// values name through that column's index (migrations sqlite/013 and postgresql/006), and only
// those few are filtered and sorted.
//
// The planners need help with issuer_fingerprint, which nearly every row shares: joined to a
// value they cannot see, they expect it to match every row and scan. SQLite is held to its plan
// whatever its statistics say (INDEXED BY for each lookup; NOT INDEXED on the outer table leaves
// it the rowids, instead of walking the kind or issue-time index for the order); its expression
// index needs lower(id) compared to a value without TEXT affinity (+r.value). PostgreSQL, which
// has no hints, is given the revoked issuer keys as values (read first, k_revoked_issuer_keys):
// its statistics then tell a key no certificate carries from the authority's own.
struct RevocationLookup {
    const char* type;
    const char* sqlite_index;
    const char* sqlite_match;
    const char* postgres_match;  ///< nullptr: by value (issuer-key)
};
constexpr RevocationLookup k_revocation_lookups[] = {
    {"license-id", "certificates_by_id_lower", "lower(c.id) = +r.value", "lower(c.id) = r.value"},
    {"license-hash", "certificates_by_license_hash", "c.license_hash = r.value", "c.license_hash = r.value"},
    // The NOCASE index finds the candidates; lower() then keeps k_revoked's exact comparison.
    {"principal-id", "certificates_by_subject_nocase",
     "c.subject = r.value COLLATE NOCASE AND lower(c.subject) = r.value", "lower(c.subject) = r.value"},
    {"principal-key", "certificates_by_key", "c.key_fingerprint = r.value", "c.key_fingerprint = r.value"},
    {"issuer-key", "certificates_by_issuer", "c.issuer_fingerprint = r.value", nullptr},
};

class Builder {
public:
    explicit Builder(SqlDialect d) : m_dialect(d) {}

    std::string placeholder(std::string value) {
        m_params.push_back(std::move(value));
        return m_dialect == SqlDialect::Sqlite ? "?" : "$" + std::to_string(m_params.size());
    }
    // Text compared in byte order on both back ends (PostgreSQL's default collation is not).
    [[nodiscard]] std::string bytes(const std::string& column) const {
        return m_dialect == SqlDialect::Sqlite ? column : column + " COLLATE \"C\"";
    }
    void where(const std::string& condition) { m_where += (m_where.empty() ? " WHERE " : " AND ") + condition; }

    /**
     * Lists only the certificates some revocation names, each once (a UNION of one lookup per
     * type): SQLite's by rowid, PostgreSQL's by ID.
     */
    void revoked_only(const std::vector<std::string>& issuer_keys) {
        const bool sqlite = m_dialect == SqlDialect::Sqlite;
        std::string rows;
        const auto add = [&](const std::string& select) { rows += (rows.empty() ? "" : " UNION ") + select; };
        for (const auto& lookup : k_revocation_lookups) {
            if (sqlite) {
                add(std::string("SELECT c.rowid FROM revocations r CROSS JOIN certificates c INDEXED BY ") +
                    lookup.sqlite_index + " WHERE r.type = '" + lookup.type + "' AND " + lookup.sqlite_match);
            } else if (lookup.postgres_match) {
                add(std::string("SELECT c.id FROM revocations r CROSS JOIN certificates c WHERE r.type = '") +
                    lookup.type + "' AND " + lookup.postgres_match);
            } else if (!issuer_keys.empty()) {
                std::string values;
                for (const auto& key : issuer_keys) values += (values.empty() ? "" : ", ") + placeholder(key);
                add("SELECT c.id FROM certificates c WHERE c.issuer_fingerprint IN (" + values + ")");
            }
        }
        m_revoked_only = true;
        where((sqlite ? "c.rowid IN (" : "c.id IN (") + rows + ")");
    }

    ListingQuery finish(std::size_t limit) && {
        // Every row found from the revocations is revoked; otherwise k_revoked is evaluated for
        // the rows listed (the walk of the issued index stops at the limit).
        const auto revoked = m_revoked_only ? std::string("1")
                             : m_dialect == SqlDialect::Sqlite
                                 ? std::string(k_revoked)
                                 : std::string("CASE WHEN ") + k_revoked + " THEN 1 ELSE 0 END";
        std::string sql =
            "SELECT c.id, c.kind, c.status, c.subject, c.issuer_fingerprint, c.key_fingerprint, c.issued, "
            "c.valid_from, c.valid_until, '', NULL, c.request_id, c.license_hash, c.machine, " +
            revoked + " FROM certificates c" +
            (m_revoked_only && m_dialect == SqlDialect::Sqlite ? " NOT INDEXED" : "") + m_where + " ORDER BY " +
            bytes("c.issued") + " DESC, " + bytes("c.id") + " DESC LIMIT " + std::to_string(limit);
        return {std::move(sql), std::move(m_params)};
    }

private:
    SqlDialect m_dialect;
    std::vector<std::string> m_params;
    bool m_revoked_only = false;
    std::string m_where;
};

}  // namespace

ListingQuery certificate_listing_query(const CertificateFilter& f, SqlDialect dialect,
                                       const std::vector<std::string>& revoked_issuer_keys) {
    Builder b(dialect);
    if (f.revoked == true) b.revoked_only(revoked_issuer_keys);
    if (f.id) b.where("lower(c.id) = lower(" + b.placeholder(*f.id) + ")");
    if (!f.status.empty()) {
        const auto status = b.placeholder(f.status);
        // PostgreSQL has no index on status (008_hot_completion.sql): the few rows not issued are
        // found from unissued_certificates, the issued ones by the walk that orders the page.
        if (dialect == SqlDialect::Postgres && f.status != "issued") {
            b.where("c.id IN (SELECT u.id FROM unissued_certificates u WHERE u.status = " + status + ")");
        }
        b.where("c.status = " + status);
    }
    if (f.kind) b.where("c.kind = " + b.placeholder(*f.kind));
    // Subjects and machines compare ignoring ASCII case through the indexes made for it.
    if (f.subject) {
        b.where(dialect == SqlDialect::Sqlite ? "c.subject = " + b.placeholder(*f.subject) + " COLLATE NOCASE"
                                              : "lower(c.subject) = lower(" + b.placeholder(*f.subject) + ")");
    }
    if (f.machine) b.where("c.machine = lower(" + b.placeholder(*f.machine) + ")");
    if (f.key) b.where("c.key_fingerprint = " + b.placeholder(*f.key));
    if (f.issuer_key) b.where("c.issuer_fingerprint = " + b.placeholder(*f.issuer_key));
    if (f.license_hash) b.where("c.license_hash = " + b.placeholder(*f.license_hash));
    if (f.issued_since) b.where(b.bytes("c.issued") + " >= " + b.placeholder(*f.issued_since));
    if (f.issued_until) b.where(b.bytes("c.issued") + " < " + b.placeholder(*f.issued_until));
    if (f.revoked == false) b.where(std::string("NOT ") + k_revoked);
    if (f.before) {
        const auto issued = b.placeholder(f.before->first);
        const auto issued_again = b.placeholder(f.before->first);
        const auto id = b.placeholder(f.before->second);
        b.where("(" + b.bytes("c.issued") + " < " + issued + " OR (c.issued = " + issued_again + " AND " +
                b.bytes("c.id") + " < " + id + "))");
    }
    return std::move(b).finish(std::clamp<std::size_t>(f.limit, 1, k_max_listed_certificates));
}

}  // namespace xrca::store::detail
