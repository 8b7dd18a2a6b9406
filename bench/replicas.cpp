// bench/replicas: what several replicas of the real `opsbot run` cost or give (issue 14 item 5). For each
// configuration — SQLite with 1 replica, PostgreSQL with 1 replica, PostgreSQL with 3 replicas — on a fresh database,
// the built binary is started as child processes, every replica opening its own Socket Mode link to ONE Slack
// simulator, which spreads envelopes over the ready links one after another (sim::spread_connections), as Slack does
// with an app's links. Then:
//  1. every link says hello;
//  2. ack latency: a burst of 1,000 `/deploy help`, then 200 one at a time (each waits for its ack); p50/p99/max from
//     the moment the simulator wrote an envelope to its socket to the moment it read the ack (as bench/ack_latency);
//  3. approvals per second: K (200) `/rollback api` plans by U01, then all K Approve clicks by U02 at once, spread over
//     the links; approvals/s = K / (first click written -> no action left awaiting_approval, read from the database
//     every 2 ms).
// Prints figures and one table; asserts nothing. PostgreSQL needs OPSBOT_BENCH_PG_URL (bench/with-postgres starts a
// throwaway server): each configuration gets its own `CREATE DATABASE`, dropped afterwards.
//
// Why every plan is a rollback of the same service `api`: an approved action re-plans, claims its lock on `api` and
// runs; the first approved one runs (against a fake Railway that answers at once), the others are refused at once
// ("lock busy"). So each click costs the two-person rule in one write transaction plus a re-plan (one fast Railway
// read) and a refusal that is database writes and a Slack update; no click waits for a platform. Plans for K different
// services would each run a rollback: the figure would be Railway's and the runtime's execution pool, not the approval
// decision this bench is after. The running rollback is held in progress (a stored poll, no thread) until every
// approved action was refused (also printed: "every approved one refused or running"), then settles at its next poll:
// were it to finish earlier, a late action would find the lock free or see "plan changed" and post a fresh request —
// other work per click, depending on how long the phase takes.
//
// Delivery: sim::spread_connections sends each envelope to the next ready link, a burst's too (envelope by envelope).
//
// CPU placement (as bench/ack_latency): on two or more CPUs the replicas run on CPU 0 and this process (the simulator,
// the fake Railway) on CPU 1; the PostgreSQL server is not pinned. Three replicas thus share one CPU: replicas are for
// availability, and on one machine they cannot add CPU.
//
//   replicas [BURST [SINGLE [APPROVALS]]]     default: 1000 200 200
#include "bench/latency_summary.hpp"
#include "bench/pin_threads.hpp"
#include "demo/render.hpp"
#include "sim/slack_simulator.hpp"
#include "storage/database.hpp"
#include "storage/postgres_connection.hpp"
#include "storage/sql.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/fake_railway.hpp"

#include <fmt/format.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace {

using namespace opsbot;
using opsbot::testing::eventually;
using namespace std::chrono_literals;
namespace fs = std::filesystem;
using bench::pin_threads;
using bench::summarise;
using bench::summary;
using sim_clock = std::chrono::system_clock;
using ms = std::chrono::duration<double, std::milli>;

constexpr const char* ops_channel = "C0OPS";
constexpr const char* requester = "U01";
constexpr const char* approver = "U02";

struct bench_sizes {
    int burst = 1000;
    int single = 200;
    int approvals = 200;  // a round takes ~0.25 s on SQLite: long against the 2 ms poll that ends it
};

struct configuration {
    std::string name;
    bool postgres = false;
    int replicas = 1;
};

/// What one configuration measured: the table's row and the details printed as it ran.
struct figures {
    std::string name;
    summary burst, single;
    double approvals_per_second = 0;
    bool complete = true;
};

// ---------------------------------------------------------------- small helpers

// ---------------------------------------------------------------- databases

std::unique_ptr<storage::sql::connection> connect(const std::string& url) {
    auto conn = storage::open_postgres(url);
    if (!conn) {
        throw std::runtime_error("cannot connect to PostgreSQL: " + conn.error().message);
    }
    return std::move(*conn);
}

