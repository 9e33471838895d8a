// Revocation lists at scale (issues 6 and 13): for lists of 1,000, 100,000 and 1,000,000
// entries, the time to build and sign one, its file size; the time and peak memory to load it
// from its file as a verifier does (streamed into the index: read, signature, index); the same
// for the reader that keeps the entries and for the whole-document (DOM) reader it replaced, in
// the same run; and chain checks per second against it beside checks with no list.
// Each load runs in a fresh process (this program, re-run with --load) so that its peak
// resident memory (VmHWM) is its own: the file's text, the reader, the index.
// Goals: 1M entries built and signed < 10 s; loaded, verified and indexed < 5 s in < 500 MB;
// checks >= 0.9 x checks with no list.
// usage: bench_revocation [ROUNDS] [SECONDS_PER_RATE] [MAX_ENTRIES]
#include "bench_util.h"
#include "support/dom_revocation_reader.h"
#include "support/sample_chain.h"
#include "support/test_keys.h"

#include "xrml/chain.h"
#include "xrml/reader.h"
#include "xrml/revocation.h"
#include "xrml/signature.h"
#include "xrml/templates.h"

#include <botan/rsa.h>

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>

using namespace xrca;

extern char** environ;  // NOLINT(readability-redundant-declaration): for posix_spawn

