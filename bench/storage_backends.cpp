// How the bot's storage costs grow on each engine (issue 14 item 5): approvals per second in one process, and with
// 100,000 and 1,000,000 audit entries the start-up (opening the database: the schema check), `/audit` (the last 20
// entries) and `opsbot audit verify` (the whole chain). SQLite always; PostgreSQL when OPSBOT_BENCH_PG_URL names a
// server (bench/with-postgres starts a throwaway one, as make bench does). Prints figures; asserts nothing.
//
//   storage_backends [ENTRIES...]     default: 100000 1000000
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <unistd.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/clock.hpp"
#include "storage/action_store.hpp"
#include "storage/approval_store.hpp"
#include "storage/audit_log.hpp"
#include "storage/database.hpp"
#include "storage/postgres_connection.hpp"
#include "storage/sql.hpp"

using namespace opsbot;
using namespace opsbot::storage;
using steady = std::chrono::steady_clock;

namespace {

double seconds_since(steady::time_point start) {
    return std::chrono::duration<double>(steady::now() - start).count();
}

/// One engine: how to make an empty database and reopen it.
struct engine {
    std::string name;
    std::function<std::string()> fresh;  // a new empty database; returns where it is
    std::function<std::unique_ptr<database>(const std::string&)> open;
    std::function<void(const std::string&)> drop;
};

engine sqlite_engine(const std::filesystem::path& dir) {
    return {"SQLite",
            [dir] {
                static int n = 0;
                return (dir / fmt::format("bench-{}.db", n++)).string();
            },
            [](const std::string& path) { return std::make_unique<database>(path); },
            [](const std::string& path) {
                for (const char* suffix : {"", "-wal", "-shm"}) {
                    std::filesystem::remove(path + suffix);
                }
            }};
}

std::unique_ptr<sql::connection> connect(const std::string& url) {
    auto conn = open_postgres(url);
    if (!conn) {
        throw std::runtime_error(conn.error().message);
    }
    return std::move(*conn);
}

engine postgres_engine(const std::string& admin_url) {
    auto admin = std::shared_ptr<sql::connection>(connect(admin_url));
    return {"PostgreSQL",
            [admin, admin_url] {
                static int n = 0;
                const std::string name = fmt::format("opsbot_bench_{}_{}", ::getpid(), n++);
                admin->run_script("CREATE DATABASE " + name);
                return admin_url + (admin_url.find('?') == std::string::npos ? "?" : "&") + "dbname=" + name;
            },
            [](const std::string& url) { return std::make_unique<database>(connect(url), "bench database"); },
            [admin](const std::string& url) {
                const std::string name = url.substr(url.rfind("dbname=") + 7);
                admin->run_script("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            }};
}

/// Approvals per second: `n` requests, each approved by a second person, one decision per transaction (as clicks).
void approvals_per_second(const engine& e, int n) {
    const std::string where = e.fresh();
    {
        auto db = e.open(where);
        manual_clock clock;
        action_store actions(*db, clock);
        approval_store approvals(*db, clock);
        std::vector<action_id> ids;
        for (int i = 0; i < n; ++i) {
            new_action a;
            a.family = "rollback";
            a.subject = fmt::format("rollback web production #{}", i);
            a.requester = user_id{"U01"};
            a.channel = channel_id{"C01"};
            a.plan_json = R"({"steps":["promote"]})";
            a.plan_digest = "digest";
            a.required_approvals = 1;
            a.expires_at = clock.now() + std::chrono::minutes{15};
            ids.push_back(actions.create(a).value());
        }
        const auto start = steady::now();
        for (const auto& id : ids) {
            auto outcome = approvals.record_decision(id, user_id{"U02"}, decision::approve, "digest", {user_id{"U02"}});
            if (!outcome || !outcome->now_approved) {
                throw std::runtime_error("an approval was not recorded");
            }
        }
        const double took = seconds_since(start);
        fmt::print("  {:<10} approvals: {} in {:.2f} s = {:.0f}/s (one process)\n", e.name, n, took, n / took);
    }
    e.drop(where);
}

/// Appends `count` entries through the real append path (hash chain included), committing every 10,000 so filling a
/// million-entry log takes minutes, not hours; returns the seconds it took.
double fill_audit(database& db, const opsbot::clock& clk, std::int64_t from, std::int64_t count) {
    const auto start = steady::now();
    std::int64_t done = 0;
    while (done < count) {
        auto session = db.acquire();
        sql::transaction tx(session.sql());
        const std::int64_t batch = std::min<std::int64_t>(10'000, count - done);
        for (std::int64_t i = 0; i < batch; ++i) {
            audit_log::append_in(session, clk.now(),
                                 audit_input{"U01", std::nullopt, "step.finished",
                                             {{"index", from + done + i}, {"output", "promoted dpl_2 to production"}}});
        }
        tx.commit();
        done += batch;
    }
    return seconds_since(start);
}

void audit_growth(const engine& e, const std::vector<std::int64_t>& sizes) {
    const std::string where = e.fresh();
    manual_clock clock;
    std::int64_t have = 0;
    for (std::int64_t size : sizes) {
        double filled = 0;
        const std::int64_t added = size - have;
        {
            auto db = e.open(where);
            filled = fill_audit(*db, clock, have, size - have);
            have = size;
        }
        auto start = steady::now();
        auto db = e.open(where);
        const double open_s = seconds_since(start);
        audit_log audit(*db, clock);
        start = steady::now();
        auto last = audit.tail(20);
        const double tail_s = seconds_since(start);
        start = steady::now();
        auto report = audit.verify();
        const double verify_s = seconds_since(start);
        if (!last || last->size() != 20 || !report || !report->ok() || report->entries != size) {
            throw std::runtime_error("the audit log did not read back as written");
        }
        fmt::print("  {:<10} {:>9} entries: start-up {:7.1f} ms, /audit (last 20) {:7.2f} ms, audit verify {:7.2f} s "
                   "({:.0f} entries/s; filled at {:.0f}/s)\n",
                   e.name, size, open_s * 1000, tail_s * 1000, verify_s, size / verify_s, added / filled);
    }
    e.drop(where);
}

}  // namespace

int main(int argc, char** argv) {
    spdlog::set_level(spdlog::level::warn);
    std::vector<std::int64_t> sizes;
    for (int i = 1; i < argc; ++i) {
        sizes.push_back(std::stoll(argv[i]));
    }
    if (sizes.empty()) {
        sizes = {100'000, 1'000'000};
    }
    const auto dir = std::filesystem::temp_directory_path() / fmt::format("opsbot-bench-storage-{}", ::getpid());
    std::filesystem::create_directories(dir);
    std::vector<engine> engines{sqlite_engine(dir)};
    if (const char* url = std::getenv("OPSBOT_BENCH_PG_URL"); url != nullptr && *url != '\0') {
        engines.push_back(postgres_engine(url));
    } else {
        fmt::print("OPSBOT_BENCH_PG_URL is not set: SQLite only (bench/with-postgres runs it with a throwaway server)\n");
    }
    fmt::print("storage on each engine (one process; several replicas: bench/replicas)\n");
    for (const auto& e : engines) {
        approvals_per_second(e, 2000);
    }
    for (const auto& e : engines) {
        audit_growth(e, sizes);
    }
    std::filesystem::remove_all(dir);
    return 0;
}