/// Where one configuration keeps its state: an SQLite file, or a PostgreSQL database made for it on the bench server
/// (dropped at destruction), so no configuration sees another's actions.
class round_database {
public:
    round_database(const configuration& c, const fs::path& dir, storage::sql::connection* admin,
                   const std::string& admin_url)
        : admin_(admin) {
        if (!c.postgres) {
            sqlite_path_ = (dir / "opsbot.db").string();
            return;
        }
        static int round = 0;
        pg_name_ = fmt::format("opsbot_replicas_{}_{}", ::getpid(), round++);
        admin_->run_script("CREATE DATABASE " + pg_name_);
        pg_url_ = admin_url + (admin_url.find('?') == std::string::npos ? "?" : "&") + "dbname=" + pg_name_;
    }
    ~round_database() {
        if (!pg_name_.empty()) {
            reader_.reset();
            admin_->run_script("DROP DATABASE IF EXISTS " + pg_name_ + " WITH (FORCE)");
        }
    }
    round_database(const round_database&) = delete;
    round_database& operator=(const round_database&) = delete;

    bool postgres() const { return !pg_name_.empty(); }
    const std::string& sqlite_path() const { return sqlite_path_; }
    const std::string& url() const { return pg_url_; }  ///< a secret in general: never printed

    /// How many actions are in each state now (one query; opened once the bot created the schema).
    std::map<std::string, std::int64_t> states() {
        return count_by("SELECT state, COUNT(*) FROM actions GROUP BY state");
    }
    /// The newest action so far (its seq): the actions a phase is about are those up to it.
    std::int64_t newest_action() {
        auto session = reader().acquire();
        auto rows = session.sql().run("SELECT COALESCE(MAX(seq), 0) FROM actions", {}).rows;
        return rows.empty() ? 0 : rows.front().at(0).as_int64();
    }
    /// How many of the actions up to `newest` still await approval. Later ones do not count: an approved action
    /// whose plan changed is refused and a fresh request for it is posted (bot/actions/replan.cpp).
    std::int64_t awaiting_up_to(std::int64_t newest) {
        auto session = reader().acquire();
        auto rows = session.sql()
                        .run("SELECT COUNT(*) FROM actions WHERE state = 'awaiting_approval' AND seq <= ?", {newest})
                        .rows;
        return rows.empty() ? 0 : rows.front().at(0).as_int64();
    }
    /// The approvals recorded, by decision.
    std::map<std::string, std::int64_t> decisions() {
        return count_by("SELECT decision, COUNT(*) FROM approvals GROUP BY decision");
    }
    /// Why actions failed (the audit entries' detail, e.g. {"reason":"lock busy"}), to show what refused them.
    std::map<std::string, std::int64_t> failures() {
        return count_by("SELECT detail, COUNT(*) FROM audit_log WHERE event = 'action.failed' GROUP BY detail");
    }

private:
    std::map<std::string, std::int64_t> count_by(std::string_view query) {
        auto session = reader().acquire();
        std::map<std::string, std::int64_t> out;
        for (const auto& row : session.sql().run(query, {}).rows) {
            out[row.at(0).as_string()] = row.at(1).as_int64();
        }
        return out;
    }
    storage::database& reader() {
        if (!reader_) {
            reader_ = postgres() ? std::make_unique<storage::database>(connect(pg_url_), "bench round database",
                                                                       storage::open_mode::read_only)
                                 : std::make_unique<storage::database>(sqlite_path_, storage::open_mode::read_only);
        }
        return *reader_;
    }

    storage::sql::connection* admin_;
    std::string sqlite_path_, pg_name_, pg_url_;
    std::unique_ptr<storage::database> reader_;
};

// ---------------------------------------------------------------- the bot's processes

/// The stack description every replica of a round runs: Slack at the simulator, the service `api` at the fake
/// Railway, rollbacks approved by a second person, a short shutdown grace so a round ends quickly.
std::string config_text(const sim::slack_simulator& slack, const testing::fake_railway& railway,
                        const round_database& db) {
    const std::string database =
        db.postgres() ? R"({ "url_env": "OPSBOT_DATABASE_URL" })" : fmt::format("\"{}\"", db.sqlite_path());
    return fmt::format(R"({{
  // written by bench/replicas
  "slack": {{ "app_token_env": "OPSBOT_BENCH_APP_TOKEN", "bot_token_env": "OPSBOT_BENCH_BOT_TOKEN",
             "api_url": "{}", "ops_channel": "{}", "incident_channel": "C0INC", "audit_channel": "C0AUDIT" }},
  "database": {},
  "shutdown_grace": 5,
  "replica_lease": 30,
  "groups": {{ "deployers": ["{}", "{}"], "approvers": ["{}"] }},
  "policies": {{
    "deploy": {{ "run": "deployers" }},
    "rollback": {{ "run": "deployers", "approve": "approvers", "approvals": 1, "expires_after": "15m" }},
  }},
  "services": {{
    {},
  }},
}}
)",
                       slack.api_url(), ops_channel, database, requester, approver, approver,
                       testing::api_service_jsonc(railway));
}

