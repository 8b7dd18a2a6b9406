#pragma once
// Shared by the storage unit tests: a database with every store on a manual clock, and temp files.

#include <chrono>
#include <filesystem>
#include <memory>
#include <random>
#include <string>

#include "core/clock.hpp"
#include "storage/action_store.hpp"
#include "storage/approval_store.hpp"
#include "storage/audit_log.hpp"
#include "storage/database.hpp"
#include "storage/lock_store.hpp"
#include "storage/sql.hpp"

namespace opsbot::storage::testing {

/// A fresh path under the temp directory; the file and its -wal/-shm companions are removed at the end.
class temp_db_path {
public:
    /// In `dir` when given (the property test uses /dev/shm: it opens hundreds of files and fsync would dominate).
    explicit temp_db_path(const std::filesystem::path& dir = std::filesystem::temp_directory_path()) {
        std::random_device rd;
        path_ = (dir /
                 ("opsbot-storage-test-" + std::to_string(rd()) + "-" + std::to_string(rd()) + ".db"))
                    .string();
    }
    ~temp_db_path() {
        std::error_code ec;
        for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
            std::filesystem::remove(path_ + suffix, ec);
        }
    }
    temp_db_path(const temp_db_path&) = delete;
    temp_db_path& operator=(const temp_db_path&) = delete;
    const std::string& str() const { return path_; }

private:
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

/// Every store over one database (":memory:" unless a path is given), time on a manual clock.
struct stores {
    explicit stores(const std::string& path = ":memory:") : db(path) {}

    manual_clock clock;
    database db;
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

    std::string state_of(const action_id& id) {
        auto a = actions.get(id);
        return a ? std::string(to_string(a->state)) : "missing";
    }
};

}  // namespace opsbot::storage::testing
