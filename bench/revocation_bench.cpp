// Revocation lists at scale (issue 6): for lists of 1,000, 100,000 and 1,000,000 entries, the
// time to build and sign one, its file size, the time to load and verify it (read, signature,
// index), and chain checks per second against it beside checks with no list, in the same run.
// Goals: 1M entries built and signed < 10 s, loaded < 5 s; checks >= 0.9 x checks with no list.
// usage: bench_revocation [ROUNDS] [SECONDS_PER_RATE] [MAX_ENTRIES]
#include "bench_util.h"
#include "support/sample_chain.h"
#include "support/test_keys.h"

#include "xrml/chain.h"
#include "xrml/reader.h"
#include "xrml/revocation.h"
#include "xrml/signature.h"
#include "xrml/templates.h"

#include <botan/rsa.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <stdexcept>

using namespace xrca;

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

    std::printf(
        "entries   build_s  sign_s  size_MB  load_s  verify+index_s  | checks/s(no list)  checks/s(list)  ratio  "
        "lookups-only/s\n");
    // A fixed seed on purpose: every run measures the same lists.
    std::mt19937_64 rng(42);  // NOLINT(cert-msc32-c,cert-msc51-cpp)
    for (std::size_t n = 1000; n <= max_entries; n *= (n == 1000 ? 100 : 10)) {
        std::vector<double> build_s, sign_s, load_s, verify_s, plain, listed, ratio, lookups;
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

            t0 = std::chrono::steady_clock::now();
            const auto list = xrml::read_revocation_list(text);
            load_s.push_back(seconds_since(t0));
            t0 = std::chrono::steady_clock::now();
            std::vector<xrml::CheckedList> lists;
            lists.push_back(xrml::check_list(list, at, std::nullopt));
            verify_s.push_back(seconds_since(t0));
            if (!lists.front().problem.empty() || list.entries.size() != n)
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
        std::printf("%-9zu %7.2f  %6.2f  %7.1f  %6.2f  %14.2f  | %17.0f  %14.0f  %5.3f  %14.0f\n", n,
                    bench::median(build_s), bench::median(sign_s), size_mb, bench::median(load_s),
                    bench::median(verify_s), bench::median(plain), bench::median(listed), bench::median(ratio),
                    bench::median(lookups));
        static_cast<void>(std::fflush(stdout));
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    return bench::guarded_main("bench_revocation", [&] { return run(argc, argv); });
}
