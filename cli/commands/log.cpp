// `xrca log`: print, export and verify the enrollment log, archive its oldest entries, verify
// archives (docs/logging.md). Output streams: one entry is in memory at a time, whatever the
// log's size. Every field is untrusted text (a caller's address, user agent, inputs): printed
// through text::printable, exported as valid UTF-8.
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/json.h"
#include "cli/session.h"
#include "cli/time_arguments.h"

#include "ca/log_archive.h"
#include "text/clean.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <ostream>
#include <system_error>

namespace xrca::cli {
namespace {

std::string errno_text() { return std::generic_category().message(errno); }

xrml::Time time_argument(const std::string& option, const std::string& value) {
    return cli::time_argument(option, value, ca::SystemClock().now());
}

/**
 * An archive file written durably or not at all: a temporary file beside it, synced, then
 * linked to its name (which never replaces an existing file) and the directory synced. Until
 * commit() returns, the name does not exist; an output that was not committed is removed.
 */
class FileArchiveOutput final : public ca::ArchiveOutput {
public:
    explicit FileArchiveOutput(std::string path) : m_path(std::move(path)), m_temp(m_path + ".tmp-XXXXXX") {
        struct stat st {};
        if (::lstat(m_path.c_str(), &st) == 0) {
            throw Error(ErrorKind::Conflict, m_path + " exists: an archive is never written over another file");
        }
        m_fd = ::mkstemp(m_temp.data());
        if (m_fd < 0) fail("cannot create a temporary file beside");
    }
    ~FileArchiveOutput() override {
        if (m_fd >= 0) (void)::close(m_fd);
        if (!m_committed) (void)::unlink(m_temp.c_str());
    }
    FileArchiveOutput(const FileArchiveOutput&) = delete;
    FileArchiveOutput& operator=(const FileArchiveOutput&) = delete;

    [[nodiscard]] bool committed() const noexcept { return m_committed; }

    void write(std::string_view text) override {
        m_buffer.append(text);
        if (m_buffer.size() >= 1 << 16) flush();
    }

    void commit() override {
        flush();
        if (::fsync(m_fd) != 0) fail("cannot sync");
        const int fd = m_fd;
        m_fd = -1;
        if (::close(fd) != 0) fail("cannot close");
        if (::link(m_temp.c_str(), m_path.c_str()) != 0) {
            if (errno == EEXIST) throw Error(ErrorKind::Conflict, m_path + " appeared while the archive was written");
            fail("cannot name");
        }
        m_committed = true;
        (void)::unlink(m_temp.c_str());
        sync_directory();
    }

private:
    [[noreturn]] void fail(const char* what) const {
        throw Error(ErrorKind::Storage, std::string(what) + " the archive " + m_path + ": " + errno_text() +
                                            "; nothing was removed from the log");
    }
    void flush() {
        std::size_t done = 0;
        while (done < m_buffer.size()) {
            const auto n = ::write(m_fd, m_buffer.data() + done, m_buffer.size() - done);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) fail("cannot write");
            done += static_cast<std::size_t>(n);
        }
        m_buffer.clear();
    }
    void sync_directory() const {
        const auto slash = m_path.rfind('/');
        const std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : m_path.substr(0, slash));
        const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
        if (fd < 0) fail("cannot open the directory of");
        const bool synced = ::fsync(fd) == 0;
        (void)::close(fd);
        if (!synced) fail("cannot sync the directory of");
    }

    std::string m_path;
    std::string m_temp;
    int m_fd = -1;
    bool m_committed = false;
    std::string m_buffer;
};

void print_entry(Context& ctx, const store::LogEntry& e) {
    using text::printable;
    ctx.out << e.seq << "  " << printable(e.time) << "  " << printable(e.operation) << "  " << printable(e.outcome)
            << "  " << printable(e.caller);
    if (!e.certificate_id.empty()) ctx.out << "  " << printable(e.certificate_id);
    ctx.out << "\n      " << printable(e.reason);
    if (!e.inputs.empty()) ctx.out << "\n      inputs: " << printable(e.inputs);
    ctx.out << '\n';
}

