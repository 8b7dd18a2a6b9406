#include "tests/support/postgres_fixture.hpp"

#include "tests/support/paths.hpp"

#include <libpq-fe.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string_view>
#include <unistd.h>

namespace opsbot::testing {
namespace {

struct conn_deleter {
    void operator()(PGconn* c) const { PQfinish(c); }
};
using conn_ptr = std::unique_ptr<PGconn, conn_deleter>;

conn_ptr connect(const std::string& url) {
    conn_ptr c(PQconnectdb(url.c_str()));
    if (PQstatus(c.get()) != CONNECTION_OK) {
        throw std::runtime_error(std::string("test PostgreSQL: ") + PQerrorMessage(c.get()));
    }
    return c;
}

std::string run(const std::string& url, const std::string& sql) {
    auto c = connect(url);
    PGresult* r = PQexec(c.get(), sql.c_str());
    const auto status = PQresultStatus(r);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
        std::string why = PQresultErrorMessage(r);
        PQclear(r);
        throw std::runtime_error("test PostgreSQL: " + why + " in: " + sql);
    }
    std::string out = (status == PGRES_TUPLES_OK && PQntuples(r) > 0) ? PQgetvalue(r, 0, 0) : "";
    PQclear(r);
    return out;
}

}  // namespace

std::optional<std::string> test_pg_url() {
    const char* v = std::getenv("OPSBOT_TEST_PG_URL");
    if (v == nullptr || *v == '\0') {
        // A skip must never pass in CI (.ci/run exports CI=true): there the missing server is a failure.
        const char* ci = std::getenv("CI");
        if (ci != nullptr && std::string_view(ci) == "true") {
            throw std::runtime_error("OPSBOT_TEST_PG_URL is not set while CI=true: the [postgres] tests must run "
                                     "against the server scripts/run-tests starts");
        }
        return std::nullopt;
    }
    return std::string(v);
}

std::string pg_url_for(const std::string& admin_url, const std::string& dbname, const std::string& password) {
    // postgresql://user[:pw]@host/db?params -> replace db, and the password when asked.
    auto scheme_end = admin_url.find("://");
    auto path = admin_url.find('/', scheme_end + 3);
    auto query = admin_url.find('?', scheme_end + 3);
    std::string authority = admin_url.substr(scheme_end + 3, std::min(path, query) - scheme_end - 3);
    std::string rest = query == std::string::npos ? "" : admin_url.substr(query);
    if (!password.empty()) {
        auto at = authority.find('@');
        std::string user = at == std::string::npos ? "postgres" : authority.substr(0, at);
        user = user.substr(0, user.find(':'));
        authority = user + ":" + password + "@" + (at == std::string::npos ? authority : authority.substr(at + 1));
    }
    return admin_url.substr(0, scheme_end + 3) + authority + "/" + dbname + rest;
}

std::string make_temp_dir(const std::string& prefix) {
    std::string pattern = (std::filesystem::temp_directory_path() / (prefix + ".XXXXXX")).string();
    if (mkdtemp(pattern.data()) == nullptr) {
        throw std::runtime_error("mkdtemp failed for " + pattern);
    }
    return pattern;
}

std::string copy_prisma_fixture(const std::string& set) {
    std::string dir = make_temp_dir("opsbot-prisma-" + set);
    std::filesystem::copy(std::filesystem::path(source_dir()) / "tests" / "fixtures" / "prisma" / set, dir,
                          std::filesystem::copy_options::recursive);
    return dir;
}

std::string prisma_standin_path() { return OPSBOT_PRISMA_STANDIN; }

void exec_admin(const std::string& admin_url, const std::string& sql) { run(admin_url, sql); }

scratch_database::scratch_database(std::string admin_url, const std::string& prefix)
    : admin_url_(std::move(admin_url)) {
    static std::atomic<int> counter{0};
    name_ = prefix + "_" + std::to_string(getpid()) + "_" + std::to_string(counter++);
    run(admin_url_, "CREATE DATABASE " + name_);
}

scratch_database::~scratch_database() {
    try {
        run(admin_url_, "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    } catch (const std::exception&) {
        // Best effort: the whole cluster is thrown away after the run.
    }
}

void scratch_database::exec(const std::string& sql) const { run(url(), sql); }

std::string scratch_database::scalar(const std::string& sql) const { return run(url(), sql); }

}  // namespace opsbot::testing
