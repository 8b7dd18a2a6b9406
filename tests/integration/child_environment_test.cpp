// What a child process of the bot receives (issue 12 item 1, docs/design.md "Runtime model"): an empty environment plus
// the allowlist (PATH, HOME, LANG, LC_*, TZ), the configured env_passthrough names and the step's own variables, and
// no descriptor beyond 0-2. child_probe (tests/standin/child_probe.cpp) stands in front of pg_dump, pg_restore, the
// Prisma deploy command and the re-encryption command, run through the real steps, while this process holds the
// Slack, Vercel and Railway tokens, the production database URL (as DATABASE_URL too) and descriptors opened without
// close-on-exec.
#include "bot/families.hpp"
#include "adapters/postgres_url.hpp"
#include "commands/rotate/plan.hpp"
#include "commands/rotate/secret_vault.hpp"
#include "commands/plan/step_runner.hpp"
#include "storage/database.hpp"
#include "tests/support/paths.hpp"
#include "tests/support/postgres_fixture.hpp"
#include "tests/support/pg_url_or_skip.hpp"
#include "tests/unit/commands/rotate_world.hpp"

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

using namespace opsbot;
namespace fs = std::filesystem;

namespace {

constexpr const char* staging_password = "Staging-Child-Pass-8812";
constexpr const char* production_url = "postgresql://app:Prod-Secret-5555@prod.db.example:5432/app_production";

/// The parent's secrets: set in this process for the length of a test, none may reach a child.
const std::map<std::string, std::string> parent_secrets{
    {"SLACK_BOT_TOKEN", "xoxb-child-env-test-1111"},
    {"SLACK_APP_TOKEN", "xapp-1-child-env-test-2222"},
    {"VERCEL_TOKEN", "vercel-child-env-test-3333"},
    {"RAILWAY_TOKEN", "railway-child-env-test-4444"},
    {"PRODUCTION_DATABASE_URL", production_url},
    {"DATABASE_URL", production_url},  // what a careless shell profile leaves for the production app
};

/// Sets the parent's environment for one test and restores it after.
class parent_environment {
public:
    explicit parent_environment(const std::map<std::string, std::string>& extra) {
        auto vars = parent_secrets;
        vars.insert(extra.begin(), extra.end());
        vars["OPSBOT_TEST_PASSTHROUGH"] = "passed-through";
        for (const auto& [name, value] : vars) {
            if (const char* old = std::getenv(name.c_str())) {
                saved_[name] = old;
            }
            ::setenv(name.c_str(), value.c_str(), 1);
            names_.push_back(name);
        }
    }
    ~parent_environment() {
        for (const auto& name : names_) {
            auto it = saved_.find(name);
            it == saved_.end() ? ::unsetenv(name.c_str()) : ::setenv(name.c_str(), it->second.c_str(), 1);
        }
    }

private:
    std::vector<std::string> names_;
    std::map<std::string, std::string> saved_;
};

/// Descriptors this process holds without close-on-exec, as a careless library would: a listening loopback
/// socket and a file. Only closefrom in the child keeps them out of it.
class inheritable_descriptors {
public:
    inheritable_descriptors() {
        socket_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(socket_ >= 0);
        REQUIRE(::bind(socket_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
        REQUIRE(::listen(socket_, 1) == 0);
        file_ = ::open("/dev/null", O_RDONLY);
        REQUIRE(file_ >= 0);
        REQUIRE((::fcntl(socket_, F_GETFD) & FD_CLOEXEC) == 0);
        REQUIRE((::fcntl(file_, F_GETFD) & FD_CLOEXEC) == 0);
    }
    ~inheritable_descriptors() {
        ::close(socket_);
        ::close(file_);
    }

private:
    int socket_ = -1;
    int file_ = -1;
};

/// A directory of links to child_probe, one per program it stands in for.
struct probes {
    fs::path dir = testing::make_temp_dir("opsbot-child-probe");

    /// "<dir>/<name>": reports, then runs `then` with the same arguments when given.
    std::string add(const std::string& name, const std::string& then = {}) {
        const fs::path link = dir / name;
        fs::create_symlink(testing::child_probe_binary(), link);
        if (!then.empty()) {
            std::ofstream(link.string() + ".exec") << then << "\n";
        }
        return link.string();
    }
    ~probes() {
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
};

struct child_report {
    bool found = false;
    std::vector<int> fds;
    std::map<std::string, std::string> env;
};

child_report read_report(const std::string& program) {
    child_report out;
    std::ifstream in(program + ".report");
    out.found = static_cast<bool>(in);
    for (std::string line; std::getline(in, line);) {
        if (line.starts_with("fd ")) {
            out.fds.push_back(std::stoi(line.substr(3)));
        } else if (line.starts_with("env ")) {
            const auto eq = line.find('=');
            out.env[line.substr(4, eq - 4)] = eq == std::string::npos ? "" : line.substr(eq + 1);
        }
    }
    return out;
}

bool base_allowlisted(const std::string& name) {
    return name == "PATH" || name == "HOME" || name == "LANG" || name == "TZ" || name.starts_with("LC_");
}

/// The child held 0-2 only, and its environment holds nothing but the allowlist and `own` names, and no value of
/// the parent's secrets.
void check_child(const child_report& report, const std::set<std::string>& own) {
    REQUIRE(report.found);
    CHECK(report.fds == std::vector<int>{0, 1, 2});
    for (const auto& [name, value] : report.env) {
        INFO("the child received " << name);
        CHECK((base_allowlisted(name) || own.contains(name)));
        for (const auto& [secret_name, secret] : parent_secrets) {
            CHECK(value.find(secret) == std::string::npos);
        }
        CHECK(value.find("Prod-Secret-5555") == std::string::npos);
    }
    CHECK(report.env.contains("PATH"));
    auto passed = report.env.find("OPSBOT_TEST_PASSTHROUGH");
    CHECK((passed != report.env.end() && passed->second == "passed-through"));
}

}  // namespace

TEST_CASE("/migrate staging: pg_dump, pg_restore and the deploy command get only the staging database and the "
          "allowlist, and no descriptor",
          "[postgres][child-env]") {
    OPSBOT_PG_URL_OR_SKIP(admin);
    testing::scratch_database staging(*admin, "opsbot_child_stg");
    const std::string staging_url = staging.url(staging_password);
    parent_environment env(std::map<std::string, std::string>{{"STAGING_DATABASE_URL", staging_url}});
    inheritable_descriptors held;
    probes p;
    const std::string dir = testing::make_temp_dir("opsbot-child-env");
    const std::string workdir = testing::copy_prisma_fixture("basic");

    migrations_config m;
    m.workdir = workdir;
    m.deploy_command = {p.add("prisma", testing::prisma_standin_path()), "migrate", "deploy"};
    m.pg_dump = p.add("pg_dump", "pg_dump");
    m.pg_restore = p.add("pg_restore", "pg_restore");
    m.backup_dir = dir + "/backups";
    m.timeout = std::chrono::seconds{60};
    m.env_passthrough = {"OPSBOT_TEST_PASSTHROUGH"};
    stack_config config;
    config.migrations = m;
    config.databases["staging"] = database_config{"STAGING_DATABASE_URL"};
    config.databases["production"] = database_config{"PRODUCTION_DATABASE_URL"};
    storage::database audit_db(dir + "/opsbot.db");
    commands::platform_registry platforms;
    platforms.database = commands::database_tools{m, config.databases, &audit_db, process_env};
    system_clock clk;

    boost::json::object request{{"family", "migrate"}, {"subcommand", "staging"}, {"args", boost::json::object{}}};
    auto plan = opsbot::bot::opsbot_families().plan_again(request, {config, platforms, clk});
    REQUIRE(plan);
    commands::step_environment steps{platforms, clk, [](std::chrono::milliseconds) {}, std::chrono::milliseconds{1}};
    steps.steps = &opsbot::bot::opsbot_families().steps();
    for (const auto& step : plan->steps) {
        auto ran = commands::run_step(step, steps);
        INFO(step.kind << ": " << (ran ? *ran : ran.error().message));
        REQUIRE(ran);
    }
    CHECK(staging.scalar("SELECT count(*) FROM _prisma_migrations WHERE finished_at IS NOT NULL") != "0");

    // pg_dump: the staging connection in PG* variables, nothing of production, no DATABASE_URL.
    auto dump = read_report(m.pg_dump);
    auto staging_env = adapters::pg_env_from_url(staging_url);
    REQUIRE(staging_env);
    std::set<std::string> pg_names{"OPSBOT_TEST_PASSTHROUGH"};
    for (const auto& [name, value] : staging_env->set) {
        pg_names.insert(name);
        CHECK(dump.env[name] == value);
    }
    check_child(dump, pg_names);
    CHECK(dump.env["PGDATABASE"] == staging.name());
    CHECK(dump.env["PGPASSWORD"] == staging_password);
    CHECK_FALSE(dump.env.contains("DATABASE_URL"));

    // pg_restore -l reads a file: no connection at all.
    check_child(read_report(m.pg_restore), {"OPSBOT_TEST_PASSTHROUGH"});

    // The deploy command: DATABASE_URL is staging's, whatever the bot's own DATABASE_URL says.
    auto deploy = read_report(m.deploy_command.front());
    check_child(deploy, {"DATABASE_URL", "OPSBOT_TEST_PASSTHROUGH"});
    CHECK(deploy.env["DATABASE_URL"] == staging_url);

    std::error_code ec;
    fs::remove_all(dir, ec);
    fs::remove_all(workdir, ec);
}

TEST_CASE("the re-encryption command gets the two keys, the allowlist and its env_passthrough, and no descriptor",
          "[child-env]") {
    const std::string staging_url = "postgresql://stg:Stg-Secret-6666@stg.db.example/app";
    parent_environment env(std::map<std::string, std::string>{{"STAGING_DATABASE_URL", staging_url}});
    inheritable_descriptors held;
    probes p;
    commands::testing::rotate_world w;
    auto& secret = w.config.secrets["CREDENTIAL_ENCRYPTION_KEY"];
    secret.reencrypt_command = {p.add("reencrypt")};
    secret.env_passthrough = {"OPSBOT_TEST_PASSTHROUGH"};
    const std::string old_value = "0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9";
    w.api->set_variable("production", "CREDENTIAL_ENCRYPTION_KEY", old_value);
    manual_clock clk;
    auto plan = commands::plan_rotate(w.config, w.platforms,
                                      commands::rotate_request{"CREDENTIAL_ENCRYPTION_KEY", "production", ""}, clk);
    REQUIRE(plan);
    commands::secret_vault vault;
    commands::step_environment steps{w.platforms, clk, [](std::chrono::milliseconds) {}, std::chrono::milliseconds{0}};
    steps.steps = &opsbot::bot::opsbot_families().steps();
    steps.vault = &vault;
    steps.requester = "U01";
    bool reencrypted = false;
    for (const auto& step : plan->steps) {
        auto ran = commands::run_step(step, steps);
        INFO(step.kind << ": " << (ran ? *ran : ran.error().message));
        REQUIRE(ran);
        reencrypted = reencrypted || step.kind == "secret.reencrypt";
    }
    REQUIRE(reencrypted);

    auto report = read_report(secret.reencrypt_command.front());
    check_child(report, {"OPSBOT_OLD_SECRET", "OPSBOT_NEW_SECRET", "OPSBOT_TEST_PASSTHROUGH"});
    CHECK(report.env["OPSBOT_OLD_SECRET"] == old_value);
    CHECK(report.env["OPSBOT_NEW_SECRET"] == vault.new_value());
    CHECK_FALSE(report.env.contains("STAGING_DATABASE_URL"));
    for (const auto& [name, value] : report.env) {
        CHECK(value.find("Stg-Secret-6666") == std::string::npos);
    }
    // The keys were the child's only: this process never had them in its environment.
    CHECK(std::getenv("OPSBOT_NEW_SECRET") == nullptr);
}
