// A throwaway PostgreSQL cluster (see postgres_cluster.h).
#include "support/postgres_cluster.h"

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <vector>

namespace xrca::test {
namespace {

bool executable(const std::string& path) { return ::access(path.c_str(), X_OK) == 0; }

// The newest /usr/lib/postgresql/<version>/bin with a server in it (Debian's layout; the
// postgresql package installs it), unless XRCA_TEST_PG_BINDIR names another directory.
std::string find_server_binaries() {
    if (const char* given =
            std::getenv("XRCA_TEST_PG_BINDIR")) {  // NOLINT(concurrency-mt-unsafe): read before any thread
        std::string bin = given;
        if (executable(bin + "/initdb") && executable(bin + "/postgres")) return bin;
        throw std::runtime_error("XRCA_TEST_PG_BINDIR=" + bin + " holds no initdb and postgres");
    }
    std::string best;
    long best_version = -1;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator("/usr/lib/postgresql", ec)) {
        const auto bin = entry.path().string() + "/bin";
        const auto name = entry.path().filename().string();
        char* end = nullptr;
        const long version = std::strtol(name.c_str(), &end, 10);
        if (end == name.c_str() || version <= best_version) continue;
        if (executable(bin + "/initdb") && executable(bin + "/postgres")) {
            best = bin;
            best_version = version;
        }
    }
    if (!best.empty()) return best;
    throw std::runtime_error(
        "PostgreSQL's server binaries (initdb, postgres) were not found in /usr/lib/postgresql/<version>/bin: run "
        "scripts/setup.sh to install the postgresql package (or set XRCA_TEST_PG_BINDIR)");
}

/** Whom the cluster's processes run as: the postgres user when we are root, else ourselves. */
struct Owner {
    bool switch_user = false;
    uid_t uid = 0;
    gid_t gid = 0;
};

Owner cluster_owner() {
    Owner owner;
    if (::geteuid() != 0) return owner;
    passwd entry{};
    passwd* pw = nullptr;
    std::vector<char> buffer(16384);
    if (::getpwnam_r("postgres", &entry, buffer.data(), buffer.size(), &pw) != 0 || pw == nullptr) {
        throw std::runtime_error(
            "running as root, and there is no postgres user to own the test cluster (initdb "
            "refuses root): run scripts/setup.sh, which installs postgresql and its user");
    }
    owner.switch_user = true;
    owner.uid = pw->pw_uid;
    owner.gid = pw->pw_gid;
    return owner;
}

// In a forked child, before exec: only async-signal-safe calls.
void become(const Owner& owner) {
    if (!owner.switch_user) return;
    if (::setgroups(1, &owner.gid) != 0 || ::setgid(owner.gid) != 0 || ::setuid(owner.uid) != 0) ::_exit(126);
}

void redirect_output(const std::string& log) {
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0) ::_exit(126);
    ::dup2(fd, STDOUT_FILENO);
    ::dup2(fd, STDERR_FILENO);
    const int null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (null >= 0) ::dup2(null, STDIN_FILENO);
}

std::vector<char*> argv_of(std::vector<std::string>& args) {
    std::vector<char*> argv;
    argv.reserve(args.size() + 1);
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    return argv;
}

std::string tail_of(const std::string& path) {
    std::ifstream in(path);
    std::stringstream all;
    all << in.rdbuf();
    const auto text = all.str();
    return text.size() > 2000 ? text.substr(text.size() - 2000) : text;
}

