// The raw limits for bench/vs_cfssl.sh: RSA-2048 signatures per second on THREADS threads with
// each software engine, with a key generated as the authority generates its own (e = 65537).
//   bench_raw_sign [SECONDS] [THREADS]
//   prints "botan_rsa2048_sign_per_s N" and "libcrypto_rsa2048_sign_per_s N"
#include "raw_sign.h"
#include "bench_util.h"

#include "ca/key_protection.h"

#include <cstdio>

using namespace xrca;
using namespace xrca::bench;

int main(int argc, char** argv) {
    return guarded_main("bench_raw_sign", [&] {
        const double seconds = number_arg(argc, argv, 1, 3.0);
        const int threads = number_arg(argc, argv, 2, 2);
        Botan::System_RNG rng;
        const auto key = ca::generate_rsa_key(2048, rng);
        std::printf("botan_rsa2048_sign_per_s %.1f\n", raw_sign_rate(*key, threads, seconds));
        std::printf("libcrypto_rsa2048_sign_per_s %.1f\n", raw_libcrypto_sign_rate(*key, threads, seconds));
        return 0;
    });
}