/// This process's environment without the variables the bot reads here (ours are appended after it).
std::vector<std::string> inherited_environment(const std::set<std::string>& replaced) {
    std::vector<std::string> out;
    for (char** e = environ; *e != nullptr; ++e) {
        std::string entry(*e);
        if (!replaced.contains(entry.substr(0, entry.find('=')))) {
            out.push_back(std::move(entry));
        }
    }
    return out;
}

/// One `opsbot run --config FILE` child, its output in its own log file; SIGKILLed at destruction if still running.
struct replica {
    replica(const std::string& config, const std::vector<std::string>& env, fs::path log_file)
        : log(std::move(log_file)), process({OPSBOT_BINARY, "run", "--config", config}, env, log) {}
    fs::path log;
    testing::child_process process;
};

/// The lines a replica logged at warning level or above (the text format: "TIME LEVEL message").
std::vector<std::string> complaints_in(const fs::path& log) {
    std::vector<std::string> out;
    std::ifstream in(log);
    for (std::string line; std::getline(in, line);) {
        std::istringstream words(line);
        std::string time, level;
        words >> time >> level;
        if (level == "warning" || level == "error" || level == "critical") {
            out.push_back(line);
        }
    }
    return out;
}

// ---------------------------------------------------------------- phase 1: links

/// Every replica's link said hello (printed: how long after the processes were started); false after 30 s.
bool all_linked(const sim::slack_simulator& slack, int replicas, sim_clock::time_point started) {
    const bool linked = slack.wait_for(
        [&] {
            auto links = slack.connections();
            return std::count_if(links.begin(), links.end(), [](const auto& c) {
                       return c.open && c.hello_at.has_value();
                   }) >= replicas;
        },
        30s);
    auto last_hello = started;
    for (const auto& c : slack.connections()) {
        last_hello = std::max(last_hello, c.hello_at.value_or(started));
    }
    fmt::print("  {} of {} links said hello, the last {:.1f} ms after the processes were started\n",
               slack.open_connection_count(), replicas, ms(last_hello - started).count());
    return linked;
}

// ---------------------------------------------------------------- phase 2: ack latency

/// The acks of the envelopes `ids`: each one's latency (write -> ack read) and how many each link acked.
struct acked {
    std::vector<double> latencies_ms;
    std::map<sim::connection_id, int> per_link;
};

acked acks_of(const sim::slack_simulator& slack, const std::vector<std::string>& ids) {
    const std::set<std::string> wanted(ids.begin(), ids.end());
    const auto written_at = slack.written_at();
    acked out;
    for (const auto& a : slack.acks()) {
        auto written = written_at.find(a.envelope_id);
        if (wanted.contains(a.envelope_id) && written != written_at.end()) {
            out.latencies_ms.push_back(ms(a.at - written->second).count());
            ++out.per_link[a.connection];
        }
    }
    return out;
}

std::string link_counts(const std::map<sim::connection_id, int>& per_link) {
    std::string out;
    for (const auto& [link, n] : per_link) {
        out += fmt::format("{}link {}: {}", out.empty() ? "" : ", ", link, n);
    }
    return out.empty() ? "none" : out;
}

/// The burst: every envelope built first, then handed over at once, each to the next link (sim::spread_connections).
bool ack_burst(sim::slack_simulator& slack, int burst, figures& out) {
    const size_t acks_before = slack.ack_count();
    const std::vector<std::string> ids = slack.send_slash_commands(requester, ops_channel, "/deploy", "help",
                                                                   static_cast<size_t>(burst),
                                                                   sim::spread_connections);
    const bool all = slack.wait_for_acks(acks_before + static_cast<size_t>(burst), 60s);
    const acked a = acks_of(slack, ids);
    out.burst = summarise(a.latencies_ms);
    fmt::print("  burst of {} /deploy help: p50 {:7.3f} ms  p99 {:7.3f} ms  max {:7.3f} ms  ({} acked{}; {})\n", burst,
               out.burst.p50, out.burst.p99, out.burst.max, a.latencies_ms.size(), all ? "" : ", INCOMPLETE",
               link_counts(a.per_link));
    return all;
}

