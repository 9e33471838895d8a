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

enum class OpenMode {
    Existing,  ///< StoreMissing when there is no store at the locator
    Create,    ///< creates an empty store (the data directory must exist)
};

/** Opens the store at `locator`, applying any missing migrations; StorageError says what failed. */
std::unique_ptr<Store> open_store(const std::string& locator, OpenMode mode = OpenMode::Existing);

/** The SQLite database file of a data directory. */
std::string sqlite_database_path(const std::string& data_dir);

}  // namespace xrca::store
