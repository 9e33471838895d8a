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

/** The query for `filter`, with `?` (SQLite) or `$n` (PostgreSQL) placeholders. */
ListingQuery certificate_listing_query(const CertificateFilter& filter, SqlDialect dialect);

}  // namespace xrca::store::detail
