// `opsbot run` as it starts, with the real binary against the Slack simulator (issue 12): one instance per SQLite
// database (exit 4, touching nothing), the modes of the files it creates or finds, and close-on-exec on every
// descriptor it holds while it serves.
#include "adapters/subprocess.hpp"
#include "sim/slack_simulator.hpp"
#include "storage/database.hpp"
#include "storage/instance_lock.hpp"
#include "tests/support/file_modes.hpp"
#include "tests/support/paths.hpp"
#include "tests/support/text_files.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>

using opsbot::testing::read_file;

using namespace opsbot;
using namespace std::chrono_literals;
namespace fs = std::filesystem;
using testing::loose_umask;
using testing::mode_of;

namespace {

/// A folder with a config whose Slack is the simulator; `extra` is spliced in at the top level.
struct bot_folder {
    fs::path dir = fs::temp_directory_path() / fmt::format("opsbot-startup-{}-{}", ::getpid(), counter()++);
    fs::path db = dir / "opsbot.db";
    fs::path config = dir / "opsbot.jsonc";
    const sim::slack_simulator& slack;

    explicit bot_folder(const sim::slack_simulator& s, const std::string& extra = {}) : slack(s) {
        fs::remove_all(dir);
        fs::create_directories(dir);
        std::ofstream(config) << fmt::format(R"({{
  "slack": {{ "app_token_env": "STARTUP_APP_TOKEN", "bot_token_env": "STARTUP_BOT_TOKEN", "api_url": "{}",
             "ops_channel": "C0OPS", "incident_channel": "C0INC" }},
  "database": "{}",
  "groups": {{ "deployers": ["U01"] }},
  "policies": {{ "deploy": {{ "run": "deployers" }} }}{}
}}
)",
                                             slack.api_url(), db.string(), extra);
    }
    ~bot_folder() {
        std::error_code ec;
        fs::remove_all(dir, ec);
    }

    /// Runs `opsbot ARGS` to its end with the Slack tokens in its environment.
    adapters::subprocess_result opsbot(std::vector<std::string> args) const {
        adapters::subprocess_options o;
        o.argv = {testing::opsbot_binary()};
        o.argv.insert(o.argv.end(), args.begin(), args.end());
        o.set_env = {{"STARTUP_APP_TOKEN", slack.options().app_token},
                     {"STARTUP_BOT_TOKEN", slack.options().bot_token}};
        o.timeout = 60s;
        auto r = adapters::run_subprocess(o);
        REQUIRE(r);
        return *r;
    }
    /// `opsbot run` in the background; it ends on SIGTERM (stop()).
    std::future<adapters::subprocess_result> start() const {
        return std::async(std::launch::async, [this] { return opsbot({"run", "--config", config.string()}); });
    }
    /// Waits until `count` links said hello.
    bool linked(size_t count) const {
        return slack.wait_for(
            [&] {
                size_t ready = 0;
                for (const auto& c : slack.connections()) {
                    ready += c.hello_at.has_value() ? 1 : 0;
                }
                return ready >= count;
            },
            30s);
    }
    /// The pid the running instance wrote beside the database ("pid N on host H since T").
    pid_t holder_pid() const {
        std::istringstream holder(read_file(storage::instance_lock::file_for(db.string())));
        std::string word;
        pid_t pid = -1;
        holder >> word >> pid;
        REQUIRE(word == "pid");
        return pid;
    }
    /// SIGTERM to the running instance; what it printed.
    adapters::subprocess_result stop(std::future<adapters::subprocess_result>& running) const {
        REQUIRE(::kill(holder_pid(), SIGTERM) == 0);
        auto r = running.get();
        INFO(r.output);
        CHECK(r.exit_code == 0);
        return r;
    }

    static int& counter() {
        static int n = 0;
        return n;
    }
};

struct file_state {
    std::string bytes;
    fs::file_time_type mtime;
    bool operator==(const file_state&) const = default;
};

file_state state_of(const fs::path& p) {
    std::error_code ec;
    return {read_file(p), fs::last_write_time(p, ec)};
}

}  // namespace

