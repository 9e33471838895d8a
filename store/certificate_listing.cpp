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

    ListingQuery finish(std::size_t limit) && {
        const auto revoked = m_dialect == SqlDialect::Sqlite
                                 ? std::string(k_revoked)
                                 : std::string("CASE WHEN ") + k_revoked + " THEN 1 ELSE 0 END";
        std::string sql =
            "SELECT c.id, c.kind, c.status, c.subject, c.issuer_fingerprint, c.key_fingerprint, c.issued, "
            "c.valid_from, c.valid_until, '', NULL, c.request_id, c.license_hash, c.machine, " +
            revoked + " FROM certificates c" + m_where + " ORDER BY " + bytes("c.issued") + " DESC, " + bytes("c.id") +
            " DESC LIMIT " + std::to_string(limit);
        return {std::move(sql), std::move(m_params)};
    }

private:
    SqlDialect m_dialect;
    std::vector<std::string> m_params;
    std::string m_where;
};

}  // namespace

ListingQuery certificate_listing_query(const CertificateFilter& f, SqlDialect dialect) {
    Builder b(dialect);
    if (f.id) b.where("lower(c.id) = lower(" + b.placeholder(*f.id) + ")");
    if (!f.status.empty()) b.where("c.status = " + b.placeholder(f.status));
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
    if (f.revoked) b.where(std::string(*f.revoked ? "" : "NOT ") + k_revoked);
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
