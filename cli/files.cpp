// Bounded reads and atomic writes.
#include "cli/files.h"

#include "ca/errors.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <system_error>

namespace xrca::cli {

std::string read_file(const std::string& path, std::size_t max_bytes) {
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer before fstat()
    // could refuse it. It changes nothing for a regular file.
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) throw Error(ErrorKind::Storage, "cannot open " + path + ": " + std::generic_category().message(errno));
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

void write_file_atomically(const std::string& path, const std::string& content, bool owner_only) {
    const std::string tmp = path + ".tmp-" + std::to_string(::getpid());
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, owner_only ? 0600 : 0644);
    if (fd < 0) throw Error(ErrorKind::Storage, "cannot create " + tmp + ": " + std::generic_category().message(errno));
    std::size_t done = 0;
    while (done < content.size()) {
        const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            const int err = errno;
            ::close(fd);
            ::unlink(tmp.c_str());
            throw Error(ErrorKind::Storage, "cannot write " + tmp + ": " + std::generic_category().message(err));
        }
        done += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0) {
        ::unlink(tmp.c_str());
        throw Error(ErrorKind::Storage, "cannot flush " + tmp + ": " + std::generic_category().message(errno));
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        const int err = errno;
        ::unlink(tmp.c_str());
        throw Error(ErrorKind::Storage,
                    "cannot rename " + tmp + " to " + path + ": " + std::generic_category().message(err));
    }
}

}  // namespace xrca::cli
