// Reading a SQLite store table by table, for copy_store (store/copy.h).
#pragma once

#include "store/table_rows.h"

#include <string>

namespace xrca::store {

/**
 * Sends every table of the SQLite database at `path` but schema_version to `sink`, from one
 * snapshot (a read transaction): a table before the tables whose foreign keys refer to it, and
 * rows in their stored order. StorageError when the database cannot be read.
 */
void read_sqlite_tables(const std::string& path, RowSink& sink);

}  // namespace xrca::store
