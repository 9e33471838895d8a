// A PostgreSQL store's locator: a libpq connection URI (postgresql://… or postgres://…) naming
// the database, and, after it, an optional fragment `#schema=NAME` naming the PostgreSQL schema
// the store lives in (default `xrca`). The fragment is xrca's own and is stripped before the URI
// reaches libpq; one database may hold several stores in several schemas (`xrca init` builds a
// new authority in a staging schema and renames it, docs/store.md).
#pragma once

#include <string>

namespace xrca::store::pg_detail {

/** The schema a locator without a `#schema=` fragment names. */
inline constexpr const char* k_default_schema = "xrca";

struct PgLocator {
    std::string uri;     ///< what libpq is given (no fragment)
    std::string schema;  ///< a plain lower-case identifier, safe to quote into SQL
};

/** Splits and checks a locator; StorageError naming what is wrong (never the password). */
PgLocator parse_locator(const std::string& locator);

/**
 * "PostgreSQL database xrca on /tmp/sock, schema xrca": for messages. Built from the parsed URI,
 * so that a password in it (user:secret@host or ?password=) never appears.
 */
std::string describe_locator(const PgLocator& locator);

/** `text` with the locator's password, if it has one, replaced by "***" (libpq's messages may quote the URI). */
std::string redact(const PgLocator& locator, std::string text);

/** Whether the URI carries a password, as libpq reads it. */
bool holds_password(const PgLocator& locator);

/** The schema name quoted as an SQL identifier (it holds only [a-z0-9_], see parse_locator). */
std::string quoted_schema(const std::string& schema);

}  // namespace xrca::store::pg_detail
