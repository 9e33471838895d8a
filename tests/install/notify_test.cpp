// systemd's Type=notify readiness (docs/install.md): the sd_notify datagram itself, and `xrca
// serve` sending READY=1 only once its keys are open and its socket answers, STOPPING=1 when
// told to stop, and nothing when it cannot serve. The tests bind the socket systemd would.
#include "cli/systemd_notify.h"

#include "support/command.h"
#include "support/serve_process.h"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <cstddef>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

namespace xrca {
namespace {

/** The service manager's end: a datagram socket bound to a path, or to an abstract name ('@…'). */
class NotifySocket {
public:
    explicit NotifySocket(const std::string& name) : m_fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) {
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        name.copy(address.sun_path, sizeof address.sun_path - 1);
        if (name[0] == '@') address.sun_path[0] = '\0';
        const auto length =
            static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size() + (name[0] == '@' ? 0 : 1));
        bound = m_fd >= 0 && ::bind(m_fd, reinterpret_cast<const sockaddr*>(&address), length) == 0;
    }
    ~NotifySocket() {
        if (m_fd >= 0) ::close(m_fd);
    }
    NotifySocket(const NotifySocket&) = delete;
    NotifySocket& operator=(const NotifySocket&) = delete;

    /** The next datagram, waiting at most `milliseconds` for it; nothing when none came. */
    std::optional<std::string> receive(int milliseconds) const {
        pollfd p{m_fd, POLLIN, 0};
        if (::poll(&p, 1, milliseconds) != 1) return std::nullopt;
        char buffer[4096];
        const ssize_t n = ::recv(m_fd, buffer, sizeof buffer, 0);
        if (n < 0) return std::nullopt;
        return std::string(buffer, static_cast<std::size_t>(n));
    }

    bool bound = false;

private:
    int m_fd;
};

