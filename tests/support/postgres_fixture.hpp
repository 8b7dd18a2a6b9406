#pragma once

#include <optional>
#include <string>

namespace opsbot::testing {

/// OPSBOT_TEST_PG_URL (set by scripts/run-tests), or nullopt: tests tagged [postgres] then skip with a warning.
/// Under CI=true a missing URL throws instead, so the test fails: CI never passes a test that did not run.
std::optional<std::string> test_pg_url();

/// The same URL naming another database (path replaced), optionally with a password in the userinfo
/// (the throwaway server uses trust authentication, so it is ignored by the server).
std::string pg_url_for(const std::string& admin_url, const std::string& dbname, const std::string& password = {});

/// The built prisma_standin executable (tests/standin/prisma_standin.cpp).
std::string prisma_standin_path();

/// A fresh temporary directory (mkdtemp under the system temp dir).
std::string make_temp_dir(const std::string& prefix);

/// Copies tests/fixtures/prisma/<set>/ into a fresh temporary directory and returns it (the workdir).
std::string copy_prisma_fixture(const std::string& set);

/// A database of its own (unique name) on the test server, dropped with its connections at destruction.
class scratch_database {
public:
    scratch_database(std::string admin_url, const std::string& prefix);
    ~scratch_database();
    scratch_database(const scratch_database&) = delete;
    scratch_database& operator=(const scratch_database&) = delete;

    const std::string& name() const { return name_; }
    std::string url(const std::string& password = {}) const { return pg_url_for(admin_url_, name_, password); }
    /// Runs SQL; throws std::runtime_error on failure (test setup only).
    void exec(const std::string& sql) const;
    /// The first column of the first row of a query.
    std::string scalar(const std::string& sql) const;

private:
    std::string admin_url_;
    std::string name_;
};

/// Runs SQL on the server's admin database (CREATE/DROP DATABASE); throws on failure.
void exec_admin(const std::string& admin_url, const std::string& sql);

}  // namespace opsbot::testing
