// The enrollment log's archive files (docs/logging.md, "Retention"): the oldest entries, moved
// out of the live log, in a file that verifies on its own. One JSON object per line, valid
// UTF-8: a header naming the checkpoint the archive continues from, the entries exactly as
// they were chained, and a trailer signed by the authority's key over the SHA-256 of every
// line before it and the checkpoint it ends at — where the next archive (or the live log) goes on.
#pragma once

#include "ca/signer.h"
#include "store/log_chain.h"

#include <cstdint>
#include <istream>
#include <memory>
#include <string>
#include <string_view>

namespace Botan {
class HashFunction;
}

namespace xrca::ca {

/** The first field of an archive's header: what the file is and how to read it. */
inline constexpr const char* k_log_archive_format = "xrca-log-archive-v1";

/** Where the text of an archive goes while it is written. The transport names a file; ca/ only writes. */
class ArchiveOutput {
public:
    virtual ~ArchiveOutput() = default;
    ArchiveOutput() = default;
    ArchiveOutput(const ArchiveOutput&) = delete;
    ArchiveOutput& operator=(const ArchiveOutput&) = delete;
    virtual void write(std::string_view text) = 0;
    /**
     * Makes everything written durable under the final name (Error(Storage) if it cannot). The
     * archived entries are deleted from the store only after this returned.
     */
    virtual void commit() = 0;
};

/** Who an archive says wrote it, and what it holds. */
struct LogArchiveSummary {
    std::string authority;  ///< the authority's name
    std::string guid;
    std::string created;  ///< when it was written
    std::string before;   ///< the cut asked for: entries before this time
    store::LogHead from;  ///< the checkpoint it continues from (seq 0: the genesis)
    store::LogHead to;    ///< its last entry: where the next archive or the live log continues
    std::int64_t entries = 0;
    std::string first_time, last_time;
    std::string signer_fingerprint;  ///< the key that signed it
    std::string sha256;              ///< of the whole file, as the live log's LogArchive entry names it
};

/** The verdict on one archive file read on its own. */
struct LogArchiveCheck {
    bool ok = false;
    std::string problem;  ///< what is wrong, naming the line or the entry
    LogArchiveSummary summary;
};

/** Writes one archive, line by line, holding one entry at a time. */
class LogArchiveWriter {
public:
    /** Writes the header; `summary` gives the authority, the times and `from`. */
    LogArchiveWriter(ArchiveOutput& out, const LogArchiveSummary& summary);
    ~LogArchiveWriter();
    LogArchiveWriter(const LogArchiveWriter&) = delete;
    LogArchiveWriter& operator=(const LogArchiveWriter&) = delete;

    /** Adds the next entry; Error(PolicyDenied) naming it if it does not continue the chain. */
    void add(const store::LogEntry& entry);
    /** Signs and writes the trailer; returns the summary with `to`, the counts, the signer and the file's SHA-256. */
    LogArchiveSummary finish(Signer& signer);

private:
    void line(const std::string& text);
    ArchiveOutput& m_out;
    LogArchiveSummary m_summary;
    store::LogChainCheck m_chain;
    std::unique_ptr<Botan::HashFunction> m_lines;  // every line before the trailer: what is signed
    std::unique_ptr<Botan::HashFunction> m_file;   // every line: the file's SHA-256
};

/**
 * Checks an archive on its own: the format, the hash chain of its entries from the checkpoint
 * it names, the count and end it declares, the SHA-256 of its lines and the signature by the
 * key it carries. Reads one line at a time. Who that key belongs to is the caller's question
 * (the summary names its fingerprint).
 */
LogArchiveCheck verify_log_archive(std::istream& in);

}  // namespace xrca::ca
