// Rows as a back end stores them, for copying a whole store from one back end to another
// (store/copy.h): every table, every row, column by column, without knowing what the rows mean.
// The two dialects keep the same tables and columns (store/migrations/README.md), so a row read
// from one is written to the other by name.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace xrca::store {

/** One stored value: NULL, an integer, text, or bytes (a key blob). */
struct Cell {
    enum class Kind { Null, Integer, Text, Bytes };
    Kind kind = Kind::Null;
    std::int64_t integer = 0;
    std::string text;                 ///< Text
    std::vector<std::uint8_t> bytes;  ///< Bytes
};

/**
 * Whether a back end derives `table` from its other tables: the counts (migrations sqlite/014,
 * postgresql/007 and 009), laid out differently in each dialect, and PostgreSQL's list of the
 * certificates not issued (postgresql/008). A copy leaves them out; the target rebuilds them
 * as the rows are written (SQLite's triggers, PostgreSQL's on user keys) or once the
 * certificates are copied (PostgresTableWriter).
 */
inline bool derived_table(const std::string& table) {
    return table == "row_counts" || table == "row_count_changes" || table == "unissued_certificates";
}

/** Receives a store's tables one after another, each as its columns and then its rows. */
class RowSink {
public:
    virtual ~RowSink() = default;
    virtual void begin_table(const std::string& table, const std::vector<std::string>& columns) = 0;
    virtual void row(const std::vector<Cell>& cells) = 0;
    virtual void end_table() = 0;

protected:
    RowSink() = default;
};

}  // namespace xrca::store
