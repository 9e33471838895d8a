// Opening a store from a locator: the one place that knows which back ends exist. The CLI, the
// service and the tests open stores here, never a back end by name.
//
// A locator is either a PostgreSQL URI (postgresql://… or postgres://…, libpq's syntax, with an
// optional #schema=NAME naming the PostgreSQL schema that holds the store, default xrca;
// store/postgres_locator.h) or a data directory (SQLite, its database DIR/xrca.db). docs/store.md.
#pragma once

#include "store/schema_upgrade.h"
#include "store/store.h"

#include <functional>
#include <memory>
#include <string>

namespace xrca::store {

/** The locator names no existing store (and opening was not asked to create one). */
class StoreMissing final : public StorageError {
public:
    using StorageError::StorageError;
};

/** publish_store() found a store at the target locator. */
class StoreExists final : public StorageError {
public:
    using StorageError::StorageError;
};

enum class OpenMode {
    Existing,  ///< StoreMissing when there is no store at the locator
    Create,    ///< creates an empty store (the data directory, or the PostgreSQL database, must exist)
};

/**
 * Opens the store at `locator`, applying any missing migrations (announced, after a backup for
 * SQLite: docs/store.md); StorageError says what failed.
 */
std::unique_ptr<Store> open_store(const std::string& locator, OpenMode mode = OpenMode::Existing,
                                  const SchemaOptions& schema = {});

/** Whether `locator` names a PostgreSQL store (it starts with postgresql:// or postgres://). */
bool is_postgresql_locator(const std::string& locator);

/**
 * Whether `locator` carries a password (user:secret@host, or password=… in its query), read as
 * libpq reads it; a PostgreSQL locator libpq cannot read counts as carrying one if the word
 * "password" appears in it. The command line refuses such a locator: argv is public.
 */
bool locator_holds_password(const std::string& locator);

/**
 * Where `xrca init` builds a new authority before publish_store() moves it to `locator`, told
 * apart by `tag` (digits, lower-case letters and _; init uses its process ID): for SQLite the
 * directory `locator/.init-<tag>` (which the caller creates), for PostgreSQL the same database's
 * schema `<schema>_init_<tag>`.
 */
std::string staging_locator(const std::string& locator, const std::string& tag);

/**
 * Moves the store built at `staging` (closed: no Store object open on it) to `locator`, where
 * it appears whole or not at all. StoreExists, and nothing moved, when `locator` holds a store
 * already. Both locators must be of one back end and place: for SQLite one file system (e.g.
 * `staging` inside the data directory), for PostgreSQL one database (the schema is renamed).
 */
void publish_store(const std::string& staging, const std::string& locator);

/** Removes the store at `locator` (closed; nobody else may be using it): for PostgreSQL, drops its schema. */
void remove_store(const std::string& locator);

/**
 * A cheap check that `store` (opened at `locator`) still answers, for health probes: throws
 * StorageError when it does not. One indexed row over its connection; for a data directory also
 * that the database file is still the one open and readable: SQLite keeps reading a file that was
 * removed or replaced, which the next process (a backup, a restart) would not find.
 */
std::function<void()> store_probe(Store& store, const std::string& locator);

/** The SQLite database file of a data directory. */
std::string sqlite_database_path(const std::string& data_dir);

}  // namespace xrca::store