/** A name no other test process uses at the same time. */
std::string unique_name(const std::string& stem) {
    return stem + "-" + std::to_string(::getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
}

/** Whether an HTTP server answers on 127.0.0.1:`port` (a status line comes back). */
bool answers_http(int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool ok = ::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
    const std::string request = "GET /healthz HTTP/1.0\r\n\r\n";
    ok = ok && ::send(fd, request.data(), request.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(request.size());
    char reply[16] = {};
    ok = ok && ::recv(fd, reply, 8, MSG_WAITALL) == 8 && std::string(reply, 5) == "HTTP/";
    ::close(fd);
    return ok;
}

class Notify : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/xrca-notify-XXXXXX";
        m_dir = ::mkdtemp(tmpl);
    }
    void TearDown() override {
        ::unsetenv("NOTIFY_SOCKET");  // NOLINT(concurrency-mt-unsafe): the tests run on one thread
        std::filesystem::remove_all(m_dir);
    }
    static void set_notify_socket(const std::string& name) {
        ::setenv("NOTIFY_SOCKET", name.c_str(), 1);  // NOLINT(concurrency-mt-unsafe): one thread
    }
    /** An enrollment service in m_dir/es, and its password file (owner-only). */
    void make_authority() {
        m_password_file = m_dir + "/password";
        std::ofstream(m_password_file) << "correct-horse-battery\n";
        std::filesystem::permissions(m_password_file,
                                     std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
        const auto r = test::run_command(std::string(XRCA_BINARY) + " --data " + m_dir +
                                         "/es init --role enrollment --name ES --password-file " + m_password_file);
        ASSERT_EQ(r.exit_code, 0) << r.out;
    }
    std::string m_dir;
    std::string m_password_file;
};

TEST_F(Notify, SendsTheStateToAPathSocket) {
    const std::string path = m_dir + "/notify";
    NotifySocket manager(path);
    ASSERT_TRUE(manager.bound);
    set_notify_socket(path);
    EXPECT_TRUE(cli::notify_service_manager("READY=1"));
    EXPECT_EQ(manager.receive(5000), "READY=1");
}

TEST_F(Notify, SendsTheStateToAnAbstractSocket) {
    const std::string name = "@" + unique_name("xrca-notify");
    NotifySocket manager(name);
    ASSERT_TRUE(manager.bound);
    set_notify_socket(name);
    EXPECT_TRUE(cli::notify_service_manager("STOPPING=1"));
    EXPECT_EQ(manager.receive(5000), "STOPPING=1");
    // The '@' is systemd's spelling of the leading NUL: no socket named "@…" on disk is involved.
    EXPECT_FALSE(std::filesystem::exists(name));
}

TEST_F(Notify, DoesNothingOutsideSystemd) {
    ::unsetenv("NOTIFY_SOCKET");  // NOLINT(concurrency-mt-unsafe): one thread
    EXPECT_FALSE(cli::notify_service_manager("READY=1"));
    set_notify_socket("");
    EXPECT_FALSE(cli::notify_service_manager("READY=1"));
}

TEST_F(Notify, RefusesNamesSystemdNeverGivesAndSocketsNobodyHolds) {
    set_notify_socket("notify-relative");  // neither a path from / nor an abstract name
    EXPECT_FALSE(cli::notify_service_manager("READY=1"));
    EXPECT_FALSE(std::filesystem::exists("notify-relative"));
    set_notify_socket(m_dir + "/nobody-listens");
    EXPECT_FALSE(cli::notify_service_manager("READY=1"));
    set_notify_socket("/" + std::string(200, 'x'));  // longer than sun_path
    EXPECT_FALSE(cli::notify_service_manager("READY=1"));
}

TEST_F(Notify, ServeSaysReadyWhenItAnswersAndStoppingWhenTold) {
    ASSERT_NO_FATAL_FAILURE(make_authority());
    const std::string name = "@" + unique_name("xrca-serve");
    NotifySocket manager(name);
    ASSERT_TRUE(manager.bound);
    std::optional<std::string> stopping;
    {
        test::ServeProcess server("--data " + m_dir + "/es serve --listen 127.0.0.1:0 --threads 2 --password-file " +
                                      m_password_file + " < /dev/null",
                                  {{"NOTIFY_SOCKET", name}});
        ASSERT_FALSE(server.url.empty()) << server.first_line;
        const auto ready = manager.receive(30000);
        ASSERT_EQ(ready, "READY=1");
        // Ready means answering: the port takes a request at once, with no retry.
        const auto port = std::stoi(server.url.substr(server.url.rfind(':') + 1));
        EXPECT_TRUE(answers_http(port));
        EXPECT_EQ(manager.receive(0), std::nullopt) << "one READY=1, nothing else while serving";
    }  // SIGTERM, and the process is waited for
    stopping = manager.receive(0);
    EXPECT_EQ(stopping, "STOPPING=1");
}

TEST_F(Notify, ServeThatCannotListenNeverSaysReady) {
    ASSERT_NO_FATAL_FAILURE(make_authority());
    // The port is taken by a listening socket of this test.
    const int taken = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(taken, reinterpret_cast<const sockaddr*>(&address), sizeof address), 0);
    ASSERT_EQ(::listen(taken, 1), 0);
    socklen_t length = sizeof address;
    ASSERT_EQ(::getsockname(taken, reinterpret_cast<sockaddr*>(&address), &length), 0);
    const std::string name = "@" + unique_name("xrca-serve");
    NotifySocket manager(name);
    ASSERT_TRUE(manager.bound);
    const auto r =
        test::run_command("NOTIFY_SOCKET=" + name + " " + XRCA_BINARY + " --data " + m_dir +
                          "/es serve --threads 1 --listen 127.0.0.1:" + std::to_string(ntohs(address.sin_port)) +
                          " --password-file " + m_password_file + " < /dev/null");
    ::close(taken);
    EXPECT_NE(r.exit_code, 0) << r.out;
    // The process has exited: whatever it sent is already queued.
    EXPECT_EQ(manager.receive(0), std::nullopt) << r.out;
}

TEST_F(Notify, ServeWithoutAnAuthorityNeverSaysReady) {
    const std::string name = "@" + unique_name("xrca-serve");
    NotifySocket manager(name);
    ASSERT_TRUE(manager.bound);
    const auto r = test::run_command("NOTIFY_SOCKET=" + name + " " + XRCA_BINARY + " --data " + m_dir +
                                     "/none serve --threads 1 --listen 127.0.0.1:0 < /dev/null");
    EXPECT_NE(r.exit_code, 0) << r.out;
    EXPECT_EQ(manager.receive(0), std::nullopt) << r.out;
}

}  // namespace
}  // namespace xrca
