// Issuance with the authority's keys in a PKCS#11 token (issue 13), beside the token's raw
// signing rate measured in the same run.
//   bench_pkcs11 [SECONDS] [THREADS...]
// A SoftHSM2 token is made in a temporary directory; a self-enrolled root cluster is provisioned
// in it (keys generated in the token, RSA-2048 / SHA-256). For each thread count:
//   raw   C_Sign (CKM_RSA_PKCS over a SHA-256 DigestInfo) with the activation key, one session
//         per thread, nothing else;
//   signer the ring's Pkcs11Signer over a 1,500-character BODY (UTF-16LE digest, pooled session,
//         the whole signed document assembled);
//   SPC   machine certificates issued through the authority (signed by that same key in the token,
//         recorded in SQLite);
//   RAC   RACs for an existing user (the escrowed key recovered once, then cached; signed by the
//         cluster key in the token).
// Goal: issuance >= 0.7 x raw. Medians of 3 rounds of SECONDS (default 2) each.
#include "bench_util.h"
#include "raw_limits.h"
#include "support/softhsm_token.h"
#include "support/test_keys.h"

#include "ca/authority.h"
#include "ca/key_pool.h"
#include "ca/pkcs11_key_ring.h"
#include "ca/pkcs11_reference.h"
#include "store/factory.h"

#include <botan/hash_id.h>
#include <botan/rsa.h>
#include <botan/system_rng.h>

#include <cstdio>
#include <filesystem>

using namespace xrca;

namespace {

// The private key object the store's reference names.
CK_OBJECT_HANDLE key_object(ca::Pkcs11Token& token, store::Store& store, const char* name) {
    const auto blob = store.load_key(name);
    if (!blob) throw std::runtime_error(std::string("no ") + name + " key");
    auto ref = ca::read_pkcs11_reference(blob->encrypted, name);
    CK_OBJECT_CLASS kind = CKO_PRIVATE_KEY;
    auto session = token.session();
    const auto found = token.find(session, {{CKA_CLASS, &kind, sizeof kind},
                                            {CKA_ID, ref.id.data(), ref.id.size()},
                                            {CKA_LABEL, ref.object.data(), ref.object.size()}});
    if (found.size() != 1) throw std::runtime_error(std::string("the token lacks the ") + name + " key");
    return found.front();
}

// The raw limit: C_Sign on `threads` threads, each in a session of its own held throughout.
double raw_sign_rate(ca::Pkcs11Token& token, CK_OBJECT_HANDLE key, int threads, double seconds) {
    std::vector<ca::Pkcs11Token::Session> sessions;
    sessions.reserve(static_cast<std::size_t>(threads));
    for (int t = 0; t < threads; ++t) sessions.push_back(token.session());
    auto digest_info = Botan::pkcs_hash_id("SHA-256");
    digest_info.resize(digest_info.size() + 32, 0x5a);
    return bench::threaded_rate(threads, seconds, [&](int t, long) {
        const auto session = sessions[static_cast<std::size_t>(t)].handle();
        std::vector<std::uint8_t> signature(256);
        CK_ULONG size = signature.size();
        CK_MECHANISM mechanism{CKM_RSA_PKCS, nullptr, 0};
        token.check(token.api().C_SignInit(session, &mechanism, key), "C_SignInit");
        token.check(token.api().C_Sign(session, digest_info.data(), digest_info.size(), signature.data(), &size),
                    "C_Sign");
    });
}

int run(int argc, char** argv) {
    const double seconds = bench::number_arg(argc, argv, 1, 2.0);
    std::vector<int> thread_counts;
    for (int i = 2; i < argc; ++i) thread_counts.push_back(bench::number_arg(argc, argv, i, 1));
    if (thread_counts.empty()) thread_counts = {1, 2, 8};

    test::SoftHsmToken token_dir("xrca-bench", "bench-pin-1234");
    // The data directory lives in the token's temporary directory, and goes with it.
    const std::string dir = token_dir.directory() + "/data";
    std::filesystem::create_directories(dir);

    Botan::System_RNG rng;
    ca::FixedClock clock{xrml::Time::parse("2026-03-01T12:00")};
    ca::AuthorityOptions options;
    options.clc_key_pool_threads = 0;
    const ca::Caller caller{"bench", "127.0.0.1", "bench", false};
    auto store = store::open_store(dir, store::OpenMode::Create);
    auto token = ca::Pkcs11Token::open(test::k_softhsm_module, token_dir.label(), ca::Password(token_dir.pin()));
    ca::Pkcs11KeyRing ring(*store, token, rng);
    ca::KeyPool client_keys(2048, 0, 0);
    const ca::Collaborators with{*store, ring, client_keys, clock, rng};
    ca::ProvisionRequest request;
    request.role = ca::Role::Root;
    request.name = "Bench Root";
    request.base_url = "https://bench.example.test/_wmcs";
    request.self_enroll = true;
    ca::Authority::provision(with, request, caller, options);
    ca::Authority authority(with, options);

    const auto& machine = test::test_key(2048, 8);
    const auto spc =
        authority.certify_machine({xrml::PublicKey::from_botan(machine), {}, "p", "m", "1"}, caller).text();
    (void)authority.issue_rac({{spc}, "", "bench@example.test", false}, caller);  // the user key exists
    const auto activation = key_object(*token, *store, "activation");

    auto& signer = ring.signer(ca::KeyName::Activation, xrml::DigestAlgorithm::Sha256);
    const std::string body(1500, 'x');

    std::printf("threads  raw_C_Sign/s  signer/s  ratio  SPC/s  ratio  RAC/s  ratio\n");
    for (const int threads : thread_counts) {
        std::vector<double> raw, signer_rates, spc_rates, rac_rates;
        for (int round = 0; round < 3; ++round) {
            raw.push_back(raw_sign_rate(*token, activation, threads, seconds));
            signer_rates.push_back(
                bench::threaded_rate(threads, seconds, [&](int, long) { (void)signer.sign_document(body); }));
            spc_rates.push_back(bench::threaded_rate(threads, seconds, [&](int, long) {
                (void)authority.certify_machine({xrml::PublicKey::from_botan(machine), {}, "p", "m", "1"}, caller);
            }));
            rac_rates.push_back(bench::threaded_rate(threads, seconds, [&](int, long) {
                (void)authority.issue_rac({{spc}, "", "bench@example.test", false}, caller);
            }));
        }
        const double r = bench::median(raw), g = bench::median(signer_rates), s = bench::median(spc_rates),
                     a = bench::median(rac_rates);
        std::printf("%7d  %12.0f  %8.0f  %.3f  %5.0f  %.3f  %5.0f  %.3f\n", threads, r, g, g / r, s, s / r, a, a / r);
        static_cast<void>(std::fflush(stdout));
    }
    std::printf("(SoftHSM2 %s, RSA-2048; medians of 3 rounds of %.1f s; raw = same token, key and threads)\n",
                test::k_softhsm_module, seconds);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    return bench::guarded_main("bench_pkcs11", [&] { return run(argc, argv); });
}
