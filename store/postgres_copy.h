// Writing a whole store into a PostgreSQL schema table by table, for copy_store (store/copy.h), and
// reading one table by table, for a backup (store/backup.h).
#pragma once

#include "store/table_rows.h"

#include <memory>
#include <string>

namespace xrca::store {

namespace pg_detail {
class Connection;
struct PgLocator;
}  // namespace pg_detail

/**
 * Takes the tables a source sends into the store at `locator` (its schema made already, by
 * open_store), all in one transaction that commit() ends; destroyed before commit(), it
 * writes nothing. Each table must be empty there (the seeded genesis rows of log_head and
 * policy_revision, and the empty published_revocation_list, excepted, which the copy replaces): StoreExists otherwise.
 */
class PostgresTableWriter final : public RowSink {
public:
    explicit PostgresTableWriter(const std::string& locator);
    ~PostgresTableWriter() override;
    PostgresTableWriter(const PostgresTableWriter&) = delete;
    PostgresTableWriter& operator=(const PostgresTableWriter&) = delete;

    void begin_table(const std::string& table, const std::vector<std::string>& columns) override;
    void row(const std::vector<Cell>& cells) override;
    void end_table() override;
    void commit();

    [[nodiscard]] std::int64_t rows() const noexcept { return m_rows; }
    [[nodiscard]] std::int64_t tables() const noexcept { return m_tables; }

private:
    void flush();
    std::unique_ptr<pg_detail::PgLocator> m_locator;
    std::unique_ptr<pg_detail::Connection> m_connection;
    std::string m_table;
    std::string m_buffer;  ///< rows in COPY's text format, sent in pieces of about 1 MB
    std::int64_t m_rows = 0;
    std::int64_t m_tables = 0;
};

/**
 * Sends every table of the PostgreSQL store at `locator` but schema_version to `sink`, from one
 * snapshot (a repeatable-read, read-only transaction) while writers go on: the reverse of
 * PostgresTableWriter, for a backup into a SQLite file (store/backup.h). Tables come in name
 * order (the receiver does not check foreign keys while it fills), rows a page at a time.
 */
void read_postgres_tables(const std::string& locator, RowSink& sink);

}  // namespace xrca::store
