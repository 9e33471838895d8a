// Bounded reads and atomic writes.
#include "cli/files.h"

#include "ca/errors.h"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <system_error>

namespace xrca::cli {

namespace {

// Standard input, as "-" names it: a pipe or a terminal, read to its end, refused past max_bytes.
std::string read_stdin(std::size_t max_bytes) {
    std::string out;
    char buf[65536];
    while (true) {
        const ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw Error(ErrorKind::Storage, "cannot read standard input: " + std::generic_category().message(errno));
        }
        if (n == 0) return out;
        out.append(buf, static_cast<std::size_t>(n));
        if (out.size() > max_bytes) {
            throw Error(ErrorKind::Malformed,
                        "standard input is larger than the " + std::to_string(max_bytes) + " bytes accepted");
        }
    }
}

}  // namespace

std::string read_file(const std::string& path, std::size_t max_bytes) {
    if (path == "-") return read_stdin(max_bytes);
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer before fstat()
    // could refuse it. It changes nothing for a regular file.
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) {
        // A file that is not there is "not found" (3), as a certificate or an authority that is
        // not there is; a file that is there but cannot be read is an I/O error (4).
        const int err = errno;
        throw Error(err == ENOENT || err == ENOTDIR ? ErrorKind::NotFound : ErrorKind::Storage,
                    "cannot open " + path + ": " + std::generic_category().message(err));
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        throw Error(ErrorKind::Storage, path + " is not a regular file (a FIFO, device or directory is not read)");
    }
    if (static_cast<std::size_t>(st.st_size) > max_bytes) {
        ::close(fd);
        throw Error(ErrorKind::Malformed, path + " is " + std::to_string(st.st_size) + " bytes, more than the " +
                                              std::to_string(max_bytes) + " accepted");
    }
    std::string out;
    // Its size as stat found it: a 170 MB revocation list is then held once, not grown by doubling.
    out.reserve(static_cast<std::size_t>(st.st_size));
    char buf[65536];
    while (true) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            const int err = errno;
            ::close(fd);
            throw Error(ErrorKind::Storage, "cannot read " + path + ": " + std::generic_category().message(err));
        }
        if (n == 0) break;
        out.append(buf, static_cast<std::size_t>(n));
        if (out.size() > max_bytes) {
            ::close(fd);
            throw Error(ErrorKind::Malformed,
                        path + " is larger than the " + std::to_string(max_bytes) + " bytes accepted");
        }
    }
    ::close(fd);
    return out;
}

namespace {

std::string errno_text(int err) { return std::generic_category().message(err); }

// A name beside `path` that nobody can guess: 96 random bits.
std::string temporary_name(const std::string& path) {
    unsigned char random[12];
    std::size_t got = 0;
    while (got < sizeof random) {
        const ssize_t n = ::getrandom(random + got, sizeof random - got, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw Error(ErrorKind::Storage, "cannot draw random bytes: " + errno_text(errno));
        got += static_cast<std::size_t>(n);
    }
    static const char* hex = "0123456789abcdef";
    std::string name = path + ".tmp-";
    for (const unsigned char b : random) {
        name += hex[b >> 4];
        name += hex[b & 15];
    }
    return name;
}

std::string directory_of(const std::string& path) {
    const auto slash = path.rfind('/');
    if (slash == std::string::npos) return ".";
    return slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

void write_file_atomically(const std::string& path, const std::string& content, bool owner_only) {
    // A fresh name created new (O_EXCL) and never through a link (O_NOFOLLOW): in a directory
    // others can write to, nobody can plant a link where the file is about to be written.
    std::string tmp;
    int fd = -1;
    for (int attempt = 0; fd < 0 && attempt < 4; ++attempt) {
        tmp = temporary_name(path);
        fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, owner_only ? 0600 : 0644);
        if (fd < 0 && errno != EEXIST) break;
    }
    if (fd < 0)
        throw Error(ErrorKind::Storage, "cannot create a temporary file beside " + path + ": " + errno_text(errno));
    std::size_t done = 0;
    while (done < content.size()) {
        const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            const int err = errno;
            ::close(fd);
            ::unlink(tmp.c_str());
            throw Error(ErrorKind::Storage, "cannot write " + tmp + ": " + errno_text(err));
        }
        done += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0) {
        const int err = errno;
        ::unlink(tmp.c_str());
        throw Error(ErrorKind::Storage, "cannot flush " + tmp + ": " + errno_text(err));
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        const int err = errno;
        ::unlink(tmp.c_str());
        throw Error(ErrorKind::Storage, "cannot rename " + tmp + " to " + path + ": " + errno_text(err));
    }
    // The rename is durable only once the directory that holds the name is on disk too.
    const auto dir = directory_of(path);
    const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0 || ::fsync(dfd) != 0) {
        const int err = errno;
        if (dfd >= 0) ::close(dfd);
        throw Error(ErrorKind::Storage,
                    "wrote " + path + " but cannot sync its directory " + dir + ": " + errno_text(err));
    }
    ::close(dfd);
}

}  // namespace xrca::cli
