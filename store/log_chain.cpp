// The enrollment log's hash chain: each entry's hash covers the previous hash and every field,
// each length-prefixed so that no two different entries serialise alike.
#include "store/store.h"

#include <botan/hash.h>
#include <botan/hex.h>

namespace xrca::store {

std::string log_entry_hash(const std::string& prev_hash, const LogEntry& e) {
    thread_local const auto hash = Botan::HashFunction::create_or_throw("SHA-256");
    hash->clear();
    const auto field = [&](const std::string& s) {
        const auto n = static_cast<std::uint64_t>(s.size());
        std::uint8_t len[8];
        for (int i = 0; i < 8; ++i) len[i] = static_cast<std::uint8_t>(n >> (8 * i));
        hash->update(len, sizeof len);
        hash->update(s);
    };
    field("xrca-log-v1");
    field(prev_hash);
    field(std::to_string(e.seq));
    field(e.request_id);
    field(e.time);
    field(e.operation);
    field(e.caller);
    field(e.inputs);
    field(e.certificate_id);
    field(e.outcome);
    field(e.reason);
    const auto digest = hash->final();
    return Botan::hex_encode(digest.data(), digest.size(), false);
}

}  // namespace xrca::store
