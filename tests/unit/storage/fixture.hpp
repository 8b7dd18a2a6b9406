#pragma once
// Shared by the storage unit tests: a database with every store on a manual clock, and temp files.

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unistd.h>

#include "core/clock.hpp"
#include "storage/action_store.hpp"
#include "storage/approval_store.hpp"
#include "storage/audit_log.hpp"
#include "storage/database.hpp"
#include "storage/lock_store.hpp"
#include "storage/postgres_connection.hpp"
#include "storage/sql.hpp"

namespace opsbot::storage::testing {

/// The engine these tests run on: SQLite, unless OPSBOT_TEST_STORAGE_BACKEND=postgresql. ctest runs every
/// engine-neutral storage test a second time that way, on the throwaway server scripts/run-tests starts
/// (tests/CMakeLists.txt): the stores must mean the same on both (issue 14).
inline bool on_postgres() {
    const char* backend = std::getenv("OPSBOT_TEST_STORAGE_BACKEND");
    return backend != nullptr && std::string_view(backend) == "postgresql";
}

inline std::unique_ptr<sql::connection> connect_postgres(const std::string& url) {
    auto conn = open_postgres(url);
    if (!conn) {
        throw std::runtime_error("test PostgreSQL: " + conn.error().message);
    }
    return std::move(*conn);
}

/// A database of its own on the test server (OPSBOT_TEST_PG_URL), dropped with its connections at the end.
class pg_scratch {
public:
    pg_scratch() {
        const char* admin_url = std::getenv("OPSBOT_TEST_PG_URL");
        if (admin_url == nullptr || *admin_url == '\0') {
            throw std::runtime_error("OPSBOT_TEST_PG_URL is not set: run the storage tests on PostgreSQL through "
                                     "scripts/run-tests, which starts the server");
        }
        static std::atomic<int> counter{0};
        std::random_device rd;
        name_ = "opsbot_storage_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" +
                std::to_string(rd() % 100000);
        admin_ = connect_postgres(admin_url);
        admin_->run_script("CREATE DATABASE " + name_);
        // A libpq URI's query parameters may name any connection keyword; the last dbname wins.
        const std::string admin(admin_url);
        url_ = admin + (admin.find('?') == std::string::npos ? "?" : "&") + "dbname=" + name_;
    }
    ~pg_scratch() {
        try {
            admin_->run_script("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
        } catch (const std::exception&) {
            // a database left behind on a throwaway server: harmless
        }
    }
    pg_scratch(const pg_scratch&) = delete;
    pg_scratch& operator=(const pg_scratch&) = delete;
    const std::string& url() const { return url_; }

private:
    std::unique_ptr<sql::connection> admin_;
    std::string name_;
    std::string url_;
};

/// The bot's database at `where`: an SQLite path, or on PostgreSQL the URL a pg_scratch gave.
inline std::unique_ptr<database> open_test_database(const std::string& where) {
    if (on_postgres()) {
        return std::make_unique<database>(connect_postgres(where), "test PostgreSQL database");
    }
    return std::make_unique<database>(where);
}

/// Where a test keeps a database it opens more than once (a restart, a second process): a fresh path under the
/// temp directory whose file and -wal/-shm companions are removed at the end; on PostgreSQL a scratch database.
class temp_db_path {
public:
    /// In `dir` when given (the property test uses /dev/shm: it opens hundreds of files and fsync would dominate).
    explicit temp_db_path(const std::filesystem::path& dir = std::filesystem::temp_directory_path()) {
        if (on_postgres()) {
            scratch_.emplace();
            path_ = scratch_->url();
            return;
        }
        std::random_device rd;
        path_ = (dir /
                 ("opsbot-storage-test-" + std::to_string(rd()) + "-" + std::to_string(rd()) + ".db"))
                    .string();
    }
    ~temp_db_path() {
        if (scratch_) {
            return;
        }
        std::error_code ec;
        for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
            std::filesystem::remove(path_ + suffix, ec);
        }
    }
    temp_db_path(const temp_db_path&) = delete;
    temp_db_path& operator=(const temp_db_path&) = delete;
    const std::string& str() const { return path_; }

private:
    std::optional<pg_scratch> scratch_;
    std::string path_;
};

/// The first column of the first row of `query` on the session's connection (a COUNT, a PRAGMA).
inline sql::value scalar(database::session& session, std::string_view query) {
    sql::statement statement(session.sql(), query);
    if (!statement.step()) {
        throw std::runtime_error("no row from " + std::string(query));
    }
    return statement.column(0);
}

/// Every store over one database (":memory:", or a scratch database on PostgreSQL, unless a temp_db_path's str() is
/// given), time on a manual clock.
struct stores {
    explicit stores(const std::string& where = ":memory:")
        : scratch(where == ":memory:" && on_postgres() ? std::make_unique<pg_scratch>() : nullptr),
          owned(open_test_database(scratch ? scratch->url() : where)) {}

    manual_clock clock;
    std::unique_ptr<pg_scratch> scratch;  // before the database: dropped after its connection closed
    std::unique_ptr<database> owned;
    database& db = *owned;
    action_store actions{db, clock};
    approval_store approvals{db, clock};
    lock_store locks{db, clock};
    audit_log audit{db, clock};

    /// A request by U01 in C01 needing `required` approvals, expiring in 15 minutes.
    action_id request(int required = 1, const std::string& digest = "digest-1") {
        new_action a;
        a.family = "rollback";
        a.subject = "rollback web production";
        a.requester = user_id{"U01"};
        a.channel = channel_id{"C01"};
        a.plan_json = R"({"steps":["promote dpl_2"]})";
        a.plan_digest = digest;
        a.required_approvals = required;
        a.expires_at = clock.now() + std::chrono::minutes{15};
        auto id = actions.create(a);
        if (!id) {
            throw std::runtime_error("create failed: " + id.error().message);
        }
        return *id;
    }

    /// Runs raw SQL on the connection (as an attacker or a careless operator with sqlite3 would).
    void raw(const std::string& sql_text) {
        auto session = db.acquire();
        session.sql().run_script(sql_text);
    }

    /// Removes a trigger, as someone with the database's owner rights could (the tamper tests).
    void drop_trigger(const std::string& trigger, const std::string& table) {
        raw("DROP TRIGGER " + trigger + (on_postgres() ? " ON " + table : std::string()));
    }

    std::string state_of(const action_id& id) {
        auto a = actions.get(id);
        return a ? std::string(to_string(a->state)) : "missing";
    }
};

}  // namespace opsbot::storage::testing