/// One envelope at a time, each to the next link, each waiting for its ack.
bool ack_one_at_a_time(sim::slack_simulator& slack, int single, figures& out) {
    std::vector<std::string> ids;
    bool all = true;
    for (int i = 0; i < single; ++i) {
        std::string id =
            slack.send_slash_command(requester, ops_channel, "/deploy", "help", sim::spread_connections);
        if (!slack.wait_for([&] { return !slack.acks_for(id).empty(); }, 5s)) {
            all = false;
        }
        ids.push_back(std::move(id));
    }
    const acked a = acks_of(slack, ids);
    out.single = summarise(a.latencies_ms);
    fmt::print("  {} one at a time:        p50 {:7.3f} ms  p99 {:7.3f} ms  max {:7.3f} ms  ({} acked{}; {})\n",
               single, out.single.p50, out.single.p99, out.single.max, a.latencies_ms.size(),
               all ? "" : ", INCOMPLETE", link_counts(a.per_link));
    return all;
}

// ---------------------------------------------------------------- phase 3: approvals per second

struct approve_button {
    std::string action, channel, ts, value;
};

/// The action of a plan message from its header block ("A-7 · …"); empty for other messages.
std::string action_of(const sim::recorded_message& m) {
    const std::string header = demo::header_text(m.blocks);
    auto dot = header.find(" · ");
    return dot == std::string::npos ? std::string{} : header.substr(0, dot);
}

/// The Approve buttons of every plan posted so far (the posted version: nobody decided yet).
std::vector<approve_button> approve_buttons(const sim::slack_simulator& slack) {
    std::vector<approve_button> out;
    for (const auto& m : slack.messages("chat.postMessage")) {
        const std::string action = action_of(m);
        std::string value = action.empty() ? std::string{} : demo::find_button_value(m.blocks, action, "approve");
        if (!value.empty()) {
            out.push_back({action, m.channel, m.ts, std::move(value)});
        }
    }
    return out;
}

std::string state_counts(const std::map<std::string, std::int64_t>& counts) {
    std::string out;
    for (const auto& [state, n] : counts) {
        out += fmt::format("{}{} {}", out.empty() ? "" : ", ", n, state);
    }
    return out;
}

/// K plans, then K Approve clicks at once; the time from the first click written to none left awaiting_approval.
bool approvals(sim::slack_simulator& slack, testing::fake_railway& railway, round_database& db, int k,
               figures& out) {
    for (int i = 0; i < k; ++i) {
        slack.send_slash_command(requester, ops_channel, "/rollback", "api", sim::spread_connections);
    }
    std::vector<approve_button> buttons;
    const bool planned = eventually(
        [&] {
            buttons = approve_buttons(slack);
            return static_cast<int>(buttons.size()) >= k;
        },
        60s, 50ms);
    if (!planned || db.states()["awaiting_approval"] != k) {
        fmt::print("  approvals: only {} of {} plans posted ({}): not measured\n", buttons.size(), k,
                   state_counts(db.states()));
        return false;
    }
    const std::int64_t planned_up_to = db.newest_action();
    std::vector<std::string> clicks;
    for (const auto& b : buttons) {
        clicks.push_back(
            slack.send_block_action(approver, b.channel, b.ts, "approve", b.value, sim::spread_connections));
    }
    const bool decided = eventually([&] { return db.awaiting_up_to(planned_up_to) == 0; }, 60s, 2ms);
    const auto done = sim_clock::now();
    // The approved ones are refused by the lock only once their replica re-planned them (on three replicas that lags
    // behind the decisions): the running rollback ends only after, else a late one would find the lock free.
    const bool handled = eventually([&] { return db.states()["approved"] == 0; }, 60s, 2ms);
    const auto refused = sim_clock::now();
    railway.settle_deployments_at(1);  // the one rollback that runs ends at its next poll, releasing its lock
    const auto written_at = slack.written_at();
    auto first = sim_clock::time_point::max();
    for (const auto& id : clicks) {
        if (auto w = written_at.find(id); w != written_at.end()) {
            first = std::min(first, w->second);
        }
    }
    const double took_s = ms(done - first).count() / 1000.0;
    out.approvals_per_second = decided ? k / took_s : 0;
    fmt::print("  {} approvals: {:.3f} s from the first click to none awaiting approval = {:.0f}/s{}  (clicks acked: "
               "{})\n",
               k, took_s, out.approvals_per_second, decided ? "" : " INCOMPLETE",
               link_counts(acks_of(slack, clicks).per_link));
    fmt::print("      decisions recorded: {}; every approved one refused or running {:.3f} s after the first click{}\n",
               state_counts(db.decisions()), ms(refused - first).count() / 1000.0, handled ? "" : " (INCOMPLETE)");
    return decided;
}