std::string json_entry(const store::LogEntry& e) {
    JsonWriter j;
    j.begin_object().key("seq").value(e.seq).key("request_id").value(e.request_id).key("time").value(e.time);
    j.key("operation").value(e.operation).key("caller").value(e.caller).key("inputs").value(e.inputs);
    j.key("certificate_id").value(e.certificate_id).key("outcome").value(e.outcome).key("reason").value(e.reason);
    j.key("hash").value(e.hash).end_object();
    return j.str();
}

int print_log(Context& ctx, const std::string& since, bool json) {
    auto store = open_authority_store(ctx.data_dir);
    // A JSON array written element by element: the export of a million entries costs one entry.
    bool first = true;
    if (json) ctx.out << '[';
    store->for_each_log(since, [&](const store::LogEntry& e) {
        if (json) {
            ctx.out << (first ? "" : ",") << json_entry(e);
        } else {
            print_entry(ctx, e);
        }
        first = false;
        return static_cast<bool>(ctx.out);
    });
    if (json) ctx.out << "]\n";
    ctx.out.flush();
    if (!ctx.out) throw Error(ErrorKind::Storage, "cannot write the log to the output");
    return k_exit_ok;
}

std::string describe_range(const ca::LogArchiveSummary& s) {
    return "entries " + std::to_string(s.from.seq + 1) + ".." + std::to_string(s.to.seq) + " (" +
           std::to_string(s.entries) + ", " + text::printable(s.first_time) + " to " + text::printable(s.last_time) +
           ")";
}

/** Checks `path` on its own; prints what it holds or what is wrong. */
ca::LogArchiveCheck check_archive(Context& ctx, const std::string& path) {
    ca::LogArchiveCheck check;
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        throw Error(ErrorKind::NotFound, "cannot read the archive " + path + ": " + errno_text());
    }
    if (!S_ISREG(st.st_mode)) throw Error(ErrorKind::Usage, path + " is not a regular file");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(ErrorKind::Storage, "cannot open the archive " + path + ": " + errno_text());
    check = ca::verify_log_archive(in);
    const auto name = text::printable(path);
    if (!check.ok) {
        ctx.out << name << ": TAMPERED — " << text::printable(check.problem) << '\n';
        return check;
    }
    const auto& s = check.summary;
    ctx.out << name << ": intact — " << describe_range(s) << " of '" << text::printable(s.authority) << "' ("
            << text::printable(s.guid) << ")\n"
            << "  continues from "
            << (s.from.seq == 0 ? std::string("the first entry (genesis)")
                                : "checkpoint seq " + std::to_string(s.from.seq))
            << "; ends at seq " << s.to.seq << " hash " << s.to.hash << '\n'
            << "  signed by key " << s.signer_fingerprint << "; file sha256 " << s.sha256 << '\n';
    return check;
}

/** Each archive alone, then each continuing where the one before it ended. */
bool check_archives(Context& ctx, const std::vector<std::string>& paths, std::vector<ca::LogArchiveCheck>& checks) {
    bool ok = true;
    for (const auto& path : paths) {
        checks.push_back(check_archive(ctx, path));
        ok = ok && checks.back().ok;
    }
    if (!ok) return false;
    for (std::size_t i = 1; i < checks.size(); ++i) {
        const auto& prev = checks[i - 1].summary.to;
        const auto& next = checks[i].summary.from;
        if (prev.seq != next.seq || prev.hash != next.hash) {
            ctx.out << text::printable(paths[i]) << ": does not continue " << text::printable(paths[i - 1])
                    << " (that ends at seq " << prev.seq << ", this starts after seq " << next.seq
                    << (prev.seq == next.seq ? " with another hash" : "") << ")\n";
            return false;
        }
    }
    return true;
}

