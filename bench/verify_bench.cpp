// Chain verification throughput (issue 2): 4-document chains verified per second, from text
// (decode, split, parse, four RSA-2048/SHA-256 verifications, chain rules), beside the raw
// Botan RSA-2048 verifications per second measured in the same run.
// Goal: chains/s >= 0.7 x (raw verifies/s / 4).
// usage: bench_verify [ROUNDS] [SECONDS_PER_MEASUREMENT]
#include "bench_util.h"
#include "support/sample_chain.h"
#include "support/test_keys.h"

#include "xrml/chain.h"
#include "xrml/reader.h"
#include "xrml/signature.h"

#include <botan/hash.h>
#include <botan/pubkey.h>
#include <botan/rsa.h>

#include <cstdio>
#include <cstdlib>
#include <stdexcept>

using namespace xrca;

namespace {

int run(int argc, char** argv) {
    const int rounds = bench::number_arg(argc, argv, 1, 5);
    const double seconds = bench::number_arg(argc, argv, 2, 1.0);

    const auto h = test::build_sample_hierarchy(test::Mode{2});
    const std::string chain_text = h.slc_chain();  // SLC, enrollment service, enrollment CA, CA
    xrml::ChainOptions options{h.anchor_fingerprint, xrml::Time::parse("2026-06-01T00:00"), {}};
    if (!xrml::verify_ordered_chain(xrml::read_documents(chain_text).documents, options).ok()) {
        throw std::runtime_error("the benchmark chain does not verify");
    }

    // The raw limit: one RSA-2048 PKCS#1 v1.5 / SHA-256 verification with a loaded key.
    const auto& key = test::test_key(2048, 3);
    const Botan::RSA_PublicKey pub(key.get_n(), key.get_e());
    const std::vector<uint8_t> message(64, 0x33);
    Botan::PK_Signer signer(key, test::test_rng(), "EMSA3(SHA-256)");
    const auto signature = signer.sign_message(message, test::test_rng());
    Botan::PK_Verifier raw_verifier(pub, "EMSA3(SHA-256)");

    const auto parsed = xrml::read_documents(chain_text).documents;
    std::vector<double> raw, chains, ratios, parse_only, verify_only, digests;
    std::printf(
        "round  raw_verifies/s  chains/s  ratio(chains/(raw/4))  | parse-only/s  verify-parsed/s  body-digests/s\n");
    for (int r = 0; r < rounds; ++r) {
        const double raw_rate = bench::rate(seconds, [&] {
            if (!raw_verifier.verify_message(message, signature)) std::abort();
        });
        const double chain_rate = bench::rate(seconds, [&] {
            const auto set = xrml::read_documents(chain_text);
            if (!xrml::verify_ordered_chain(set.documents, options).ok()) std::abort();
        });
        // Where the time goes: reading the four documents, and verifying already-read ones.
        const double parse_rate = bench::rate(seconds / 2, [&] {
            if (xrml::read_documents(chain_text).documents.size() != 4) std::abort();
        });
        const double verify_rate = bench::rate(seconds / 2, [&] {
            if (!xrml::verify_ordered_chain(parsed, options).ok()) std::abort();
        });
        const double digest_rate = bench::rate(seconds / 2, [&] {
            if (xrml::body_digest(parsed[0].raw.body_text(), xrml::DigestAlgorithm::Sha256).size() != 32) std::abort();
        });
        raw.push_back(raw_rate);
        chains.push_back(chain_rate);
        ratios.push_back(chain_rate / (raw_rate / 4.0));
        parse_only.push_back(parse_rate);
        verify_only.push_back(verify_rate);
        digests.push_back(digest_rate);
        std::printf("%5d  %14.0f  %8.0f  %.3f                  | %12.0f  %15.0f  %14.0f\n", r + 1, raw_rate, chain_rate,
                    ratios.back(), parse_rate, verify_rate, digest_rate);
    }
    std::printf("median %14.0f  %8.0f  %.3f                  | %12.0f  %15.0f  %14.0f\n", bench::median(raw),
                bench::median(chains), bench::median(ratios), bench::median(parse_only), bench::median(verify_only),
                bench::median(digests));
    std::printf("goal: ratio >= 0.70. Body of the SLC: %zu characters.\n", parsed[0].raw.body.size());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    return bench::guarded_main("bench_verify", [&] { return run(argc, argv); });
}