/// Waits until no action is approved or running any more (the one rollback that runs finishes), then the states
/// (those awaiting approval now are fresh requests posted after "plan changed").
void settle_actions(round_database& db) {
    const bool settled = eventually(
        [&] {
            auto s = db.states();
            return s["approved"] == 0 && s["running"] == 0;
        },
        30s, 100ms);
    fmt::print("      actions afterwards: {}{}\n", state_counts(db.states()),
               settled ? "" : " (still running after 30 s)");
    fmt::print("      failed because: {}\n", state_counts(db.failures()));
}

// ---------------------------------------------------------------- one configuration

/// The fake Railway of a round: seeded like the tests (api: rw-live-4, rollback target rw-prev-2), answering at once;
/// a rollback deployment stays in progress until the approval phase ended (approvals() then lets it settle).
std::unique_ptr<testing::fake_railway> make_railway() {
    testing::fake_railway::options o;
    o.deploy_polls = 1'000'000;
    auto railway = std::make_unique<testing::fake_railway>(o);
    const auto make = &testing::seeded_railway_deployment;
    railway->add_deployment(make("rw-prev-2", "2026-11-22T10:00:00.000Z", "REMOVED", true, "bbbbbbb2222"));
    railway->add_deployment(make("rw-live-4", "2026-11-26T10:00:00.000Z", "SUCCESS", false, "ddddddd4444"));
    return railway;
}

/// The environment of every replica: the fake tokens, and the database URL when on PostgreSQL.
std::vector<std::string> replica_environment(const sim::slack_simulator& slack, const testing::fake_railway& railway,
                                             const round_database& db, const fs::path& home) {
    auto env = inherited_environment(
        {"OPSBOT_BENCH_APP_TOKEN", "OPSBOT_BENCH_BOT_TOKEN", "RAILWAY_TOKEN", "OPSBOT_DATABASE_URL", "HOME"});
    env.push_back("OPSBOT_BENCH_APP_TOKEN=" + slack.options().app_token);
    env.push_back("OPSBOT_BENCH_BOT_TOKEN=" + slack.options().bot_token);
    env.push_back("RAILWAY_TOKEN=" + railway.settings().token);
    env.push_back("HOME=" + home.string());
    if (db.postgres()) {
        env.push_back("OPSBOT_DATABASE_URL=" + db.url());
    }
    return env;
}

/// Stops every replica (SIGTERM) and prints how each ended and what it logged at warning level or above.
void stop_replicas(std::vector<std::unique_ptr<replica>>& replicas) {
    for (size_t i = 0; i < replicas.size(); ++i) {
        replicas[i]->process.signal(SIGTERM);
        auto code = replicas[i]->process.wait(20s);
        auto complaints = complaints_in(replicas[i]->log);
        fmt::print("      replica {}: {}, {} log lines at warning or above\n", i + 1,
                   code ? fmt::format("exit {}", *code) : std::string("did not stop within 20 s"), complaints.size());
        for (size_t j = 0; j < std::min<size_t>(complaints.size(), 3); ++j) {
            fmt::print("        {}\n", complaints[j].substr(0, 240));
        }
    }
}

