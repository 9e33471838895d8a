// The SQL of a certificate listing (store::CertificateFilter), shared by both back ends: the
// filters, the revoked flag and the page order are written once, and each back end only binds
// the parameters in its own way. Private to the stores.
#pragma once

#include "store/records.h"

#include <string>
#include <vector>

namespace xrca::store::detail {

enum class SqlDialect { Sqlite, Postgres };

struct ListingQuery {
    std::string sql;                  ///< selects the certificate columns (documents left out), then `revoked` 0/1
    std::vector<std::string> params;  ///< in placeholder order, all text
};

/** The values of the issuer-key revocations: PostgreSQL's revoked listing reads them first. */
inline constexpr const char* k_revoked_issuer_keys = "SELECT value FROM revocations WHERE type = 'issuer-key'";

/**
 * The query for `filter`, with `?` (SQLite) or `$n` (PostgreSQL) placeholders. A PostgreSQL
 * listing of revoked certificates (filter.revoked true) takes `revoked_issuer_keys`, read with
 * k_revoked_issuer_keys in the same snapshot; SQLite's reads them itself.
 */
ListingQuery certificate_listing_query(const CertificateFilter& filter, SqlDialect dialect,
                                       const std::vector<std::string>& revoked_issuer_keys = {});

}  // namespace xrca::store::detail
