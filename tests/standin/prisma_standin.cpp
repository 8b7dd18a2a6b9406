// prisma_standin: a stand-in for `npx prisma migrate deploy`, because the Prisma CLI cannot run here
// (its engine download is blocked, docs/platforms.md §3.1). It applies prisma/migrations/*/migration.sql of
// the current directory in name order to $DATABASE_URL and records rows in _prisma_migrations exactly
// like Prisma does (docs/platforms.md §3.4): row inserted at start, finished_at set on success; on failure
// logs = the error text, finished_at NULL, stderr "Error: P3018", exit 1. It refuses to run while a
// failed row exists (P3009). Arguments are ignored.
//
// Like Prisma, the stand-in does not wrap a migration in BEGIN/COMMIT: the whole script goes to the server
// as one simple-query message (one multi-statement PQexec). PostgreSQL runs such a message as one implicit
// transaction unless the script has its own transaction control, so a failing script changes nothing
// except when it COMMITs part of its work first; tests/fixtures/prisma/failing does that to reproduce a
// "partially applied" migration (runbook §8).
#include "core/sha256.hpp"
#include "tests/support/text_files.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

using opsbot::testing::read_file;

namespace {

namespace fs = std::filesystem;

constexpr const char* create_table =
    "CREATE TABLE IF NOT EXISTS _prisma_migrations ("
    " id VARCHAR(36) PRIMARY KEY NOT NULL, checksum VARCHAR(64) NOT NULL, finished_at TIMESTAMPTZ,"
    " migration_name VARCHAR(255) NOT NULL, logs TEXT, rolled_back_at TIMESTAMPTZ,"
    " started_at TIMESTAMPTZ NOT NULL DEFAULT now(), applied_steps_count INTEGER NOT NULL DEFAULT 0)";

struct query_result {
    PGresult* r;
    explicit query_result(PGresult* res) : r(res) {}
    ~query_result() { PQclear(r); }
    bool ok() const {
        auto s = PQresultStatus(r);
        return s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;
    }
};

int error_exit(const std::string& code, const std::string& message) {
    std::cerr << "Error: " << code << "\n\n" << message << "\n";
    return 1;
}

bool exec_params(PGconn* c, const char* sql, const std::vector<std::string>& params, std::string* error = nullptr) {
    std::vector<const char*> values;
    for (const auto& p : params) {
        values.push_back(p.c_str());
    }
    query_result r(PQexecParams(c, sql, static_cast<int>(values.size()), nullptr, values.data(), nullptr, nullptr, 0));
    if (!r.ok() && error != nullptr) {
        *error = PQresultErrorMessage(r.r);
    }
    return r.ok();
}

}  // namespace

int main() {
    const char* url = std::getenv("DATABASE_URL");
    if (url == nullptr || *url == '\0') {
        return error_exit("P1012", "Environment variable not found: DATABASE_URL.");
    }
    const fs::path root = fs::path("prisma") / "migrations";
    std::vector<std::string> names;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(root, ec)) {
        if (entry.is_directory() && fs::is_regular_file(entry.path() / "migration.sql")) {
            names.push_back(entry.path().filename().string());
        }
    }
    std::sort(names.begin(), names.end());
    std::cout << "Prisma schema loaded from prisma/schema.prisma\n";
    std::cout << (names.empty() ? std::string("No migration found in prisma/migrations")
                                : std::to_string(names.size()) + " migrations found in prisma/migrations")
              << "\n\n";

    PGconn* c = PQconnectdb(url);
    if (PQstatus(c) != CONNECTION_OK) {
        std::string why = PQerrorMessage(c);
        PQfinish(c);
        return error_exit("P1001", "Can't reach database server: " + why);
    }
    std::string err;
    if (!exec_params(c, create_table, {}, &err)) {
        PQfinish(c);
        return error_exit("P3000", err);
    }
    // docs/platforms.md §3.4 / P4: any failed row blocks every new migration (P3009).
    query_result rows(PQexec(c, "SELECT migration_name, started_at, finished_at IS NOT NULL, rolled_back_at IS NOT NULL,"
                             " coalesce(logs, '') FROM _prisma_migrations ORDER BY started_at"));
    std::set<std::string> applied;
    std::string failed_details;
    for (int i = 0; i < PQntuples(rows.r); ++i) {
        const std::string name = PQgetvalue(rows.r, i, 0);
        const bool finished = std::string_view(PQgetvalue(rows.r, i, 2)) == "t";
        const bool rolled_back = std::string_view(PQgetvalue(rows.r, i, 3)) == "t";
        if (finished && !rolled_back) {
            applied.insert(name);
        } else if (!finished && !rolled_back) {
            failed_details += "The `" + name + "` migration started at " + PQgetvalue(rows.r, i, 1) +
                              " failed with the following logs:\n" + PQgetvalue(rows.r, i, 4) + "\n";
        }
    }
    if (!failed_details.empty()) {
        PQfinish(c);
        return error_exit("P3009", "migrate found failed migrations in the target database, new migrations will not "
                                   "be applied. Read more about how to resolve migration issues in a production "
                                   "database: https://pris.ly/d/migrate-resolve\n" + failed_details);
    }
    std::vector<std::string> done;
    for (const auto& name : names) {
        if (applied.contains(name)) {
            continue;
        }
        const std::string script = read_file(root / name / "migration.sql");
        query_result id(PQexec(c, "SELECT gen_random_uuid()::text"));
        const std::string row_id = PQgetvalue(id.r, 0, 0);
        if (!exec_params(c, "INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at)"
                            " VALUES ($1, $2, $3, now())", {row_id, opsbot::sha256_hex(script), name}, &err)) {
            PQfinish(c);
            return error_exit("P3000", err);
        }
        query_result applied_script(PQexec(c, script.c_str()));
        if (!applied_script.ok()) {
            std::string db_error = PQresultErrorMessage(applied_script.r);
            const char* code = PQresultErrorField(applied_script.r, PG_DIAG_SQLSTATE);
            exec_params(c, "UPDATE _prisma_migrations SET logs = $2 WHERE id = $1", {row_id, db_error});
            PQfinish(c);
            return error_exit("P3018", "A migration failed to apply. New migrations cannot be applied before the "
                                       "error is recovered from. Read more about how to resolve migration issues in "
                                       "a production database: https://pris.ly/d/migrate-resolve\n\nMigration name: " +
                                           name + "\n\nDatabase error code: " + (code ? code : "") +
                                           "\n\nDatabase error:\n" + db_error);
        }
        exec_params(c, "UPDATE _prisma_migrations SET finished_at = now(), applied_steps_count = 1 WHERE id = $1",
                    {row_id});
        done.push_back(name);
    }
    PQfinish(c);
    if (done.empty()) {
        std::cout << "No pending migrations to apply.\n";
        return 0;
    }
    std::cout << "The following migration(s) have been applied:\n\nmigrations/\n";
    for (const auto& name : done) {
        std::cout << "  └─ " << name << "/\n    └─ migration.sql\n";
    }
    std::cout << "\nAll migrations have been successfully applied.\n";
    return 0;
}
