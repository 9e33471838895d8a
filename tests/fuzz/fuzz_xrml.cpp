// Fuzz target: read arbitrary bytes as XrML, then verify whatever was read; read them as a
// revocation list (streamed, in pieces whose size the input chooses, into entries and into an
// index) and as a public key file. The library's own FormatError is the expected outcome for
// bad input; anything else (a crash, a sanitizer report, another exception, a hang) is a bug.
// The streaming list reader must also agree with the whole-document reader it replaced
// (support/dom_revocation_reader.h): the same entries, or the same error; it aborts otherwise.
#include "support/dom_revocation_reader.h"

#include "xrml/chain.h"
#include "xrml/errors.h"
#include "xrml/reader.h"
#include "xrml/revocation.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

using namespace xrca::xrml;

// What a list read gave: its entries' values, or the error in full.
template <typename Read>
std::string outcome(Read&& read) {
    try {
        const RevocationList list = read();
        std::string out = "ok " + list.document.raw.text;
        for (const auto& e : list.entries) out += "|" + std::string(revoke_type_name(e.type)) + " " + e.match_value();
        return out;
    } catch (const FormatError& e) {
        return std::string("error ") + e.what() + " " + e.path() + " " +
               (e.document() ? std::to_string(*e.document()) : "-");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    try {
        const auto set = read_documents(bytes);
        ChainOptions options;
        options.at = Time::parse("2026-01-01T00:00");
        (void)verify_documents(set.documents, options);
        options.anchor_fingerprint = "25e6de948368607e1f9b8c9f066a0f25cde6072605c5888b5af742a0ed88c72d";
        (void)verify_ordered_chain(set.documents, options);
    } catch (const FormatError&) {
    }
    // The same bytes as a revocation list: streamed in pieces of 1 to 64 bytes and in the
    // default pieces, against the whole-document reader.
    RevocationReadOptions pieces;
    pieces.chunk_bytes = 1 + size % 64;
    const auto streamed = outcome([&] {
        RevocationList list;
        list.document = read_revocation_list_streaming(
            std::string(bytes), pieces, [](const Certificate&, std::size_t) { return true; },
            [&](const RevokeEntry& e) { list.entries.push_back(e); });
        return list;
    });
    const auto whole = outcome([&] { return read_revocation_list(bytes); });
    const auto reference = outcome([&] { return xrca::test::read_revocation_list_with_dom(bytes); });
    if (streamed != reference || whole != reference) std::abort();
    // Looked up against itself, from its entries and as a verifier loads it.
    try {
        const auto list = read_revocation_list(bytes);
        RevocationIndex index;
        index.add(list);
        (void)index.find(list.document);
        const auto checked =
            read_checked_list(std::string(bytes), Time::parse("2026-01-01T00:00"), std::nullopt, pieces);
        (void)checked.index.find(list.document);
    } catch (const FormatError&) {
    }
    // The same bytes as a *.pub.xml file (--anchor, --public-key, trust add).
    try {
        (void)read_public_key_file(bytes);
    } catch (const FormatError&) {
    }
    return 0;
}
