// File input and output for commands: bounded reads, and writes that never leave a partial file.
#pragma once

#include <cstddef>
#include <string>

namespace xrca::cli {

/** Reads a whole file of at most `max_bytes`; throws Error(Storage) or Error(Malformed) if larger. */
std::string read_file(const std::string& path, std::size_t max_bytes = 16u * 1024u * 1024u);

/** Writes `content` to `path` through a temporary file and rename, so readers never see half. */
void write_file_atomically(const std::string& path, const std::string& content, bool owner_only = false);

}  // namespace xrca::cli