namespace {

double seconds_since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

// A realistic mix: mostly certificate IDs, then hashes, users and a few keys (reference §5.2).
std::vector<xrml::RevokeEntry> entries(std::size_t n, std::mt19937_64& rng) {
    std::vector<xrml::RevokeEntry> out;
    out.reserve(n);
    char guid[40];
    for (std::size_t i = 0; i < n; ++i) {
        xrml::RevokeEntry e;
        const auto r = rng();
        switch (i % 20) {
            case 0:
            case 1:
            case 2:
            case 3:  // 20 % license hashes
                e.type = xrml::RevokeType::LicenseHash;
                e.sha1.resize(20);
                for (auto& b : e.sha1) b = static_cast<std::uint8_t>(rng());
                break;
            case 4:
            case 5:
            case 6:  // 15 % users
                e.type = xrml::RevokeType::PrincipalId;
                e.object = {xrml::names::group_identity,
                            {"Windows", "S-1-5-21-1004336348-1177238915-682003330-" + std::to_string(i)},
                            std::nullopt,
                            {}};
                break;
            case 7: {  // 5 % keys (random 2048-bit moduli: only their bytes matter here)
                e.type = xrml::RevokeType::PrincipalKey;
                std::vector<std::uint8_t> modulus(256);
                for (auto& b : modulus) b = static_cast<std::uint8_t>(rng());
                modulus.back() |= 0x80;
                modulus.front() |= 0x01;
                e.key = xrml::PublicKey::from_little_endian(modulus, 65537, 2048);
                break;
            }
            default:  // 60 % certificate IDs
                // "{8-4-4-4-12}" is 38 characters: it cannot truncate.
                static_cast<void>(std::snprintf(
                    guid, sizeof guid, "{%08x-%04x-4%03x-8%03x-%012llx}", static_cast<unsigned>(r),
                    static_cast<unsigned>(r >> 32) & 0xffff, static_cast<unsigned>(r >> 48) & 0xfff,
                    static_cast<unsigned>(i) & 0xfff, static_cast<unsigned long long>(rng() & 0xffffffffffffULL)));
                e.type = xrml::RevokeType::LicenseId;
                e.object = {"", {xrml::names::guid, guid}, std::nullopt, {}};
                break;
        }
        out.push_back(std::move(e));
    }
    return out;
}

/**
 * Peak resident memory of this process image so far, in MB: VmHWM, the high-water mark of its
 * own memory. (getrusage's ru_maxrss is not used: Linux carries it across exec, so a child
 * started with posix_spawn would report its parent's peak.)
 */
double peak_mb() {
    std::ifstream status("/proc/self/status");
    for (std::string line; std::getline(status, line);) {
        if (line.rfind("VmHWM:", 0) == 0) return std::strtod(line.c_str() + 6, nullptr) / 1024.0;  // kB
    }
    return 0;
}

// The file in one string of its size, as the CLI reads it (no growing buffer, no second copy).
std::string read_whole(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::string text(static_cast<std::size_t>(std::filesystem::file_size(path)), '\0');
    if (!in.read(text.data(), static_cast<std::streamsize>(text.size())))
        throw std::runtime_error("could not read " + path);
    return text;
}

/** What one load measured: seconds of reading, of the signature, of indexing; peak MB. */
struct Load {
    double read_s = 0, verify_s = 0, index_s = 0, peak_mb = 0, index_mb = 0;
    [[nodiscard]] double total() const { return read_s + verify_s + index_s; }
};

// The child's side (`--load MODE FILE`): loads the list file one way, prints what it measured.
int load_and_report(const std::string& mode, const std::string& file) {
    const auto at = xrml::Time::parse("2026-03-02T12:00");
    Load m;
    auto t0 = std::chrono::steady_clock::now();
    std::string text = read_whole(file);
    std::size_t indexed = 0;
    if (mode == "stream") {
        // read_checked_list's steps, each timed: the signature once the header is read, then
        // every entry into the index as it is read; the rest is reading.
        xrml::RevocationIndex index;
        std::string list_id;
        std::chrono::steady_clock::duration in_index{};
        (void)xrml::read_revocation_list_streaming(
            std::move(text), {},
            [&](const xrml::Certificate& d, std::size_t revokes) {
                const auto v0 = std::chrono::steady_clock::now();
                if (!xrml::verify_signature(d).ok()) throw std::runtime_error("the list's signature does not verify");
                m.verify_s = seconds_since(v0);
                list_id = d.descriptor->id.value;
                index.reserve(revokes);
                return true;
            },
            [&](const xrml::RevokeEntry& e) {
                const auto i0 = std::chrono::steady_clock::now();
                index.add(e, list_id);
                in_index += std::chrono::steady_clock::now() - i0;
            });
        m.index_s = std::chrono::duration<double>(in_index).count();
        m.read_s = seconds_since(t0) - m.verify_s - m.index_s;
        indexed = index.size();
        m.index_mb = static_cast<double>(index.memory_bytes()) / 1e6;
    } else {
        const auto list =
            mode == "entries" ? xrml::read_revocation_list(text) : test::read_revocation_list_with_dom(text);
        m.read_s = seconds_since(t0);
        t0 = std::chrono::steady_clock::now();
        const auto checked = xrml::check_list(list, at, std::nullopt);
        m.verify_s = seconds_since(t0);  // signature and index together
        if (!checked.problem.empty()) throw std::runtime_error("the list is not usable: " + checked.problem);
        indexed = checked.index.size();
        m.index_mb = static_cast<double>(checked.index.memory_bytes()) / 1e6;
    }
    m.peak_mb = peak_mb();
    std::printf("%.6f %.6f %.6f %.3f %.3f %zu\n", m.read_s, m.verify_s, m.index_s, m.peak_mb, m.index_mb, indexed);
    return 0;
}

// The parent's side: runs `--load MODE FILE` in a fresh process and reads its report.
Load load_in_child(const std::string& mode, const std::string& file, std::size_t expected) {
    std::array<int, 2> fds{};
    if (::pipe(fds.data()) != 0) throw std::runtime_error("pipe failed");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    std::string self = "/proc/self/exe", flag = "--load", mode_arg = mode, file_arg = file;
    std::array<char*, 5> args{self.data(), flag.data(), mode_arg.data(), file_arg.data(), nullptr};
    pid_t pid = 0;
    const int spawned = ::posix_spawn(&pid, self.c_str(), &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    std::string out;
    char buf[256];
    for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) out.append(buf, static_cast<std::size_t>(n));
    ::close(fds[0]);
    if (spawned != 0) throw std::runtime_error("could not start the loading process");
    int status = 0;
    ::waitpid(pid, &status, 0);
    Load m;
    std::size_t indexed = 0;
    std::istringstream in(out);
    if (!(in >> m.read_s >> m.verify_s >> m.index_s >> m.peak_mb >> m.index_mb >> indexed) || !WIFEXITED(status) ||
        WEXITSTATUS(status) != 0 || indexed != expected) {
        throw std::runtime_error("the " + mode + " load failed or indexed " + std::to_string(indexed) + " of " +
                                 std::to_string(expected) + " entries");
    }
    return m;
}

int run(int argc, char** argv) {
    const int rounds = bench::number_arg(argc, argv, 1, 3);
    const double seconds = bench::number_arg(argc, argv, 2, 1.0);
    const auto max_entries = bench::number_arg<std::size_t>(argc, argv, 3, 1000000);

    // The chain checked: a RAC chain (RAC, SLC, enrollment service, enrollment CA, CA); the
    // list is signed by the SLC key, which issued the RAC, so it counts for it.
    const auto h = test::build_sample_hierarchy(test::Mode{2});
    const auto at = xrml::Time::parse("2026-03-02T12:00");
    const auto docs = xrml::read_documents(h.rac_chain()).documents;
    const xrml::ChainOptions options{h.anchor_fingerprint, at, {}};
    const auto chain = xrml::verify_ordered_chain(docs, options);
    if (!chain.ok()) throw std::runtime_error("the benchmark chain does not verify: " + chain.detail);
    const auto& list_key = test::test_key(2048, 4);
    const auto file =
        (std::filesystem::temp_directory_path() / ("bench_revocation_" + std::to_string(::getpid()) + ".xml")).string();

    std::printf(
        "                              |  streamed into the index (read_checked_list)           | entries kept   | "
        "whole DOM "
        "(before) |\n"
        "entries   build_s  sign_s  size_MB | read_s  verify_s  index_s  total_s  peak_MB  index_MB | total_s  peak_MB "
        "| "
        "total_s  peak_MB | checks/s(no list)  checks/s(list)  ratio  lookups-only/s\n");
    // A fixed seed on purpose: every run measures the same lists.
    std::mt19937_64 rng(42);  // NOLINT(cert-msc32-c,cert-msc51-cpp)
    for (std::size_t n = 1000; n <= max_entries; n *= (n == 1000 ? 100 : 10)) {
        std::vector<double> build_s, sign_s, plain, listed, ratio, lookups;
        std::vector<double> read_s, verify_s, index_s, total_s, peak, index_mb, entries_s, entries_peak, dom_s,
            dom_peak;
        double size_mb = 0;
        for (int round = 0; round < rounds; ++round) {
            xrml::RevocationListTemplate t;
            t.id = "{6a1b0c2d-0000-4000-8000-000000000001}";
            t.issued = xrml::Time::parse("2026-03-01T12:00");
            t.validity = xrml::TimeRange{t.issued, xrml::Time::parse("2026-03-08T12:00")};
            t.issuer.object = {xrml::names::revocation_list,
                               {xrml::names::guid, "{6a1b0c2d-0000-4000-8000-0000000000ff}"},
                               std::string("bench"),
                               {}};
            t.issuer.key = xrml::PublicKey::from_botan(list_key);
            t.entries = entries(n, rng);

            auto t0 = std::chrono::steady_clock::now();
            const auto body = xrml::build_revocation_list_body(t);
            build_s.push_back(seconds_since(t0));
            t0 = std::chrono::steady_clock::now();
            const auto text = xrml::sign_document(body, list_key, xrml::DigestAlgorithm::Sha256, test::test_rng());
            sign_s.push_back(seconds_since(t0));
            size_mb = static_cast<double>(text.size()) / 1e6;
            {
                std::ofstream out(file, std::ios::binary | std::ios::trunc);
                out << text;
                if (!out.flush()) throw std::runtime_error("could not write " + file);
            }

            const auto streamed = load_in_child("stream", file, n);
            read_s.push_back(streamed.read_s);
            verify_s.push_back(streamed.verify_s);
            index_s.push_back(streamed.index_s);
            total_s.push_back(streamed.total());
            peak.push_back(streamed.peak_mb);
            index_mb.push_back(streamed.index_mb);
            const auto kept = load_in_child("entries", file, n);
            entries_s.push_back(kept.total());
            entries_peak.push_back(kept.peak_mb);
            const auto dom = load_in_child("dom", file, n);
            dom_s.push_back(dom.total());
            dom_peak.push_back(dom.peak_mb);

            std::vector<xrml::CheckedList> lists;
            lists.push_back(xrml::read_checked_list(text, at, std::nullopt));
            if (!lists.front().problem.empty() || lists.front().index.size() != n)
                throw std::runtime_error("the list did not load: " + lists.front().problem);

            // A check: verify the chain, then (with the list) look every document up.
            const double without = bench::rate(seconds, [&] {
                if (!xrml::verify_ordered_chain(docs, options).ok()) std::abort();
            });
            const double with = bench::rate(seconds, [&] {
                const auto verdict = xrml::verify_ordered_chain(docs, options);
                if (!verdict.ok() || xrml::check_chain_revocation(docs, verdict, lists, at).revoked()) std::abort();
            });
            const double only = bench::rate(seconds / 2, [&] {
                if (xrml::check_chain_revocation(docs, chain, lists, at).revoked()) std::abort();
            });
            plain.push_back(without);
            listed.push_back(with);
            ratio.push_back(with / without);
            lookups.push_back(only);
        }
        std::printf(
            "%-9zu %7.2f  %6.2f  %7.1f | %6.2f  %8.2f  %7.2f  %7.2f  %7.0f  %8.1f | %7.2f  %7.0f | %7.2f  %7.0f | "
            "%17.0f  "
            "%14.0f  %5.3f  %14.0f\n",
            n, bench::median(build_s), bench::median(sign_s), size_mb, bench::median(read_s), bench::median(verify_s),
            bench::median(index_s), bench::median(total_s), bench::median(peak), bench::median(index_mb),
            bench::median(entries_s), bench::median(entries_peak), bench::median(dom_s), bench::median(dom_peak),
            bench::median(plain), bench::median(listed), bench::median(ratio), bench::median(lookups));
        static_cast<void>(std::fflush(stdout));
    }
    std::filesystem::remove(file);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    return bench::guarded_main("bench_revocation", [&] {
        if (argc == 4 && std::string(argv[1]) == "--load") return load_and_report(argv[2], argv[3]);
        return run(argc, argv);
    });
}
