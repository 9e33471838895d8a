// The store factory (see factory.h).
#include "store/factory.h"

#include "store/sqlite_store.h"

#include <sys/stat.h>

namespace xrca::store {

std::string sqlite_database_path(const std::string& data_dir) { return data_dir + "/xrca.db"; }

std::unique_ptr<Store> open_store(const std::string& locator, OpenMode mode) {
    if (locator.empty()) throw StorageError("no store given: name a data directory");
    const auto path = sqlite_database_path(locator);
    struct stat st {};
    if (mode == OpenMode::Existing && ::stat(path.c_str(), &st) != 0) {
        throw StoreMissing("no authority in " + locator);
    }
    return std::make_unique<SqliteStore>(path);
}

}  // namespace xrca::store