TEST_CASE("a second opsbot run on the same database exits 4 naming the first, and touches nothing", "[cli][instance]") {
    sim::slack_simulator slack;
    bot_folder folder(slack);
    auto first = folder.start();
    REQUIRE(folder.linked(1));
    const pid_t first_pid = folder.holder_pid();
    const std::string holder = read_file(storage::instance_lock::file_for(folder.db.string()));
    char host[256] = {};
    REQUIRE(::gethostname(host, sizeof host - 1) == 0);
    CHECK_THAT(holder, Catch::Contains(fmt::format("pid {} on host {} since ", first_pid, host)));
    const auto db_before = state_of(folder.db);
    const auto wal_before = state_of(folder.db.string() + "-wal");
    const size_t opens_before = slack.api_calls("apps.connections.open").size();

    auto second = folder.opsbot({"run", "--config", folder.config.string()});
    INFO(second.output);
    CHECK(second.exit_code == 4);
    CHECK_THAT(second.output, Catch::Contains("another opsbot is already running on " + folder.db.string()));
    CHECK_THAT(second.output, Catch::Contains(fmt::format("pid {} on host {} since 20", first_pid, host)));
    // It never reached Slack, and the database is as the first instance left it (no start-up recovery, no write).
    CHECK(slack.api_calls("apps.connections.open").size() == opens_before);
    CHECK(slack.connections().size() == 1);
    CHECK(state_of(folder.db) == db_before);
    CHECK(state_of(folder.db.string() + "-wal") == wal_before);
    CHECK(read_file(storage::instance_lock::file_for(folder.db.string())) == holder);

    // Read-only commands still work while the bot runs.
    auto verify = folder.opsbot({"audit", "verify", "--db", folder.db.string()});
    INFO(verify.output);
    CHECK(verify.exit_code == 0);
    auto exported = folder.opsbot({"audit", "export", "--db", folder.db.string()});
    CHECK(exported.exit_code == 0);

    folder.stop(first);
    // The lock went with the process: a new instance starts and takes it.
    auto third = folder.start();
    REQUIRE(folder.linked(2));
    CHECK(folder.holder_pid() != first_pid);
    folder.stop(third);
}

TEST_CASE("opsbot run creates its database, WAL and lock file 0600", "[cli][file-modes]") {
    loose_umask umask_022;
    sim::slack_simulator slack;
    bot_folder folder(slack);
    auto running = folder.start();
    REQUIRE(folder.linked(1));
    CHECK(mode_of(folder.db) == 0600);
    CHECK(mode_of(folder.db.string() + "-wal") == 0600);
    CHECK(mode_of(folder.db.string() + "-shm") == 0600);
    CHECK(mode_of(storage::instance_lock::file_for(folder.db.string())) == 0600);
    folder.stop(running);
}

TEST_CASE("opsbot run tightens a database, WAL and backups it finds readable by others, one log line each",
          "[cli][file-modes]") {
    loose_umask umask_022;
    sim::slack_simulator slack;
    bot_folder folder(slack, R"(,
  "migrations": { "workdir": ".", "backup_dir": "BACKUPS" })");
    const fs::path backups = folder.dir / "backups";
    {
        std::string text = read_file(folder.config);
        text.replace(text.find("BACKUPS"), 7, backups.string());
        std::ofstream(folder.config) << text;
    }
    { storage::database created(folder.db.string()); }
    std::ofstream(folder.db.string() + "-wal").flush();  // an empty WAL, as a crash can leave one
    fs::create_directories(backups);
    const fs::path archive = backups / "staging_20261127_101500.dump";
    std::ofstream(archive) << "archive";
    for (const auto& [path, mode] : {std::pair{folder.db, 0644}, std::pair{fs::path(folder.db.string() + "-wal"), 0644},
                                     std::pair{backups, 0755}, std::pair{archive, 0644}}) {
        REQUIRE(::chmod(path.c_str(), mode) == 0);
    }

    auto running = folder.start();
    REQUIRE(folder.linked(1));
    CHECK(mode_of(folder.db) == 0600);
    CHECK(mode_of(folder.db.string() + "-wal") == 0600);
    CHECK(mode_of(backups) == 0700);
    CHECK(mode_of(archive) == 0600);
    const auto log = folder.stop(running).output;
    INFO(log);
    for (const auto& [path, change] : {std::pair{folder.db.string(), "0644 to 0600"},
                                       std::pair{folder.db.string() + "-wal", "0644 to 0600"},
                                       std::pair{backups.string(), "0755 to 0700"},
                                       std::pair{archive.string(), "0644 to 0600"}}) {
        const std::string line = fmt::format("{} was readable by others: mode changed from {}", path, change);
        CHECK(log.find(line) != std::string::npos);
        CHECK(log.find(line) == log.rfind(line));  // one line each
    }
}

TEST_CASE("every descriptor opsbot run holds while it serves is close-on-exec", "[cli][descriptors]") {
    sim::slack_simulator slack;
    bot_folder folder(slack);
    auto running = folder.start();
    REQUIRE(folder.linked(1));
    const fs::path proc = fs::path("/proc") / std::to_string(folder.holder_pid());
    bool socket_seen = false;
    bool database_seen = false;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(proc / "fd", ec)) {
        const std::string fd = entry.path().filename().string();
        if (std::stoi(fd) <= 2) {
            continue;
        }
        // "flags:\t02004002": the open flags in octal, O_CLOEXEC included when the descriptor has it.
        std::ifstream info(proc / "fdinfo" / fd);
        std::string key;
        std::string flags;
        while (info >> key && key != "flags:") {
        }
        if (!(info >> flags)) {
            continue;  // closed meanwhile
        }
        const std::string target = fs::read_symlink(entry.path(), ec).string();
        INFO("fd " << fd << " -> " << target << ", flags " << flags);
        CHECK((std::stoul(flags, nullptr, 8) & O_CLOEXEC) != 0);
        socket_seen = socket_seen || target.starts_with("socket:");
        database_seen = database_seen || target == folder.db.string();
    }
    CHECK(socket_seen);  // the Socket Mode link at least
    CHECK(database_seen);
    folder.stop(running);
}