figures run_configuration(const configuration& c, const bench_sizes& sizes, storage::sql::connection* admin,
                          const std::string& admin_url, bool pinned) {
    figures out;
    out.name = c.name;
    fmt::print("{}\n", c.name);
    const fs::path dir = fs::temp_directory_path() / fmt::format("opsbot-replicas-{}-{}", ::getpid(), c.replicas);
    fs::create_directories(dir);
    {
        sim::slack_simulator slack;
        auto railway = make_railway();
        round_database db(c, dir, admin, admin_url);
        const fs::path config = dir / "opsbot.jsonc";
        std::ofstream(config) << config_text(slack, *railway, db);
        const auto env = replica_environment(slack, *railway, db, dir);
        if (pinned) {
            pin_threads(::getpid(), 0);  // the replicas inherit CPU 0
        }
        std::vector<std::unique_ptr<replica>> replicas;
        const auto started = sim_clock::now();
        for (int i = 0; i < c.replicas; ++i) {
            replicas.push_back(
                std::make_unique<replica>(config.string(), env, dir / fmt::format("replica-{}.log", i + 1)));
        }
        if (pinned) {
            pin_threads(::getpid(), 1);
        }
        out.complete = all_linked(slack, c.replicas, started);
        if (!out.complete) {
            fmt::print("  not every replica linked within 30 s: not measured\n");
        } else {
            std::this_thread::sleep_for(500ms);  // start-up work (recovery, the audit head post) settles first
            out.complete = ack_burst(slack, sizes.burst, out) &&
                           ack_one_at_a_time(slack, sizes.single, out) &&
                           approvals(slack, *railway, db, sizes.approvals, out);
            settle_actions(db);
        }
        stop_replicas(replicas);
        slack.stop();
    }
    fs::remove_all(dir);
    return out;
}

std::string cell(const summary& s) {
    return fmt::format("{:.3f} / {:.3f}", s.p50, s.p99);
}

void print_table(const std::vector<figures>& rows, const bench_sizes& sizes) {
    fmt::print("\n{:<28} | {:>24} | {:>26} | {:>11}\n", "configuration",
               fmt::format("burst {} p50/p99 ms", sizes.burst), "one at a time p50/p99 ms",
               "approvals/s");
    fmt::print("{:-<28}-+-{:->24}-+-{:->26}-+-{:->11}\n", "", "", "", "");
    for (const auto& r : rows) {
        fmt::print("{:<28} | {:>24} | {:>26} | {:>11}\n", r.name + (r.complete ? "" : " (INCOMPLETE)"), cell(r.burst),
                   cell(r.single), fmt::format("{:.0f}", r.approvals_per_second));
    }
}

bench_sizes sizes_from(int argc, char** argv) {
    bench_sizes s;
    if (argc > 1) {
        s.burst = std::stoi(argv[1]);
    }
    if (argc > 2) {
        s.single = std::stoi(argv[2]);
    }
    if (argc > 3) {
        s.approvals = std::stoi(argv[3]);
    }
    return s;
}

/// Runs every configuration and prints the table; throws when the bench server cannot be used.
int run(int argc, char** argv) {
    const bench_sizes sizes = sizes_from(argc, argv);
    std::vector<configuration> configurations{{"SQLite, 1 replica", false, 1}};
    std::unique_ptr<storage::sql::connection> admin;
    const char* url = std::getenv("OPSBOT_BENCH_PG_URL");
    if (url != nullptr && *url != '\0') {
        admin = connect(url);
        configurations.push_back({"PostgreSQL, 1 replica", true, 1});
        configurations.push_back({"PostgreSQL, 3 replicas", true, 3});
    } else {
        fmt::print("OPSBOT_BENCH_PG_URL is not set: SQLite only "
                   "(bench/with-postgres runs it with a throwaway server)\n");
    }
    const bool pinned = std::thread::hardware_concurrency() >= 2;
    fmt::print("replicas: opsbot run as child processes against one Slack simulator{}\n",
               pinned ? " (the replicas on CPU 0, the simulator and the fake Railway on CPU 1)" : "");
    std::vector<figures> rows;
    for (const auto& c : configurations) {
        rows.push_back(run_configuration(c, sizes, admin.get(), url != nullptr ? url : "", pinned));
    }
    print_table(rows, sizes);
    // Figures only; a configuration that could not be measured (no link, acks or decisions missing) is a failure.
    return std::all_of(rows.begin(), rows.end(), [](const figures& r) { return r.complete; }) ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    spdlog::set_level(spdlog::level::err);  // the simulator's and the fake's own logs
    try {
        return run(argc, argv);
    } catch (const std::exception& e) {  // e.g. PostgreSQL refused CREATE DATABASE: said, not a core dump
        fmt::print(stderr, "replicas: {}\n", e.what());
        return 1;
    }
}