int verify_log(Context& ctx, const std::vector<std::string>& archives) {
    auto session = open_session_without_keys(ctx);
    auto& store = *session->store;
    const auto check = store.verify_log();
    if (!check.ok) {
        ctx.out << "enrollment log: TAMPERED — " << text::printable(check.problem) << '\n';
        return k_exit_refused;
    }
    if (check.from_seq == 0) {
        ctx.out << "enrollment log: intact (" << check.entries << " entries, hash chain and head verified)\n";
    } else {
        ctx.out << "enrollment log: intact from archived checkpoint seq " << check.from_seq << " (" << check.entries
                << (check.entries == 1 ? " entry" : " entries") << " after it, hash chain and head verified)\n";
    }
    if (archives.empty()) return k_exit_ok;

    std::vector<ca::LogArchiveCheck> checks;
    if (!check_archives(ctx, archives, checks)) return k_exit_refused;
    for (std::size_t i = 0; i < checks.size(); ++i) {
        if (!session->authority->holds_key(checks[i].summary.signer_fingerprint)) {
            ctx.out << text::printable(archives[i]) << ": signed by key " << checks[i].summary.signer_fingerprint
                    << ", which is not one of this authority's keys\n";
            return k_exit_refused;
        }
    }
    const auto checkpoint = store.log_checkpoint();
    const auto& last = checks.back().summary.to;
    if (last.seq != checkpoint.seq || last.hash != checkpoint.hash) {
        ctx.out << "archives: the last ends at seq " << last.seq << " but the live log continues from seq "
                << checkpoint.seq << (last.seq == checkpoint.seq ? " with another hash" : "")
                << ": an archive is missing or does not belong to this log\n";
        return k_exit_refused;
    }
    const auto first = checks.front().summary.from.seq;
    ctx.out << "archives: " << checks.size() << " verified in sequence, signed by this authority, entries " << first + 1
            << ".." << last.seq << "; the live log continues from their end"
            << (first == 0 ? std::string(" — the whole log is verified from its first entry")
                           : " (earlier archives, up to seq " + std::to_string(first) + ", were not given)")
            << '\n';
    return k_exit_ok;
}

int archive_log(Context& ctx, Args& args) {
    const auto before = args.option("--before");
    const auto out = args.option("-o");
    if (!before || !out) throw Error(ErrorKind::Usage, "log archive needs --before TIME and -o FILE");
    const auto cut = time_argument("--before", *before);
    auto session = open_session(ctx, args);
    if (!args.positionals().empty()) throw Error(ErrorKind::Usage, "log archive takes no positional arguments");
    FileArchiveOutput file(*out);
    ca::LogArchiveSummary s;
    try {
        s = session->authority->archive_log(cut, file, local_caller());
    } catch (const Error& e) {
        // Written, but the cut was not made (another archive came first): its entries are still
        // in the log, and an archive that overlaps the next one would only mislead.
        if (!file.committed()) throw;
        (void)::unlink(out->c_str());
        throw Error(e.kind(), std::string(e.what()) + "; " + *out + " was removed, nothing was archived");
    }
    ctx.out << "archived " << describe_range(s) << " to " << text::printable(*out) << '\n'
            << "  sha256 " << s.sha256 << ", signed by key " << s.signer_fingerprint << '\n'
            << "  the live log continues from checkpoint seq " << s.to.seq << '\n';
    return k_exit_ok;
}

}  // namespace

int cmd_log(Context& ctx, Args& args) {
    const auto verb = args.verb();
    if (verb == "archive") return archive_log(ctx, args);
    if (verb == "verify-archive") {
        const auto files = args.positionals();
        if (files.empty()) throw Error(ErrorKind::Usage, "log verify-archive needs one or more archive FILEs");
        std::vector<ca::LogArchiveCheck> checks;
        if (!check_archives(ctx, files, checks)) return k_exit_refused;
        const auto& end = checks.back().summary.to;
        ctx.out << "the next archive, or the live log, continues from seq " << end.seq << " hash " << end.hash << '\n';
        return k_exit_ok;
    }
    if (!verb.empty()) throw Error(ErrorKind::Usage, "log takes archive or verify-archive, not '" + verb + "'");
    const bool verify = args.flag("--verify");
    const bool json = args.flag("--json");
    const auto archives = args.options("--archive");
    const auto since = args.option("--since");
    if (!args.positionals().empty()) throw Error(ErrorKind::Usage, "log takes no positional arguments");
    if (!verify && !archives.empty()) throw Error(ErrorKind::Usage, "--archive goes with --verify");
    if (verify) return verify_log(ctx, archives);
    return print_log(ctx, since ? time_argument("--since", *since).to_iso8601() : "", json);
}

}  // namespace xrca::cli
