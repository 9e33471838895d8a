// A throwaway PostgreSQL cluster for tests: initdb in a temporary directory, a postmaster that
// listens on a Unix socket in that directory only, stopped and removed at the end.
//
// As root, the cluster belongs to the `postgres` OS user (initdb refuses root): the directory is
// handed to it and the server's processes run as it. The postmaster is a child of the test
// process with a parent-death signal, so that a test process that dies (a crash, kill -9) takes
// its server with it; an orderly end stops it in a gtest Environment's TearDown.
//
// Missing server binaries are an error (scripts/setup.sh installs them), never a skipped test.
#pragma once

#include <sys/types.h>
#include <string>

namespace xrca::test {

class PostgresCluster {
public:
    /** The cluster of this test process: made and started on first use, stopped after the last test. */
    static PostgresCluster& shared();
    /** Stops and removes the shared cluster if there is one (the Environment's TearDown). */
    static void shut_down_shared();

    PostgresCluster();  ///< initdb and start; std::runtime_error saying what failed
    ~PostgresCluster();
    PostgresCluster(const PostgresCluster&) = delete;
    PostgresCluster& operator=(const PostgresCluster&) = delete;

    /** Starts the postmaster and returns once it accepts connections. */
    void start();
    /** A fast shutdown (clients disconnected); returns once the postmaster has exited. */
    void stop();
    [[nodiscard]] bool running() const noexcept { return m_postmaster > 0; }

    /** The store locator of `database` (a libpq URI over the socket, as the superuser). */
    [[nodiscard]] std::string locator(const std::string& database) const;
    /** Creates an empty database with a new name and returns that name. */
    std::string create_database();
    /** Drops `database`, disconnecting whoever is still connected. */
    void drop_database(const std::string& database);
    /** Runs `sql` in `database` as the superuser; std::runtime_error with the server's message. */
    void execute(const std::string& database, const std::string& sql);
    /** The first column of the first row `sql` returns in `database` ("" if no row). */
    std::string scalar(const std::string& database, const std::string& sql);

    [[nodiscard]] const std::string& directory() const noexcept { return m_dir; }

private:
    std::string m_bin;  ///< the directory of initdb and postgres
    std::string m_dir;  ///< data in m_dir/data, the socket in m_dir
    pid_t m_postmaster = -1;
    int m_databases = 0;
};

}  // namespace xrca::test
