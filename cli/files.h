// File input and output for commands: bounded reads, and writes that never leave a partial file.
#pragma once

#include <cstddef>
#include <string>

namespace xrca::cli {

// The most a command reads of each kind of file. A file is refused by its size before any of
// it is read, and parsing XML takes several times the file's size in memory.
/** XrML documents and chains, offline request and response files. */
inline constexpr std::size_t k_max_document_bytes = std::size_t{16} * 1024 * 1024;
/** A <PUBLICKEY> file, an encrypted key file, a small settings file. */
inline constexpr std::size_t k_max_key_file_bytes = std::size_t{64} * 1024;
/** A TLS certificate chain or key in PEM. */
inline constexpr std::size_t k_max_pem_bytes = std::size_t{1024} * 1024;
/** A password file. */
inline constexpr std::size_t k_max_password_file_bytes = 4096;

/**
 * Reads a whole regular file of at most `max_bytes`; "-" reads standard input to its end. Anything else (a FIFO, a
 * device, a directory) is refused before it is read, so that a FIFO cannot make the command wait forever, and a larger
 * file is refused by its size before any of it is read. Error(Storage) naming the file when it cannot be opened or is
 * not a regular file, Error(Malformed) when too large.
 */
std::string read_file(const std::string& path, std::size_t max_bytes);

/** Writes `content` to `path` through a temporary file and rename, so readers never see half. */
void write_file_atomically(const std::string& path, const std::string& content, bool owner_only = false);

}  // namespace xrca::cli
