// Opening a store from a locator: the one place that knows which back ends exist. The CLI, the
// service and the tests open stores here, never a back end by name.
//
// A locator is a data directory today (SQLite, its database DIR/xrca.db). A back end for many
// nodes adds its URI scheme here (e.g. postgresql://…) and nothing else changes.
#pragma once

#include "store/store.h"

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
    Create,    ///< creates an empty store (the data directory must exist)
};

/** Opens the store at `locator`, applying any missing migrations; StorageError says what failed. */
std::unique_ptr<Store> open_store(const std::string& locator, OpenMode mode = OpenMode::Existing);

/**
 * Moves the store built at `staging` (closed: no Store object open on it) to `locator`, where
 * it appears whole or not at all. StoreExists, and nothing moved, when `locator` holds a store
 * already. Both locators must be on one file system (e.g. `staging` inside the data directory).
 */
void publish_store(const std::string& staging, const std::string& locator);

/** Removes the store at `locator` (closed; nobody else may be using it). */
void remove_store(const std::string& locator);

/** The SQLite database file of a data directory. */
std::string sqlite_database_path(const std::string& data_dir);

}  // namespace xrca::store
