// Reading a SQLite store table by table (see sqlite_copy.h).
#include "store/sqlite_copy.h"

#include "store/sqlite_internal.h"

#include <SQLiteCpp/SQLiteCpp.h>

#include <set>

namespace xrca::store {
namespace {

std::vector<std::string> table_names(SQLite::Database& db) {
    std::vector<std::string> names;
    SQLite::Statement q(db,
                        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                        "AND name <> 'schema_version' ORDER BY name");
    while (q.executeStep()) {
        auto name = q.getColumn(0).getString();
        if (!derived_table(name)) names.push_back(std::move(name));
    }
    return names;
}

std::set<std::string> referenced_tables(SQLite::Database& db, const std::string& table) {
    std::set<std::string> parents;
    // The table name comes from sqlite_master, not from a user; quoted all the same.
    SQLite::Statement q(db, "SELECT \"table\" FROM pragma_foreign_key_list(?)");
    q.bind(1, table);
    while (q.executeStep()) parents.insert(q.getColumn(0).getString());
    return parents;
}

/** Parents first: a table comes after every table its foreign keys name (the schema has no cycles). */
std::vector<std::string> in_dependency_order(SQLite::Database& db) {
    auto pending = table_names(db);
    std::vector<std::string> ordered;
    std::set<std::string> placed;
    while (!pending.empty()) {
        const auto before = pending.size();
        for (auto it = pending.begin(); it != pending.end();) {
            bool ready = true;
            for (const auto& parent : referenced_tables(db, *it))
                ready = ready && (placed.count(parent) > 0 || parent == *it);
            if (ready) {
                placed.insert(*it);
                ordered.push_back(*it);
                it = pending.erase(it);
            } else {
                ++it;
            }
        }
        if (pending.size() == before) throw StorageError("the tables' foreign keys form a cycle: " + pending.front());
    }
    return ordered;
}

Cell cell_of(const SQLite::Column& column) {
    Cell c;
    if (column.isNull()) return c;
    if (column.isInteger()) {
        c.kind = Cell::Kind::Integer;
        c.integer = column.getInt64();
    } else if (column.isBlob()) {
        c.kind = Cell::Kind::Bytes;
        c.bytes = sqlite_detail::blob(column);
    } else {
        // Text, and any real number as SQLite prints it (the schema stores none).
        c.kind = Cell::Kind::Text;
        c.text = column.getString();
    }
    return c;
}

}  // namespace

void read_sqlite_tables(const std::string& path, RowSink& sink) {
    sqlite_detail::guarded("reading the store to copy it", [&] {
        SQLite::Database db(path, SQLite::OPEN_READONLY);
        db.exec("PRAGMA busy_timeout = 10000");
        // One read transaction: every table from the same snapshot, while writers go on.
        db.exec("BEGIN");
        for (const auto& table : in_dependency_order(db)) {
            SQLite::Statement q(db, "SELECT * FROM \"" + table + "\" ORDER BY rowid");
            std::vector<std::string> columns;
            for (int i = 0; i < q.getColumnCount(); ++i) columns.emplace_back(q.getColumnName(i));
            sink.begin_table(table, columns);
            std::vector<Cell> cells(columns.size());
            while (q.executeStep()) {
                for (int i = 0; i < q.getColumnCount(); ++i)
                    cells[static_cast<std::size_t>(i)] = cell_of(q.getColumn(i));
                sink.row(cells);
            }
            sink.end_table();
        }
        db.exec("COMMIT");
    });
}

}  // namespace xrca::store
