#include "cli/key_files.h"

#include "ca/errors.h"
#include "cli/files.h"

#include <botan/rsa.h>

#include <sys/stat.h>
#include <cerrno>
#include <cstring>
#include <system_error>

namespace xrca::cli {

std::string key_file_path(const std::string& dir, const char* name) { return dir + "/" + name + ".key"; }

std::unique_ptr<Botan::RSA_PrivateKey> load_key_file(const std::string& dir, const char* name,
                                                     const ca::Password& password) {
    const auto path = key_file_path(dir, name);
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        throw Error(ErrorKind::NotFound, "the directory " + dir + " has no " + name + " key (" + path + ")");
    const auto blob = read_file(path, k_max_key_file_bytes);
    return ca::decrypt_private_key(std::vector<std::uint8_t>(blob.begin(), blob.end()), password, std::string(name));
}

void save_key_file(const std::string& dir, const char* name, const Botan::RSA_PrivateKey& key,
                   const ca::Password& password, Botan::RandomNumberGenerator& rng) {
    const auto blob = ca::encrypt_private_key(key, password, rng);
    write_file_atomically(key_file_path(dir, name), std::string(blob.begin(), blob.end()), /*owner_only=*/true);
}

void prepare_key_directory(const std::string& dir, const char* name, const char* what) {
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
        throw Error(ErrorKind::Storage, "cannot create " + dir + ": " + std::generic_category().message(errno));
    }
    struct stat st {};
    if (::stat(key_file_path(dir, name).c_str(), &st) == 0) {
        throw Error(ErrorKind::Conflict, dir + " already holds " + what + "; use another --dir");
    }
}

}  // namespace xrca::cli
