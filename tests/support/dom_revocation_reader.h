// The revocation list reader as it was before the streaming one: one DOM of the whole
// document. Kept as the reference the streaming reader is compared with (unit tests, fuzzing):
// for any input both must read the same entries or fail with the same FormatError.
#pragma once

#include "xrml/revocation.h"

#include <string_view>

namespace xrca::test {

xrml::RevocationList read_revocation_list_with_dom(std::string_view text,
                                                   std::size_t max_bytes = xrml::k_max_revocation_list_bytes);

}  // namespace xrca::test