/** Runs `args` as `owner`, its output into `log`; true if it exited with 0. */
bool run_as(const Owner& owner, std::vector<std::string> args, const std::string& log) {
    auto argv = argv_of(args);
    const pid_t child = ::fork();
    if (child < 0) throw std::runtime_error(std::string("fork: ") + std::generic_category().message(errno));
    if (child == 0) {
        become(owner);
        redirect_output(log);
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    int status = 0;
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

// initdb costs a few seconds, and every test process makes a cluster: the first one in a build
// tree makes a template there (XRCA_TEST_PG_TEMPLATE_DIR) and every cluster starts as a copy.
void copy_template(const std::string& bin, const std::string& dir, const Owner& owner) {
    const std::string version = std::filesystem::path(bin).parent_path().filename().string();
    const std::string base = XRCA_TEST_PG_TEMPLATE_DIR;
    const std::string templ = base + "-" + version;
    std::error_code ec;
    if (!std::filesystem::exists(templ + "/PG_VERSION", ec)) {
        std::filesystem::create_directories(std::filesystem::path(base).parent_path(), ec);
        std::string making = base + "-making-XXXXXX";
        if (::mkdtemp(making.data()) == nullptr)
            throw std::runtime_error("mkdtemp " + making + ": " + std::generic_category().message(errno));
        if (owner.switch_user && ::chown(making.c_str(), owner.uid, owner.gid) != 0)
            throw std::runtime_error("cannot hand " + making + " to the postgres user");
        const auto log = dir + "/initdb.log";
        if (!run_as(owner,
                    {bin + "/initdb", "--no-sync", "--auth=trust", "--username=postgres", "--locale=C",
                     "--encoding=UTF8", "-D", making + "/data"},
                    log)) {
            std::filesystem::remove_all(making, ec);
            throw std::runtime_error("initdb failed for the test cluster:\n" + tail_of(log));
        }
        // Another test process may have made it meanwhile: then this one is simply dropped.
        if (::rename((making + "/data").c_str(), templ.c_str()) != 0 && errno != ENOTEMPTY && errno != EEXIST)
            throw std::runtime_error("cannot keep the cluster template " + templ + ": " +
                                     std::generic_category().message(errno));
        std::filesystem::remove_all(making, ec);
    }
    if (!run_as(owner, {"/bin/cp", "-a", templ, dir + "/data"}, dir + "/copy.log"))
        throw std::runtime_error("cannot copy the cluster template " + templ + ":\n" + tail_of(dir + "/copy.log"));
}

std::unique_ptr<PostgresCluster>& shared_slot() {
    static std::unique_ptr<PostgresCluster> cluster;
    return cluster;
}

// Stops the shared cluster after the last test, whatever the tests' outcome.
class ClusterEnvironment final : public ::testing::Environment {
public:
    void TearDown() override { PostgresCluster::shut_down_shared(); }
};
[[maybe_unused]] const auto* const k_environment = ::testing::AddGlobalTestEnvironment(new ClusterEnvironment);

struct ConnDeleter {
    void operator()(PGconn* c) const noexcept { PQfinish(c); }
};

}  // namespace

PostgresCluster& PostgresCluster::shared() {
    auto& slot = shared_slot();
    if (!slot) slot = std::make_unique<PostgresCluster>();
    return *slot;
}

void PostgresCluster::shut_down_shared() { shared_slot().reset(); }

PostgresCluster::PostgresCluster() : m_bin(find_server_binaries()) {
    const auto owner = cluster_owner();
    char tmpl[] = "/tmp/xrca-pg-XXXXXX";
    if (::mkdtemp(tmpl) == nullptr)
        throw std::runtime_error(std::string("mkdtemp: ") + std::generic_category().message(errno));
    m_dir = tmpl;
    if (owner.switch_user && ::chown(m_dir.c_str(), owner.uid, owner.gid) != 0) {
        throw std::runtime_error("cannot hand " + m_dir +
                                 " to the postgres user: " + std::generic_category().message(errno));
    }
    copy_template(m_bin, m_dir, owner);
    start();
}

PostgresCluster::~PostgresCluster() {
    try {
        stop();
    } catch (...) {  // a destructor must not throw; the directory goes anyway
    }
    std::error_code ignored;
    std::filesystem::remove_all(m_dir, ignored);
}

void PostgresCluster::start() {
    if (running()) return;
    const auto owner = cluster_owner();
    std::vector<std::string> args{m_bin + "/postgres",
                                  "-D",
                                  m_dir + "/data",
                                  "-k",
                                  m_dir,
                                  "-c",
                                  "listen_addresses=",
                                  "-c",
                                  "fsync=off",
                                  "-c",
                                  "full_page_writes=off",
                                  "-c",
                                  "max_connections=200"};
    auto argv = argv_of(args);
    const auto log = m_dir + "/postmaster.log";
    const pid_t parent = ::getpid();
    const pid_t child = ::fork();
    if (child < 0) throw std::runtime_error(std::string("fork: ") + std::generic_category().message(errno));
    if (child == 0) {
        become(owner);
        // After the user switch (which clears it): the server dies with the test process, in an
        // immediate shutdown.
        ::prctl(PR_SET_PDEATHSIG, SIGQUIT);
        if (::getppid() != parent) ::_exit(1);
        redirect_output(log);
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    m_postmaster = child;
    // Ready when it answers a ping on its socket (what pg_ctl -w waits for too).
    const auto conninfo = "host=" + m_dir + " user=postgres dbname=postgres connect_timeout=5";
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    for (;;) {
        int status = 0;
        if (::waitpid(child, &status, WNOHANG) == child) {
            m_postmaster = -1;
            throw std::runtime_error("the test cluster's postmaster exited at start:\n" + tail_of(log));
        }
        if (PQping(conninfo.c_str()) == PQPING_OK) return;
        if (std::chrono::steady_clock::now() > give_up) {
            stop();
            throw std::runtime_error("the test cluster did not accept connections within 60 s:\n" + tail_of(log));
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

void PostgresCluster::stop() {
    if (!running()) return;
    ::kill(m_postmaster, SIGINT);  // fast shutdown: clients disconnected, a clean checkpoint
    int status = 0;
    while (::waitpid(m_postmaster, &status, 0) < 0 && errno == EINTR) {
    }
    m_postmaster = -1;
}

std::string PostgresCluster::locator(const std::string& database) const {
    return "postgresql:///" + database + "?host=" + m_dir + "&user=postgres";
}

std::string PostgresCluster::create_database() {
    auto name = "xrca_test_" + std::to_string(++m_databases);
    execute("postgres", "CREATE DATABASE " + name);
    return name;
}

void PostgresCluster::drop_database(const std::string& database) {
    execute("postgres", "DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
}

void PostgresCluster::execute(const std::string& database, const std::string& sql) { (void)scalar(database, sql); }

std::string PostgresCluster::scalar(const std::string& database, const std::string& sql) {
    const auto conninfo = "host=" + m_dir + " user=postgres dbname=" + database;
    std::unique_ptr<PGconn, ConnDeleter> conn(PQconnectdb(conninfo.c_str()));
    if (PQstatus(conn.get()) != CONNECTION_OK) {
        throw std::runtime_error("cannot connect to the test cluster: " + std::string(PQerrorMessage(conn.get())));
    }
    PGresult* result = PQexec(conn.get(), sql.c_str());
    const auto status = PQresultStatus(result);
    const std::string message = PQresultErrorMessage(result);
    std::string value =
        status == PGRES_TUPLES_OK && PQntuples(result) > 0 && PQnfields(result) > 0 ? PQgetvalue(result, 0, 0) : "";
    PQclear(result);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
        throw std::runtime_error("the test cluster refused '" + sql + "': " + message);
    }
    return value;
}

}  // namespace xrca::test
