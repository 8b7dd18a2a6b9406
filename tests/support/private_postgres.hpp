#pragma once
// A PostgreSQL server of one test's own, for a test that stops and starts the server under the bot (issue 14: the
// bot survives a PostgreSQL restart). The shared throwaway server of scripts/test-postgres cannot be restarted:
// other tests run on it at the same time. Same recipe: initdb into a fresh folder, a Unix socket inside it (no TCP
// port to collide with), trust authentication, run as `postgres` when the tests run as root.

#include <string>

namespace opsbot::testing {

class private_postgres {
public:
    /// initdb and start; throws std::runtime_error (with the server's log) when it cannot. Needs OPSBOT_TEST_PG_BIN
    /// (exported by scripts/test-postgres, which scripts/run-tests sources).
    private_postgres();
    ~private_postgres();  ///< stops the server at once and removes its folder
    private_postgres(const private_postgres&) = delete;
    private_postgres& operator=(const private_postgres&) = delete;

    /// A libpq URL of database `dbname` on this server.
    std::string url(const std::string& dbname = "postgres") const;
    /// Creates a database (CREATE DATABASE); throws on failure.
    void create_database(const std::string& dbname) const;
    /// `pg_ctl stop -m fast`: every client connection is ended, as when the server is restarted for an upgrade.
    void stop();
    /// Starts it again on the same folder and socket; waits until it accepts connections.
    void start();

private:
    void run(const std::string& what, const std::string& command) const;

    std::string bin_;
    std::string dir_;
    std::string as_postgres_;  ///< "runuser -u postgres -- " when root, else empty
};

}  // namespace opsbot::testing
