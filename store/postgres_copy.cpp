// Writing a whole store into PostgreSQL with COPY (see postgres_copy.h).
#include "store/postgres_copy.h"

#include "store/factory.h"
#include "store/postgres_connection.h"
#include "store/postgres_locator.h"

namespace xrca::store {
namespace {

using namespace pg_detail;

/** A table or column name from the source's catalogue, quoted as an SQL identifier. */
std::string identifier(const std::string& name) {
    std::string out = "\"";
    for (const char c : name) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

/** COPY's text format: a backslash, tab, newline or carriage return is escaped. */
void append_escaped(std::string& out, const std::string& text) {
    for (const char c : text) {
        switch (c) {
            case '\\': out += "\\\\"; break;
            case '\t': out += "\\t"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            default: out += c;
        }
    }
}

void append_cell(std::string& out, const Cell& cell) {
    static constexpr char k_hex[] = "0123456789abcdef";
    switch (cell.kind) {
        case Cell::Kind::Null: out += "\\N"; break;
        case Cell::Kind::Integer: out += std::to_string(cell.integer); break;
        case Cell::Kind::Text: append_escaped(out, cell.text); break;
        case Cell::Kind::Bytes:
            // bytea's hex input (\x…), its backslash escaped for COPY.
            out += "\\\\x";
            for (const auto b : cell.bytes) {
                out += k_hex[b >> 4];
                out += k_hex[b & 0x0F];
            }
            break;
    }
}

// Rows the schema seeds in every new store: the copy replaces them with the source's.
bool seeded_only(Connection& c, const std::string& table) {
    if (table == "log_head") return c.query("SELECT count(*) FROM log_head WHERE seq <> 0").int64(0, 0) == 0;
    if (table == "policy_revision")
        return c.query("SELECT count(*) FROM policy_revision WHERE revision <> 0").int64(0, 0) == 0;
    if (table == "published_revocation_list") {
        return c.query("SELECT count(*) FROM published_revocation_list WHERE list_id IS NOT NULL").int64(0, 0) == 0;
    }
    return c.exec("SELECT EXISTS (SELECT 1 FROM " + identifier(table) + ")").text(0, 0) == "f";
}

// The tables derived from certificates, which copies leave out (table_rows.h): no trigger keeps
// them as COPY writes (009_derived_rows_in_statements.sql), so they are derived from the rows
// copied, in the copy's transaction. The target started empty: both start from nothing.
void derive_from_certificates(Connection& c) {
    c.exec(
        "INSERT INTO unissued_certificates (id, status, issued) "
        "SELECT id, status, issued FROM certificates WHERE status <> 'issued'; "
        "INSERT INTO row_count_changes (tbl, kind, status, n) "
        "SELECT 'certificates', kind, 'issued', count(*) FROM certificates WHERE status = 'issued' GROUP BY kind");
}

}  // namespace

PostgresTableWriter::PostgresTableWriter(const std::string& locator)
    : m_locator(std::make_unique<PgLocator>(parse_locator(locator))) {
    try {
        m_connection = std::make_unique<Connection>(*m_locator);
        m_connection->exec("BEGIN");
        // Nobody writes to the target while it is filled, nor fills it twice at once.
        m_connection->exec("LOCK TABLE authority IN ACCESS EXCLUSIVE MODE");
    } catch (const PgFailure& e) {
        throw StorageError("cannot start copying into " + describe_locator(*m_locator) + ": " + e.what());
    }
}

PostgresTableWriter::~PostgresTableWriter() = default;  // the connection closes: an uncommitted copy rolls back

void PostgresTableWriter::begin_table(const std::string& table, const std::vector<std::string>& columns) {
    try {
        if (!seeded_only(*m_connection, table)) {
            throw StoreExists(describe_locator(*m_locator) + " holds records already (table " + table +
                              "); migrate-store copies only into an empty store");
        }
        m_connection->exec("DELETE FROM " + identifier(table));
        std::string list;
        for (const auto& column : columns) list += (list.empty() ? "" : ", ") + identifier(column);
        m_connection->begin_copy("COPY " + identifier(table) + " (" + list + ") FROM STDIN");
    } catch (const PgFailure& e) {
        throw StorageError("cannot copy table " + table + " into " + describe_locator(*m_locator) + ": " + e.what());
    }
    m_table = table;
    m_buffer.clear();
}

void PostgresTableWriter::row(const std::vector<Cell>& cells) {
    for (std::size_t i = 0; i < cells.size(); ++i) {
        if (i > 0) m_buffer += '\t';
        append_cell(m_buffer, cells[i]);
    }
    m_buffer += '\n';
    ++m_rows;
    if (m_buffer.size() >= (1U << 20)) flush();
}

void PostgresTableWriter::flush() {
    try {
        m_connection->put_copy(m_buffer);
    } catch (const PgFailure& e) {
        throw StorageError("cannot copy table " + m_table + ": " + e.what());
    }
    m_buffer.clear();
}

void PostgresTableWriter::end_table() {
    try {
        if (!m_buffer.empty()) flush();
        m_connection->end_copy();
        // An identity column goes on after the highest value copied, not from 1.
        const auto identities = m_connection->query(
            "SELECT attname FROM pg_attribute WHERE attrelid = $1::regclass AND attidentity <> ''", {Param(m_table)});
        for (int i = 0; i < identities.rows(); ++i) {
            const auto column = identities.text(i, 0);
            m_connection->query("SELECT setval(pg_get_serial_sequence($1, $2), max(" + identifier(column) + ")) FROM " +
                                    identifier(m_table) + " HAVING count(*) > 0",
                                {Param(m_table), Param(column)});
        }
        if (m_table == "certificates") derive_from_certificates(*m_connection);
    } catch (const PgFailure& e) {
        throw StorageError("cannot copy table " + m_table + ": " + e.what());
    }
    ++m_tables;
}

void PostgresTableWriter::commit() {
    try {
        m_connection->exec("COMMIT");
    } catch (const PgFailure& e) {
        throw StorageError("cannot commit the copy into " + describe_locator(*m_locator) + ": " + e.what());
    }
}

namespace {

Cell pg_cell(const Result& rows, int row, int column, const std::string& type) {
    Cell c;
    if (rows.null(row, column)) return c;
    if (type == "bytea") {
        c.kind = Cell::Kind::Bytes;
        c.bytes = rows.bytes(row, column);
    } else if (type == "bigint" || type == "integer" || type == "smallint") {
        c.kind = Cell::Kind::Integer;
        c.integer = rows.int64(row, column);
    } else {
        c.kind = Cell::Kind::Text;
        c.text = rows.text(row, column);
    }
    return c;
}

}  // namespace

void read_postgres_tables(const std::string& locator, RowSink& sink) {
    const auto where = parse_locator(locator);
    try {
        Connection c(where);
        c.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
        const auto tables = c.query(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
            "AND table_type = 'BASE TABLE' AND table_name <> 'schema_version' ORDER BY table_name");
        for (int t = 0; t < tables.rows(); ++t) {
            const auto table = tables.text(t, 0);
            if (derived_table(table)) continue;
            const auto described = c.query(
                "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() "
                "AND table_name = $1 ORDER BY ordinal_position",
                {Param(table)});
            std::vector<std::string> columns;
            std::vector<std::string> types;
            std::string list;
            for (int i = 0; i < described.rows(); ++i) {
                columns.push_back(described.text(i, 0));
                types.push_back(described.text(i, 1));
                list += (list.empty() ? "" : ", ") + identifier(columns.back());
            }
            sink.begin_table(table, columns);
            // A cursor, so that a table of millions of certificates never sits in memory whole.
            c.exec("DECLARE backup_rows NO SCROLL CURSOR FOR SELECT " + list + " FROM " + identifier(table));
            std::vector<Cell> cells(columns.size());
            for (;;) {
                const auto page = c.exec("FETCH 1000 FROM backup_rows");
                if (page.rows() == 0) break;
                for (int r = 0; r < page.rows(); ++r) {
                    for (std::size_t i = 0; i < columns.size(); ++i)
                        cells[i] = pg_cell(page, r, static_cast<int>(i), types[i]);
                    sink.row(cells);
                }
            }
            c.exec("CLOSE backup_rows");
            sink.end_table();
        }
        c.exec("COMMIT");
    } catch (const PgFailure& e) {
        throw StorageError("cannot read " + describe_locator(where) + " to back it up: " + e.what());
    }
}

}  // namespace xrca::store
