#include "tests/support/private_postgres.hpp"

#include "tests/support/postgres_fixture.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <unistd.h>

namespace opsbot::testing {
namespace {

std::string log_of(const std::string& path) {
    std::ifstream in(path);
    std::stringstream out;
    out << in.rdbuf();
    return out.str();
}

}  // namespace

private_postgres::private_postgres() {
    const char* bin = std::getenv("OPSBOT_TEST_PG_BIN");
    if (bin == nullptr || *bin == '\0') {
        throw std::runtime_error("OPSBOT_TEST_PG_BIN is not set: scripts/run-tests (make test) sets it");
    }
    bin_ = bin;
    dir_ = make_temp_dir("opsbot-private-pg");
    std::filesystem::permissions(dir_, std::filesystem::perms::owner_all | std::filesystem::perms::group_read |
                                           std::filesystem::perms::group_exec | std::filesystem::perms::others_read |
                                           std::filesystem::perms::others_exec);
    if (::geteuid() == 0) {
        as_postgres_ = "runuser -u postgres -- ";
        run("chown", fmt::format("chown postgres:postgres '{}'", dir_));
    }
    run("initdb", fmt::format("{}'{}/initdb' -D '{}/data' -U postgres -A trust --no-sync >'{}/initdb.log' 2>&1",
                              as_postgres_, bin_, dir_, dir_));
    start();
}

private_postgres::~private_postgres() {
    const std::string stop_now = fmt::format("{}'{}/pg_ctl' -D '{}/data' -m immediate stop >/dev/null 2>&1",
                                             as_postgres_, bin_, dir_);
    if (std::system(stop_now.c_str()) != 0) {
        // already stopped
    }
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
}

std::string private_postgres::url(const std::string& dbname) const {
    return fmt::format("postgresql://postgres@/{}?host={}", dbname, dir_);
}

void private_postgres::create_database(const std::string& dbname) const {
    exec_admin(url(), "CREATE DATABASE " + dbname);
}

void private_postgres::stop() {
    run("pg_ctl stop", fmt::format("{}'{}/pg_ctl' -D '{}/data' -m fast -w stop >/dev/null", as_postgres_, bin_, dir_));
}

void private_postgres::start() {
    run("pg_ctl start",
        fmt::format("{}'{}/pg_ctl' -D '{}/data' -l '{}/server.log' -w -t 60 -o \"-c listen_addresses='' -k {} "
                    "-c fsync=off -c full_page_writes=off\" start >/dev/null",
                    as_postgres_, bin_, dir_, dir_, dir_));
}

void private_postgres::run(const std::string& what, const std::string& command) const {
    if (std::system(command.c_str()) != 0) {
        throw std::runtime_error(fmt::format("private PostgreSQL: {} failed\n{}\n{}", what,
                                             log_of(dir_ + "/initdb.log"), log_of(dir_ + "/server.log")));
    }
}

}  // namespace opsbot::testing
